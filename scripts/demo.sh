#!/usr/bin/env bash
# packbell on this PC: a server with sample stores, one office and one warehouse
# window, found by discovery on loopback and paired through the real pairing flow.
#
# Usage: scripts/demo.sh [--fresh] [--orders-per-minute N] [--check]
#   --fresh                start from an empty demo (new server, new pairings)
#   --orders-per-minute N  a simulated office also sends orders, N per minute
#   --check                bounded self-test under Xvfb: 5 simulated orders must ring in
#                          the warehouse; screenshots go to target/demo-check/
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

fresh=0
check=0
per_minute=""
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh=1 ;;
    --check) check=1 ;;
    --orders-per-minute)
      per_minute="${2:-}"
      [[ "$per_minute" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "demo: --orders-per-minute needs a number" >&2; exit 2; }
      shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "demo: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# Loopback only: the demo never announces itself on the LAN.
DISCOVERY_PORT=47800
WS_PORT=47801
DISCOVERY_ADDR="127.255.255.255:$DISCOVERY_PORT"

if [ $check -eq 1 ]; then
  demo_dir="$repo/target/demo-check"
  rm -rf "$demo_dir"
  # The server picks free ports itself (read back from its log), so a check can run
  # beside a demo or another check.
  DISCOVERY_PORT=0
  WS_PORT=0
  DISCOVERY_ADDR=""
else
  demo_dir="$repo/.demo"
  [ $fresh -eq 1 ] && rm -rf "$demo_dir"
fi
mkdir -p "$demo_dir"

if [ $check -eq 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat >&2 <<'EOF'
demo: no display found, so the windows cannot open.
  On a desktop, run this from a terminal inside the desktop session.
  On a headless machine:  xvfb-run -a ./scripts/demo.sh
  Or run the bounded self-test, which makes screenshots:  ./scripts/demo.sh --check
EOF
  exit 1
fi

bash scripts/install-deps.sh
source scripts/ensure-rust.sh
echo "demo: building (the first build takes a few minutes)"
cargo build --locked -q -p packbell-server -p packbell-office -p packbell-warehouse \
  --bin packbell-server --bin packbell-office --bin packbell-warehouse --example simulate_office
bin="${CARGO_TARGET_DIR:-$repo/target}/debug"

pids=()
xvfb_pids=()
cleanup() {
  trap - EXIT INT TERM
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${xvfb_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${xvfb_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'echo; echo "demo: stopping"; exit 0' INT TERM

# --check: each window on an Xvfb display of its own, so screenshots never overlap.
# Xvfb picks a free display itself (-displayfd) and writes its number to a file.
# Called directly, never inside $(...): a subshell would keep the pid from the cleanup.
XVFB_START_TENTHS=100
xvfb_display=""
start_xvfb() {
  local name="$1"
  local number_file="$demo_dir/xvfb-$name.display"
  rm -f "$number_file"
  Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$number_file" \
    >"$demo_dir/xvfb-$name.log" 2>&1 &
  xvfb_pids+=($!)
  local _
  for _ in $(seq "$XVFB_START_TENTHS"); do
    [ -s "$number_file" ] && break
    sleep 0.1
  done
  [ -s "$number_file" ] || { echo "demo: Xvfb did not start (see $demo_dir/xvfb-$name.log)" >&2; exit 1; }
  xvfb_display=":$(head -n1 "$number_file")"
}
# --check: the screenshots show the windows as on a shop PC, so the warehouse gets what
# a desktop has: a sound device (ALSA's null device: plays into nothing) and a
# notification daemon (dunst, on the warehouse's display, under a private session bus).
# Without them it rightly shows "no sound" and "no notifications" hints.
warehouse_home=""
start_desktop_services() {
  warehouse_home="$demo_dir/home"
  mkdir -p "$warehouse_home"
  echo 'pcm.!default { type plug; slave { pcm "null"; format S16_LE; rate 48000; channels 2 } }' \
    >"$warehouse_home/.asoundrc"
  command -v dbus-daemon >/dev/null && command -v dunst >/dev/null || return 0
  dbus-daemon --session --fork --print-address=3 --print-pid=4 \
    3>"$demo_dir/dbus.address" 4>"$demo_dir/dbus.pid"
  xvfb_pids+=("$(head -n1 "$demo_dir/dbus.pid")")
  export DBUS_SESSION_BUS_ADDRESS="$(head -n1 "$demo_dir/dbus.address")"
  printf '[global]\n    origin = top-right\n    width = 200\n' >"$demo_dir/dunstrc"
  DISPLAY="$warehouse_display" dunst -config "$demo_dir/dunstrc" >"$demo_dir/dunst.log" 2>&1 &
  xvfb_pids+=($!)
  local _
  for _ in $(seq "$XVFB_START_TENTHS"); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null |
      grep -q 'boolean true' && return 0
    sleep 0.1
  done
  echo "demo: dunst did not start; the warehouse will say it cannot notify" >&2
}
office_display="${DISPLAY:-}"
warehouse_display="${DISPLAY:-}"
if [ $check -eq 1 ]; then
  start_xvfb office
  office_display="$xvfb_display"
  start_xvfb warehouse
  warehouse_display="$xvfb_display"
  mkdir -p -m 700 "$demo_dir/xdg-runtime"
  export XDG_RUNTIME_DIR="$demo_dir/xdg-runtime"
  start_desktop_services
fi

# Port check: a second demo (or anything else) on the same ports would confuse discovery.
if [ "$WS_PORT" != 0 ] && (exec 3<>"/dev/tcp/127.0.0.1/$WS_PORT") 2>/dev/null; then
  echo "demo: port $WS_PORT is in use (another demo running?); stop it first" >&2
  exit 1
fi

"$bin/packbell-server" --data-dir "$demo_dir/server" --site Demo --bind 127.0.0.1 \
  --ws-port "$WS_PORT" --discovery-port "$DISCOVERY_PORT" \
  --seed-store Centro --seed-store Norte --seed-store Online \
  >"$demo_dir/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  grep -q "Pairing codes" "$demo_dir/server.log" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$demo_dir/server.log" >&2; echo "demo: the server did not start" >&2; exit 1; }
  sleep 0.1
done
if [ -z "$DISCOVERY_ADDR" ]; then
  DISCOVERY_PORT="$(sed -n 's/^Answering discovery on UDP port \([0-9]*\).*/\1/p' "$demo_dir/server.log" | head -n1)"
  [ -n "$DISCOVERY_PORT" ] || { cat "$demo_dir/server.log" >&2; echo "demo: the server named no discovery port" >&2; exit 1; }
  DISCOVERY_ADDR="127.255.255.255:$DISCOVERY_PORT"
fi

# Pair a client only once: its link keeps the token (and the pinned server) afterwards.
code_if_unpaired() {
  local role="$1" dir="$2"
  if [ -f "$dir/link.sqlite3" ] && python3 - "$dir/link.sqlite3" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute("SELECT value FROM kv WHERE name = 'token'").fetchone()
sys.exit(0 if row else 1)
PY
  then
    return 0
  fi
  "$bin/packbell-server" pairing-code --role "$role" --data-dir "$demo_dir/server" 2>/dev/null
}

start_client() {
  local app="$1" role="$2" name="$3" display="$4"
  local dir="$demo_dir/$app"
  mkdir -p "$dir"
  local code
  code="$(code_if_unpaired "$role" "$dir")"
  local args=(--data-dir "$dir" --discovery-addr "$DISCOVERY_ADDR" --name "$name")
  [ -n "$code" ] && args+=(--pairing-code "$code")
  local env_args=()
  [ "$app" = warehouse ] && [ -n "$warehouse_home" ] && env_args+=(HOME="$warehouse_home")
  env "${env_args[@]}" DISPLAY="$display" RUST_LOG="${RUST_LOG:-info}" "$bin/packbell-$app" "${args[@]}" \
    >"$demo_dir/$app.log" 2>&1 &
  pids+=($!)
}

start_client office admin "Oficina" "$office_display"
start_client warehouse warehouse "Almacén" "$warehouse_display"

simulate() {
  local count_args=("$@")
  local dir="$demo_dir/simulator"
  mkdir -p "$dir"
  local code
  code="$(code_if_unpaired office "$dir")"
  local args=(--data-dir "$dir" --discovery-addr "$DISCOVERY_ADDR" --name "Facturación (simulada)")
  [ -n "$code" ] && args+=(--pairing-code "$code")
  "$bin/examples/simulate_office" "${args[@]}" "${count_args[@]}"
}

if [ $check -eq 0 ]; then
  echo
  echo "packbell demo is running: an office window and a warehouse window."
  echo "Type an order number in the office window, pick a store, press Enter:"
  echo "the warehouse window rings and lists it. Logs: $demo_dir/*.log"
  if [ -n "$per_minute" ]; then
    echo "A simulated office sends $per_minute orders per minute."
    simulate --orders-per-minute "$per_minute" >"$demo_dir/simulator.log" 2>&1 &
    pids+=($!)
  fi
  echo "Ctrl-C stops everything."
  wait "${pids[0]}"
  exit 0
fi

# ------------------------------------------------------------------- --check
deadline=$((SECONDS + 60))
fail() {
  echo "demo --check: FAILED: $*" >&2
  for log in "$demo_dir"/*.log; do
    echo "---- $(basename "$log") (last lines)" >&2
    tail -n 15 "$log" >&2
  done
  exit 1
}
# The warehouse must be paired and connected before orders count as "live".
until grep -q "welcomed" "$demo_dir/warehouse.log" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "the warehouse did not connect"
  sleep 0.5
done
# Two seconds apart, so each order rings on its own (faster ones make a burst that the
# warehouse rings once, as a summary).
timeout $((deadline - SECONDS)) bash -c "$(declare -f simulate code_if_unpaired); \
  bin='$bin' demo_dir='$demo_dir' DISCOVERY_ADDR='$DISCOVERY_ADDR' \
  simulate --orders-per-minute 30 --count 5" >"$demo_dir/simulator.log" 2>&1 \
  || fail "the simulated office could not send its orders"
mapfile -t sent < <(sed -n 's/^sent order \([0-9]*\).*/\1/p' "$demo_dir/simulator.log")
[ ${#sent[@]} -eq 5 ] || fail "expected 5 sent orders, got ${#sent[@]}"
for number in "${sent[@]}"; do
  until grep -q "rang order $number" "$demo_dir/warehouse.log"; do
    [ $SECONDS -lt $deadline ] || fail "the warehouse did not ring for order $number"
    sleep 0.3
  done
done
sleep 1.5
# The packbell window on a display of its own (dunst has windows there too).
shot() {
  local display="$1" out="$2"
  local id
  id="$(DISPLAY="$display" xwininfo -root -children | awk '/^ +0x/ && $2 ~ /^"packbell/ {print $1; exit}')"
  [ -n "$id" ] || fail "no window on $display"
  DISPLAY="$display" import -window "$id" "$out"
}
# Notifications already shown would cover nothing (they sit right of the window), but
# close them so the shot is the same every time.
command -v dunstctl >/dev/null && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && dunstctl close-all 2>/dev/null || true
shot "$office_display" "$demo_dir/office.png"
shot "$warehouse_display" "$demo_dir/warehouse.png"
convert "$demo_dir/office.png" "$demo_dir/warehouse.png" -background black -gravity center +append "$demo_dir/both.png"
echo "demo --check: ok — 5 orders rang in the warehouse: ${sent[*]}"
echo "demo --check: screenshots in $demo_dir (office.png, warehouse.png, both.png)"
