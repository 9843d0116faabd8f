#!/usr/bin/env bash
# Side by side with ByzFL (issue 22, item 6): our aggregation kernels and `byzsim bench`
# workload 1 against ByzFL's, alternated, with the ratio table written into docs/PERFORMANCE.md
# (a marked section, regenerated). Not part of CI: it takes 10-20 minutes and its figures
# depend on the machine. See benchmarks/peers/README.md.
#
#   benchmarks/peers/run-byzfl.sh BYZFL_CHECKOUT [--pairs N] [--rounds N] [--skip-training] [--no-write]
#   benchmarks/peers/run-byzfl.sh BYZFL_CHECKOUT --workload 4 [--pairs N] [--rounds N] [--trainers N] [--threads N] [--no-write]
#
# The second form measures workload 4 (ResNet-20 on generated CIFAR-10 files) against ByzFL's
# framework on the same files, without the kernels.
#
# Installs what is missing from Debian packages (ByzFL's imports: torch, torchvision, numpy,
# scipy, matplotlib and seaborn; Fashion-MNIST), as scripts/setup.sh does, and builds the CLI
# and the benchmarks project in Release.
set -euo pipefail

# shellcheck source=benchmarks/peers/byzfl-common.sh
source "$(dirname "$0")/byzfl-common.sh"
byzfl_prepare "$0" "${1:-}" "[--workload 4] [--pairs N] [--rounds N] [--skip-training] [--no-write]"
shift
projects=(Cli benchmarks/ByzantineSim.Benchmarks)
# Workload 4 runs no kernels: the CLI is all it needs.
[[ " $* " == *" --workload 4 "* ]] && projects=(Cli)
for project in "${projects[@]}"; do
  dotnet build "$repo/$project" -c Release -v q -nologo
done

# Debian's interpreter, whose packages the ones above are: not a python3 earlier on PATH.
exec /usr/bin/python3 "$repo/benchmarks/peers/byzfl_side_by_side.py" --repo "$repo" --byzfl "$byzfl" "$@"
