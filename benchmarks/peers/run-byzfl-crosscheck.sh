#!/usr/bin/env bash
# System-level cross-check against ByzFL (issue 26, item 3): the 48 runs of
# experiments/peers/byzfl-crosscheck.yaml through ByzantineSim and through ByzFL's benchmark
# framework, then the table in docs/VALIDATION.md. Not part of CI: on a quiet 2-core VM about
# an hour (ByzFL ~175 ms per step with 12 clients, ours 6-9x less). See benchmarks/peers/README.md.
#
#   benchmarks/peers/run-byzfl-crosscheck.sh BYZFL_CHECKOUT [--byzfl-commit ID] [--lanes N]
#
# Both sides resume: completed runs are kept (ours in results/, ByzFL's raw files in
# docs/validation/byzfl-crosscheck/byzfl/). --lanes N runs N ByzFL processes at once (default 1).
set -euo pipefail

if (($# < 1)) || [[ ! -f "$1/byzfl/benchmark/train.py" ]]; then
  echo "usage: $0 BYZFL_CHECKOUT [--byzfl-commit ID] [--lanes N]: BYZFL_CHECKOUT must hold ByzFL's sources (byzfl/benchmark/train.py); see benchmarks/peers/README.md" >&2
  exit 2
fi
byzfl=$(cd "$1" && pwd)
shift
commit=()
lanes=1
while (($#)); do
  case $1 in
    --byzfl-commit) commit=(--byzfl-commit "$2"); shift 2 ;;
    --lanes) lanes=$2; shift 2 ;;
    *) echo "$0: unknown option $1" >&2; exit 2 ;;
  esac
done
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

# shellcheck source=scripts/debian-packages.sh
source scripts/debian-packages.sh
install_debian_packages run-byzfl-crosscheck python3-torch python3-torchvision python3-numpy python3-scipy python3-matplotlib python3-seaborn dataset-fashion-mnist
scripts/setup.sh
dotnet build Cli -c Release -v q -nologo
byzsim=(dotnet Cli/bin/Release/net10.0/byzsim.dll)

# Ours (one process, the sweep's own parallelism) next to ByzFL's lanes, so both see the same load.
"${byzsim[@]}" run experiments/peers/byzfl-crosscheck.yaml --plain --no-report &
ours=$!
pids=()
for ((lane = 0; lane < lanes; lane++)); do
  /usr/bin/python3 benchmarks/peers/byzfl_crosscheck.py byzfl --repo "$repo" --byzfl "$byzfl" "${commit[@]}" &
  pids+=($!)
done
wait "$ours" "${pids[@]}"

# Our run folders as the other validation studies keep them: spec, metrics, summary.
for run in results/byzfl-crosscheck/*/; do
  [[ -f "$run/summary.json" ]] || continue
  target=docs/validation/runs/byzfl-crosscheck/$(basename "$run")
  mkdir -p "$target"
  cp "$run"/spec.yaml "$run"/metrics.csv "$run"/summary.json "$target"/
done
/usr/bin/python3 benchmarks/peers/byzfl_crosscheck.py collect --repo "$repo"
"${byzsim[@]}" validation --results docs/validation/runs
