#!/usr/bin/env bash
# The export --torch -> watch round trip: export a Loupe run's recipe as a PyTorch script, train it with Debian's
# torch while `loupe watch` follows its run file, and print both runs' val loss. Usage: torch_roundtrip.sh RUN [STEPS]
# (LOUPE_HOME must hold RUN; STEPS defaults to the run's own step count).
set -euo pipefail
run="$1"; steps="${2:-}"
loupe="node $(cd "$(dirname "$0")/../.." && pwd)/bin/loupe.mjs"  # not npx: the watcher must get the Ctrl-C itself
work="$(mktemp -d)"
$loupe export "$run" --torch "$work/job"
mkdir -p "$work/job/runs"
$loupe watch "$work/job/runs" --json > "$work/watch.out" &
watcher=$!
sleep 10
(cd "$work/job" && /usr/bin/python3 train.py ${steps:+--steps "$steps"})
sleep 3
kill -INT "$watcher"; wait "$watcher" || true
watched="$(head -1 "$work/watch.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["run_id"])')"
$loupe runs | grep -E "^ID|$run|$watched"
echo "work folder: $work"
