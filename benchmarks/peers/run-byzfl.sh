#!/usr/bin/env bash
# Side by side with ByzFL (issue 22, item 6): our aggregation kernels and `byzsim bench`
# workload 1 against ByzFL's, alternated, with the ratio table written into docs/PERFORMANCE.md
# (a marked section, regenerated). Not part of CI: it takes 10-20 minutes and its figures
# depend on the machine. See benchmarks/peers/README.md.
#
#   benchmarks/peers/run-byzfl.sh BYZFL_CHECKOUT [--pairs N] [--rounds N] [--skip-training] [--no-write]
#
# Installs what is missing from Debian packages (ByzFL's imports: torch, torchvision, numpy,
# scipy, matplotlib and seaborn; Fashion-MNIST), as scripts/setup.sh does, and builds the CLI
# and the benchmarks project in Release.
set -euo pipefail

if (($# < 1)) || [[ ! -f "$1/byzfl/aggregators/aggregators.py" ]]; then
  echo "usage: $0 BYZFL_CHECKOUT [options]: BYZFL_CHECKOUT must hold ByzFL's sources (byzfl/aggregators/aggregators.py); see benchmarks/peers/README.md" >&2
  exit 2
fi
byzfl=$(cd "$1" && pwd)
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)

# shellcheck source=scripts/debian-packages.sh
source "$repo/scripts/debian-packages.sh"
install_debian_packages run-byzfl python3-torch python3-torchvision python3-numpy python3-scipy python3-matplotlib python3-seaborn dataset-fashion-mnist

"$repo/scripts/setup.sh"
for project in Cli benchmarks/ByzantineSim.Benchmarks; do
  dotnet build "$repo/$project" -c Release -v q -nologo
done

# Debian's interpreter, whose packages the ones above are: not a python3 earlier on PATH.
exec /usr/bin/python3 "$repo/benchmarks/peers/byzfl_side_by_side.py" --repo "$repo" --byzfl "$byzfl" "$@"
