#!/usr/bin/env bash
# Runs every test project of the solution (what .ci/run runs), after installing what a fresh
# machine lacks. Ends with one line "N passed, N failed" summed over all test projects from the
# TRX results, so a run that executed no test is visible; fails when any test failed or none ran.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh

results="$root/TestResults"
rm -rf "$results"
status=0
dotnet test ByzantineSim.sln -c Release --logger "trx" --results-directory "$results" "$@" || status=$?

passed=0
failed=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

if ((status != 0 && failed == 0)); then
  echo "dotnet test exited with $status although no counted test failed: a test project did not build, or a test host crashed (see above)"
fi
echo "$passed passed, $failed failed"
if ((status != 0 || failed != 0 || passed == 0)); then
  exit 1
fi
