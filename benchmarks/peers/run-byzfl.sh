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

packages=(python3-torch python3-torchvision python3-numpy python3-scipy python3-matplotlib python3-seaborn dataset-fashion-mnist)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "run-byzfl: missing ${missing[*]}, and apt-get is not available; install them by other means" >&2
    exit 1
  fi
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  echo "run-byzfl: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >/dev/null
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$repo/scripts/setup.sh"
for project in Cli benchmarks/ByzantineSim.Benchmarks; do
  dotnet build "$repo/$project" -c Release -v q -nologo
done

# Debian's interpreter, whose packages the ones above are: not a python3 earlier on PATH.
exec /usr/bin/python3 "$repo/benchmarks/peers/byzfl_side_by_side.py" --repo "$repo" --byzfl "$byzfl" "$@"
