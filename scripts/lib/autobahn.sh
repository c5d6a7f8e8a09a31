#!/usr/bin/env bash
# WebSocket conformance: the Autobahn fuzzing-client cases (through `kosoku`, a Python 3
# runner of the Autobahn case files, from PyPI) against an echo that uses the server's
# own WebSocket settings (server/examples/conformance_echo.rs; the packbell protocol does
# not echo). Compression cases (12.*, 13.*) are excluded: the server does not offer
# permessage-deflate. Only OK, NON-STRICT and INFORMATIONAL pass.
#
# Usage: scripts/lib/autobahn.sh [short|long]
#   short: framing, pings, reserved bits and opcodes, fragmentation, UTF-8, close
#          (sections 1-7, 10); long: also the 9.* cases whose messages fit the
#          protocol's 64 KiB frame limit (64 KiB messages, many small ones).
# Without python3-venv or PyPI it prints SKIPPED with the reason and passes.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
form="${1:-short}"

RUNNER="kosoku==0.1.0"
PIP_TIMEOUT=300
ECHO_START_SECONDS=20
if [ "$form" = long ]; then CASES_TIMEOUT=1800; else CASES_TIMEOUT=300; fi

skip() { echo "autobahn: SKIPPED: $*"; exit 0; }

command -v python3 >/dev/null || skip "python3 is not installed"
python3 -c 'import venv, ensurepip' 2>/dev/null || skip "python3-venv is not installed"
venv="${CARGO_TARGET_DIR:-$repo/target}/autobahn-venv"
if [ ! -x "$venv/bin/kosoku" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" >/dev/null 2>&1 || skip "could not create a venv in $venv"
  PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 timeout "$PIP_TIMEOUT" \
    "$venv/bin/python" -m pip install -q "$RUNNER" >/dev/null 2>&1 ||
    { rm -rf "$venv"; skip "pip could not install $RUNNER (is PyPI reachable?)"; }
fi

cargo build --locked -q -p packbell-server --example conformance_echo
echo_bin="${CARGO_TARGET_DIR:-$repo/target}/debug/examples/conformance_echo"
work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-autobahn.XXXXXX")"
echo_pid=""
finish() {
  if [ -n "$echo_pid" ]; then
    kill "$echo_pid" 2>/dev/null || true
    wait "$echo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap finish EXIT

"$echo_bin" >"$work/echo.log" 2>&1 &
echo_pid=$!
port=""
for _ in $(seq 1 $((ECHO_START_SECONDS * 10))); do
  port="$(sed -n 's/^echo on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/echo.log")"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/echo.log" >&2; echo "autobahn: the echo did not start" >&2; exit 1; }

selection=(-x '12.*' -x '13.*')
if [ "$form" = long ]; then
  # Messages above the protocol's 64 KiB limit (MAX_FRAME_BYTES, docs/protocol.md
  # "Limits"): the server closes with 1009 by design, so the echo cannot pass them.
  for case in 9.1.{2..6} 9.2.{2..6} 9.3.{1..9} 9.4.{1..9} 9.5.{1..6} 9.6.{1..6}; do
    selection+=(-x "$case")
  done
else
  selection+=(-x '9.*')
fi
# kosoku exits non-zero when a case fails; the verdict below reads its report instead.
timeout --kill-after=10 "$CASES_TIMEOUT" "$venv/bin/kosoku" -m fuzzingclient \
  "${selection[@]}" -p 4 -o "$work/report" "127.0.0.1:$port" >"$work/run.log" 2>&1 || true
[ -s "$work/report/index.json" ] ||
  { cat "$work/run.log" >&2; echo "autobahn: no report (the run failed or timed out)" >&2; exit 1; }

"$venv/bin/python" - "$work/report/index.json" <<'PY'
import collections, json, sys
allowed = {"OK", "NON-STRICT", "INFORMATIONAL"}
index = json.load(open(sys.argv[1]))
results = {case: r for agent in index.values() for case, r in agent.items()}
counts = collections.Counter(r["behavior"] for r in results.values())
bad = sorted((c for c, r in results.items() if r["behavior"] not in allowed),
             key=lambda c: [int(p) for p in c.split(".")])
print("autobahn: %d cases (compression excluded): %s" % (
    len(results), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
if bad:
    for case in bad:
        print("autobahn: case %s: %s (close: %s)" % (
            case, results[case]["behavior"], results[case].get("behaviorClose")))
    sys.exit(1)
PY
