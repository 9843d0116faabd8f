#!/usr/bin/env bash
# System-level cross-check against ByzFL (issue 26, item 3): the 48 runs of
# experiments/byzfl-crosscheck-pixels.yaml (ByzFL's settings, its [0, 1] pixels included) and of
# experiments/byzfl-crosscheck.yaml (the same with our standardised pixels, a factor) through
# ByzantineSim, the 48 of the grid through ByzFL's benchmark framework, then the table in
# docs/VALIDATION.md. Not part of CI: on a quiet 2-core VM about
# an hour (ByzFL ~175 ms per step with 12 clients, ours 6-9x less). See benchmarks/peers/README.md.
#
#   benchmarks/peers/run-byzfl-crosscheck.sh BYZFL_CHECKOUT [--byzfl-commit ID] [--lanes N]
#
# Both sides resume: completed runs are kept (ours in results/, ByzFL's raw files in
# docs/validation/byzfl-crosscheck/byzfl/). --lanes N runs N ByzFL processes at once (default 1).
set -euo pipefail

# shellcheck source=benchmarks/peers/byzfl-common.sh
source "$(dirname "$0")/byzfl-common.sh"
byzfl_prepare "$0" "${1:-}" "[--byzfl-commit ID] [--lanes N]"
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
cd "$repo"
dotnet build Cli -c Release -v q -nologo
byzsim=(dotnet Cli/bin/Release/net10.0/byzsim.dll)

# Ours (one process at a time, the sweep's own parallelism) next to ByzFL's lanes, so both see the same load.
("${byzsim[@]}" run experiments/byzfl-crosscheck-pixels.yaml --plain --no-report \
  && "${byzsim[@]}" run experiments/byzfl-crosscheck.yaml --plain --no-report) &
ours=$!
pids=()
for ((lane = 0; lane < lanes; lane++)); do
  /usr/bin/python3 benchmarks/peers/byzfl_crosscheck.py byzfl --repo "$repo" --byzfl "$byzfl" "${commit[@]}" &
  pids+=($!)
done
wait "$ours" "${pids[@]}"

# Our run folders as the other validation studies keep them: spec, metrics, summary.
for run in results/byzfl-crosscheck-pixels/*/ results/byzfl-crosscheck/*/; do
  [[ -f "$run/summary.json" ]] || continue
  target=docs/validation/runs/$(basename "$(dirname "$run")")/$(basename "$run")
  mkdir -p "$target"
  cp "$run"/spec.yaml "$run"/metrics.csv "$run"/summary.json "$target"/
done
/usr/bin/python3 benchmarks/peers/byzfl_crosscheck.py collect --repo "$repo"
"${byzsim[@]}" validation --results docs/validation/runs
