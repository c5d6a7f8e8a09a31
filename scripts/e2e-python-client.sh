#!/usr/bin/env bash
# End-to-end check of docs/protocol.md, on loopback only: the reference client in
# clients/python (written from that page alone) pairs with the real packbell-server over
# TLS (SPAKE2 and key confirmation), creates an order, reconnects with its token over
# the pinned certificate and finds the order again.
#
# Usage: scripts/e2e-python-client.sh
# Quiet on success (one line); on failure says which step failed and shows the logs.
# The Python packages live in a venv in target/python-venv, made once and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
name="e2e-python-client"

# Bounds, so that a hang fails instead of blocking the test command.
PIP_TIMEOUT=${PACKBELL_E2E_PIP_TIMEOUT:-300}
CLIENT_TIMEOUT=${PACKBELL_E2E_TIMEOUT:-60}
SERVER_START_SECONDS=20

fail() { echo "$name: $*" >&2; exit 1; }

# ---------------------------------------------------------------- Python and its venv
command -v python3 >/dev/null ||
  fail "python3 is missing; run scripts/install-deps.sh (it installs python3 and python3-venv)"
python3 -c 'import venv, ensurepip' 2>/dev/null ||
  fail "python3-venv is missing (no venv/ensurepip module); run scripts/install-deps.sh"

venv="$repo/target/python-venv"
requirements="$repo/clients/python/requirements.txt"
stamp="$venv/.packbell-requirements"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys' 2>/dev/null ||
   [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  mkdir -p "$repo/target"
  setup_log="$(mktemp "${TMPDIR:-/tmp}/packbell-venv.XXXXXX")"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv" >"$setup_log" 2>&1 || {
      cat "$setup_log" >&2
      rm -rf "$venv" "$setup_log"
      fail "could not create the venv in $venv (is python3-venv installed? scripts/install-deps.sh)"
    }
  fi
  PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 timeout "$PIP_TIMEOUT" \
    "$venv/bin/python" -m pip install -q -r "$requirements" >>"$setup_log" 2>&1 || {
      cat "$setup_log" >&2
      rm -f "$setup_log"
      fail "pip could not install clients/python/requirements.txt (is PyPI reachable?)"
    }
  echo "$wanted" >"$stamp"
  rm -f "$setup_log"
fi

# ---------------------------------------------------------------- the server
cargo build --locked -q --bin packbell-server
bin="${CARGO_TARGET_DIR:-$repo/target}/debug/packbell-server"

work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-e2e-py.XXXXXX")"
server_pid=""
status=1
finish() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ $status -eq 0 ]; then
    rm -rf "$work"
  else
    echo "$name: FAILED; logs kept in $work" >&2
    for log in "$work"/*.log; do
      [ -e "$log" ] || continue
      echo "---- $(basename "$log") (last lines)" >&2
      tail -n 25 "$log" >&2
    done
  fi
}
trap finish EXIT

NO_COLOR=1 "$bin" --data-dir "$work/server" --bind 127.0.0.1 --ws-port 0 --no-discovery \
  --site E2E --seed-store Centro >"$work/server.log" 2>&1 &
server_pid=$!

addr=""
for _ in $(seq 1 $((SERVER_START_SECONDS * 10))); do
  addr="$(sed -En 's|.*Clients connect to wss://(127\.0\.0\.1:[0-9]+).*|\1|p' "$work/server.log" | head -n1)"
  [ -n "$addr" ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited at start"
  sleep 0.1
done
[ -n "$addr" ] || fail "the server did not listen within ${SERVER_START_SECONDS}s"

code="$("$bin" pairing-code --role office --data-dir "$work/server" 2>"$work/pairing-code.log")" ||
  fail "packbell-server pairing-code failed"
[[ "$code" =~ ^[0-9]{4}-[0-9]{4}$ ]] || fail "pairing-code printed '$code', not a code like 1234-5678"

# ---------------------------------------------------------------- the client
client_status=0
timeout --kill-after=5 "$CLIENT_TIMEOUT" "$venv/bin/python" \
  "$repo/clients/python/packbell_client.py" --server "$addr" --code "$code" \
  --state "$work/client-state.json" --verbose >"$work/client.log" 2>&1 || client_status=$?
if [ $client_status -ne 0 ]; then
  [ $client_status -eq 124 ] && echo "$name: the client timed out after ${CLIENT_TIMEOUT}s" >&2
  grep -h 'FAILED' "$work/client.log" >&2 || true
  fail "the Python client failed (status $client_status)"
fi
status=0
echo "$name: ok ($(grep -ho 'order PY-[0-9A-F]* (id [0-9]*, seq [0-9]*)' "$work/client.log" | head -n1))"
