#!/usr/bin/env bash
# Tries the cross-built Windows programs under wine, on loopback only (called by
# scripts/package-windows.sh --try-wine, or by hand with the folder of the .exe files):
#   1. packbell-server.exe under wine: starts, answers a discovery probe on
#      127.255.255.255, and the Python reference client (clients/python, the one
#      scripts/e2e-python-client.sh uses) pairs with it over TLS and sends an order;
#   2. packbell-warehouse.exe (default --renderer auto) under wine on Xvfb: screenshot
#      in DIST/windows-warehouse-wine.png. Seen here: wgpu picks wine's Direct3D 12,
#      which fails (no shader compiler), and the window falls back to glow and draws;
#      `--renderer glow` alone failed ("no glutin configs", OS error 14007).
# wine 8 lacks bcryptprimitives.dll (ProcessPrng); a stand-in built from
# installer/windows/wine/bcryptprimitives.c is put beside copies of the .exe files.
#
# Usage: scripts/package-windows-wine.sh BIN_DIR DIST
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
name="package-windows-wine"
bin_dir="$1"
dist="$2"

# Bounds, so that a hang fails instead of blocking.
WINE_BOOT_SECONDS=180
SERVER_START_SECONDS=90
CLIENT_TIMEOUT=90
WINDOW_START_SECONDS=90
XVFB_START_SECONDS=20
# Not the default ports: a demo on this machine must not answer in the server's place.
DISCOVERY_PORT=47892
WS_PORT=47893

fail() { echo "$name: FAILED: $*" >&2; exit 1; }
ok() { echo "   ok: $*"; }
started=$(date +%s)
step() { echo "== [$(($(date +%s) - started))s] $*"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-wine.XXXXXX")"
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" NO_COLOR=1
server_pid=""
window_pid=""
xvfb_pid=""
status=1
cleanup() {
  for pid in $window_pid $server_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  sleep 1
  for pid in $window_pid $server_pid; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  wineserver -k 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill -TERM "$xvfb_pid" 2>/dev/null || true
  if [ $status -ne 0 ]; then
    for log in "$work"/*.log; do
      [ -e "$log" ] || continue
      echo "---- $(basename "$log") (last lines)" >&2
      tail -n 20 "$log" >&2
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step "wine prefix and the ProcessPrng stand-in"
mkdir -p "$work/bin"
cp "$bin_dir/packbell-server.exe" "$work/bin/"
[ -f "$bin_dir/packbell-warehouse.exe" ] && cp "$bin_dir/packbell-warehouse.exe" "$work/bin/"
x86_64-w64-mingw32-gcc -shared -O2 -o "$work/bin/bcryptprimitives.dll" \
  installer/windows/wine/bcryptprimitives.c -ladvapi32
timeout "$WINE_BOOT_SECONDS" wineboot --init >"$work/wineboot.log" 2>&1 || fail "wineboot"
ok "$(wine --version), prefix ready"

step "packbell-server.exe under wine"
(cd "$work/bin" && exec wine packbell-server.exe --data-dir 'C:\packbell-server' \
  --bind 127.0.0.1 --ws-port "$WS_PORT" --discovery-port "$DISCOVERY_PORT" \
  --site WineShop --seed-store Centro) >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 $((SERVER_START_SECONDS * 10))); do
  grep -q 'Answering discovery' "$work/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited under wine"
  sleep 0.1
done
grep -q 'Answering discovery' "$work/server.log" || fail "the server did not start within ${SERVER_START_SECONDS}s"
tr -d '\r' <"$work/server.log" | grep -E '^(packbell-server|Clients connect|  (office|warehouse|admin))' | sed 's/^/   | /'

reply="$(python3 - "$DISCOVERY_PORT" <<'PY'
# One discovery probe (docs/protocol.md): 256 bytes, any site, broadcast on loopback.
import socket, struct, sys
probe = b"PKBL" + bytes([1]) + struct.pack(">H", 1) + bytes([0])
probe += bytes(256 - len(probe))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
sock.settimeout(5)
sock.sendto(probe, ("127.255.255.255", int(sys.argv[1])))
data, sender = sock.recvfrom(2048)
site_len = data[9]
print(f"ws_port={struct.unpack('>H', data[7:9])[0]} site={data[10:10 + site_len].decode()}")
PY
)" && ok "discovery answered on 127.255.255.255:$DISCOVERY_PORT: $reply" ||
  echo "   NOT ok: no discovery reply from the server under wine"

code="$(tr -d '\r' <"$work/server.log" | sed -En 's/^  office +([0-9]{4}-[0-9]{4}).*/\1/p' | head -n1)"
[ -n "$code" ] || fail "no office pairing code in the server's output"
venv="$repo/target/python-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >"$work/venv.log" 2>&1 || fail "python3 -m venv"
  timeout 300 "$venv/bin/python" -m pip install -q -r clients/python/requirements.txt \
    >>"$work/venv.log" 2>&1 || fail "pip install clients/python/requirements.txt"
fi
client_status=0
timeout "$CLIENT_TIMEOUT" "$venv/bin/python" clients/python/packbell_client.py \
  --server "127.0.0.1:$WS_PORT" --code "$code" --state "$work/client-state.json" --verbose \
  >"$work/client.log" 2>&1 || client_status=$?
[ $client_status -eq 0 ] || fail "the Python client against the server under wine (status $client_status)"
ok "Linux client paired with the wine server and sent $(grep -ho 'order PY-[0-9A-F]* (id [0-9]*, seq [0-9]*)' "$work/client.log" | head -n1)"

if [ ! -f "$work/bin/packbell-warehouse.exe" ]; then
  echo "   NOT tried: no packbell-warehouse.exe in $bin_dir"
  status=0
  echo "$name: done in $(($(date +%s) - started)) s"
  exit 0
fi
step "packbell-warehouse.exe --renderer auto under wine on Xvfb"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 1 $((XVFB_START_SECONDS * 10))); do
  [ -s "$work/display" ] && break
  sleep 0.1
done
[ -s "$work/display" ] || fail "Xvfb did not start"
export DISPLAY=":$(head -n1 "$work/display")"
(cd "$work/bin" && exec env RUST_LOG=info wine packbell-warehouse.exe --renderer auto \
  --data-dir 'C:\packbell-warehouse' --server "127.0.0.1:$WS_PORT") >"$work/warehouse.log" 2>&1 &
window_pid=$!
for _ in $(seq 1 $((WINDOW_START_SECONDS * 10))); do
  grep -q 'window renderer: ' "$work/warehouse.log" && break
  kill -0 "$window_pid" 2>/dev/null || break
  sleep 0.1
done
if grep -q 'window renderer: ' "$work/warehouse.log"; then
  # Let it draw a few frames before the picture.
  sleep 5
  import -window root "$dist/windows-warehouse-wine.png"
  ok "warehouse window under wine, $(tr -d '\r' <"$work/warehouse.log" | grep -o 'window renderer: [a-z]*' | head -n1); screenshot $dist/windows-warehouse-wine.png"
else
  echo "   NOT ok: the warehouse window did not start under wine:"
  tr -d '\r' <"$work/warehouse.log" | grep -v '^ALSA' | tail -n 8 | sed 's/^/   | /'
fi

status=0
echo "$name: done in $(($(date +%s) - started)) s"
