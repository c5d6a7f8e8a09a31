#!/usr/bin/env bash
# Fault run, loopback only: starts the real packbell-server, floods it and prints its
# resident memory (VmRSS from /proc/PID/status) before, during and after each flood.
#   1. rounds of unauthenticated TLS + WebSocket handshakes that then say nothing;
#   2. sockets of one paired device that send junk (binary frames, `subscribe`s) and
#      read nothing;
#   3. on a site of 1000 orders (a snapshot of about 600 KB), a few sockets that each
#      send 40 `subscribe`s and read nothing.
# Not part of the test command: it prints figures, it asserts nothing. Every flood is
# bounded in sockets, frames and time, and the script stops the server by itself.
#
# Usage: scripts/fault-flood.sh [HANDSHAKES_PER_ROUND] [ROUNDS] [JUNK_SOCKETS]
# Defaults: 1000 3 200. Uses the Python venv of scripts/e2e-python-client.sh.
# PACKBELL_SERVER_BIN=path runs another build of the server (e.g. an older one, to
# compare); otherwise the debug build of this tree is built and used.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

HANDSHAKES=${1:-1000}
ROUNDS=${2:-3}
JUNK_SOCKETS=${3:-200}
# Hard caps, whatever is asked for.
[ "$HANDSHAKES" -le 2000 ] || HANDSHAKES=2000
[ "$ROUNDS" -le 10 ] || ROUNDS=10
[ "$JUNK_SOCKETS" -le 500 ] || JUNK_SOCKETS=500
FLOOD_TIMEOUT=120
SERVER_START_SECONDS=20

fail() { echo "fault-flood: $*" >&2; exit 1; }

venv="$repo/target/python-venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "fault-flood: making the Python venv (scripts/e2e-python-client.sh)" >&2
  bash scripts/e2e-python-client.sh >/dev/null
fi

if [ -n "${PACKBELL_SERVER_BIN:-}" ]; then
  bin="$PACKBELL_SERVER_BIN"
else
  cargo build --locked -q --bin packbell-server
  bin="${CARGO_TARGET_DIR:-$repo/target}/debug/packbell-server"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-fault-flood.XXXXXX")"
server_pid=""
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
  rm -rf "$work"
}
trap finish EXIT

NO_COLOR=1 "$bin" --data-dir "$work/server" --bind 127.0.0.1 --ws-port 0 --no-discovery \
  --site FLOOD --seed-store Centro >"$work/server.log" 2>&1 &
server_pid=$!
addr=""
for _ in $(seq 1 $((SERVER_START_SECONDS * 10))); do
  addr="$(sed -En 's|.*Clients connect to wss://(127\.0\.0\.1:[0-9]+).*|\1|p' "$work/server.log" | head -n1)"
  [ -n "$addr" ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited at start"
  sleep 0.1
done
[ -n "$addr" ] || fail "the server did not listen within ${SERVER_START_SECONDS}s"
code="$("$bin" pairing-code --role warehouse --data-dir "$work/server" 2>/dev/null)" ||
  fail "packbell-server pairing-code failed"
office_code="$("$bin" pairing-code --role office --data-dir "$work/server" 2>/dev/null)" ||
  fail "packbell-server pairing-code failed"

timeout --kill-after=5 "$FLOOD_TIMEOUT" "$venv/bin/python" - "$addr" "$code" "$server_pid" \
  "$HANDSHAKES" "$ROUNDS" "$JUNK_SOCKETS" "$repo/clients/python" "$office_code" <<'PY'
import socket, ssl, sys, time
addr, code, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
handshakes, rounds, junk_sockets = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
office_code = sys.argv[8]
sys.path.insert(0, sys.argv[7])
import packbell_client as pc
import websocket

host, port = addr.rsplit(":", 1)
port = int(port)

def rss_mb():
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")

def show(label):
    print("%-44s VmRSS %7.1f MB" % (label, rss_mb()), flush=True)

def settle():
    # Lets the server finish closing what the client closed (bounded).
    time.sleep(2)

def open_unauthenticated():
    tcp = socket.create_connection((host, port), timeout=10)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    stream = context.wrap_socket(tcp, server_hostname=pc.TLS_SERVER_NAME)
    ws = websocket.WebSocket()
    ws.settimeout(10)
    ws.connect("wss://%s:%d/" % (host, port), socket=stream)
    return ws

show("before any flood")
for round_ in range(1, rounds + 1):
    held, failed = [], 0
    for _ in range(handshakes):
        try:
            held.append(open_unauthenticated())
        except Exception:
            failed += 1
    show("round %d: %d handshakes held (%d failed)" % (round_, len(held), failed))
    for ws in held:
        try:
            ws.close(timeout=0)
        except Exception:
            pass
    settle()
    show("round %d: after closing them" % round_)

conn = pc.Connection.open(addr)
enrolled = pc.pair(conn, code, "flood", lambda _: None)
conn.expect("welcome")
device_id, token = enrolled["device_id"], enrolled["token"]
conn.close()

junk, failed = [], 0
for _ in range(junk_sockets):
    try:
        c = pc.Connection.open(addr)
        c.send({"type": "auth", "protocol": pc.PROTOCOL, "device_id": device_id, "token": token})
        c.expect("welcome")
        c.ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        junk.append(c)
    except Exception:
        failed += 1
show("%d paired sockets open (%d failed)" % (len(junk), failed))
sent = 0
for c in junk:
    try:
        for _ in range(20):
            c.send({"type": "subscribe", "after_seq": 0})
            sent += 1
        for _ in range(50):
            c.ws.send_binary(b"")
            sent += 1
    except Exception:
        pass
show("%d junk frames sent, nothing read" % sent)
settle()
show("two seconds later")
for c in junk:
    try:
        c.ws.close(timeout=0)
    except Exception:
        pass
settle()
show("after closing the paired sockets")

ORDERS, SUBSCRIBERS, SUBSCRIBES = 1000, 10, 40
office = pc.Connection.open(addr)
pc.pair(office, office_code, "filler", lambda _: None)
office.expect("welcome")
for batch in range(ORDERS // 100):
    for i in range(100):
        n = batch * 100 + i
        office.send({"type": "command", "key": "fill-%d" % n, "command": {
            "op": "create_order", "order_number": "F-%d" % n, "store_id": 1,
            "note": "n" * 400}})
    for _ in range(100):
        office.expect("ack")
office.close()
show("site filled with %d orders" % ORDERS)
readers = []
for _ in range(SUBSCRIBERS):
    c = pc.Connection.open(addr)
    c.send({"type": "auth", "protocol": pc.PROTOCOL, "device_id": device_id, "token": token})
    c.expect("welcome")
    c.ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    for _ in range(SUBSCRIBES):
        c.send({"type": "subscribe", "after_seq": 0})
    readers.append(c)
show("%d sockets x %d subscribes, nothing read" % (SUBSCRIBERS, SUBSCRIBES))
settle()
show("two seconds later")
for c in readers:
    try:
        c.ws.close(timeout=0)
    except Exception:
        pass
settle()
show("after closing them")
PY
echo "fault-flood: server log lines: $(wc -l <"$work/server.log")"
