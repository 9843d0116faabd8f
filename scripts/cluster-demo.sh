#!/usr/bin/env bash
# Cluster demo on one machine: runs a sweep locally (`byzsim run`), then across a coordinator and
# two workers, separate processes on 127.0.0.1, SIGKILLs one worker part-way, and checks that
# every run was recorded exactly once with metrics byte-identical to the local sweep and that no
# process left an unhandled exception.
#   scripts/cluster-demo.sh [spec.yaml]     default: experiments/cluster-demo.yaml (12 runs)
# Environment: BYZSIM_DEMO_PORT (coordinator port, default 4053), BYZSIM_DEMO_TLS=1 (TLS with a
# throw-away self-signed certificate made by openssl). Logs and results stay in the printed folder.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spec="$(realpath "${1:-$root/experiments/cluster-demo.yaml}")"
port="${BYZSIM_DEMO_PORT:-4053}"
work="$(mktemp -d "${TMPDIR:-/tmp}/byzsim-cluster-demo.XXXXXX")"
dll="$root/Cli/bin/Release/net10.0/byzsim.dll"
cd "$work"

"$root/scripts/setup.sh"
dotnet build "$root/Cli/ByzantineSim.Cli.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2

pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -9 "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "logs and results: $work" >&2
  exit 1
}

# Waits until file $1 contains $2 at least $3 times (default 1), or fails after 120 s.
wait_for() {
  local deadline=$((SECONDS + 120)) count
  while :; do
    count=$(grep -c -F -- "$2" "$1" 2>/dev/null) || true
    ((${count:-0} < ${3:-1})) || break
    ((SECONDS < deadline)) || fail "$1 never showed '$2'"
    sleep 0.1
  done
}

tls=()
if [[ "${BYZSIM_DEMO_TLS:-0}" == 1 ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout cluster.key -out cluster.crt -days 1 -subj "/CN=byzsim-demo" 2>/dev/null
  openssl pkcs12 -export -out cluster.pfx -inkey cluster.key -in cluster.crt -passout pass:demo
  tls=(--certificate "$work/cluster.pfx" --certificate-password demo)
fi

echo "== local sweep (byzsim run --parallel 2)"
start=$SECONDS
dotnet "$dll" run "$spec" --results local --plain --parallel 2 >local.log 2>local.err || fail "local sweep failed (local.log)"
echo "   $((SECONDS - start)) s; $(grep -E '^time:' local.log)"

echo "== cluster sweep: coordinator on 127.0.0.1:$port, two workers (--parallel 1 each)"
start=$SECONDS
dotnet "$dll" cluster coordinator "$spec" --results cluster --port "$port" --failure-timeout 3 "${tls[@]}" >coordinator.log 2>coordinator.err &
coordinator=$!
pids+=("$coordinator")
wait_for coordinator.log "coordinator up at"
for i in 1 2; do
  dotnet "$dll" cluster worker --seed "127.0.0.1:$port" --parallel 1 --trainers 1 --failure-timeout 3 "${tls[@]}" >"worker-$i.log" 2>"worker-$i.err" &
  pids+=($!)
done
worker1=${pids[1]}
worker2=${pids[2]}

sweep="$(sed -n 's/^sweep: *//p' "$spec" | head -n 1)"
wait_for coordinator.log "completed " 3
# Kill worker 1 just after it took a new run, so that run is surely in flight.
taken=$(grep -c -F "running " worker-1.log || true)
wait_for worker-1.log "running " $((taken + 1))
{ kill -9 "$worker1" && wait "$worker1"; } 2>/dev/null || true
echo "   killed worker 1 (SIGKILL) with $(grep -c -F 'completed ' coordinator.log) runs completed"

coordinator_status=0
wait "$coordinator" || coordinator_status=$?
worker2_status=0
wait "$worker2" || worker2_status=$?
echo "   $((SECONDS - start)) s; $(grep -E '^time:' coordinator.log)"
grep -E "worker lost|requeued|runs completed" coordinator.log | sed 's/^/   /'

echo "== checks"
((coordinator_status == 0)) || fail "coordinator exited with $coordinator_status (coordinator.log)"
((worker2_status == 0)) || fail "worker 2 exited with $worker2_status (worker-2.log)"
grep -q -E "requeued [1-9][0-9]* run" coordinator.log || fail "no run was requeued from the killed worker"
expected=$(find "local/$sweep" -mindepth 1 -maxdepth 1 -type d | wc -l)
actual=$(find "cluster/$sweep" -mindepth 1 -maxdepth 1 -type d | wc -l)
((expected >= 12 && actual == expected)) || fail "$actual run folders in the cluster results, $expected locally"
complete=$(grep -c ',complete,' "cluster/$sweep/runs.csv" || true)
((complete == expected)) || fail "runs.csv lists $complete complete runs of $expected"
unique=$(tail -n +2 "cluster/$sweep/runs.csv" | cut -d, -f1 | sort -u | wc -l)
((unique == expected)) || fail "runs.csv lists $unique distinct runs of $expected"
for run in "local/$sweep"/*/; do
  id="$(basename "$run")"
  [[ -f "cluster/$sweep/$id/summary.json" ]] || fail "$id is incomplete"
  for file in metrics.csv rounds.csv clients.csv spec.yaml; do
    cmp -s "$run/$file" "cluster/$sweep/$id/$file" || fail "$id/$file differs from the local sweep"
  done
done
[[ -z "$(find "cluster/$sweep" -name '*.tmp')" ]] || fail "temporary files left behind"
if grep -l "Unhandled exception" ./*.err ./*.log; then
  fail "unhandled exception (files above)"
fi
[[ ! -s coordinator.err ]] || fail "the coordinator wrote to stderr (coordinator.err)"
echo "OK: $expected runs, each recorded once, metrics.csv/rounds.csv/clients.csv/spec.yaml identical to the local sweep"
echo "logs and results: $work"
