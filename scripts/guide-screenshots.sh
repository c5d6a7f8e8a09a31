#!/usr/bin/env bash
# Screenshots of the real windows for the user guide (docs/guide/img/), in English
# and in Spanish, made with the existing machinery:
#   office.png, office-admin.png, office-site.png  client-office/scripts/screenshots.sh
#                                                   (busy simulated site; the office's
#                                                   language from its settings file)
#   warehouse.png                                   a paired warehouse window after the
#                                                   office simulator of scripts/demo.sh
#                                                   sent five orders (language: LC_ALL)
#   pairing.png                                     a fresh warehouse window that found
#                                                   a fresh server and asks for a code
# Every window gets an X display of its own whose number no other X server uses, also
# counting servers seen only through their abstract socket (/proc/net/unix): another
# run's Xvfb in a different /tmp would otherwise share the display.
# Each language goes to docs/guide/img/<lang>/. Needs Xvfb, ImageMagick and xdotool
# (scripts/install-deps.sh installs them). Takes about three minutes after the build.
# Usage: scripts/guide-screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
out="$repo/docs/guide/img"

for tool in Xvfb import convert xdotool; do
  command -v "$tool" >/dev/null || {
    echo "guide-screenshots: $tool is missing; run scripts/install-deps.sh" >&2
    exit 1
  }
done

# Row of the office's Admin tabs, and the Refresh button of its Devices screen.
ADMIN_TABS_Y=82
REFRESH_X=30
REFRESH_Y=126
# Longest wait for a window to appear or ask for its pairing code, in seconds.
WINDOW_TIMEOUT=90

work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-guide-shots.XXXXXX")"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# An X display number nobody uses, so this can run beside other screenshot scripts.
# Numbers handed out by this run are skipped too (their Xvfb may not be up yet).
taken_displays=" "
free_display() {
  local n
  for n in $(shuf -i 120-399); do
    case "$taken_displays" in *" $n "*) continue ;; esac
    [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] && continue
    grep -q "/tmp/.X11-unix/X$n\$" /proc/net/unix 2>/dev/null && continue
    taken_displays+="$n "
    echo ":$n"
    return 0
  done
  echo "guide-screenshots: no free X display number" >&2
  return 1
}

wait_for() {  # seconds command...
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.3
  done
}

cargo build --locked -q -p packbell-server -p packbell-warehouse -p packbell-office \
  --bin packbell-server --bin packbell-warehouse --example simulate_office
bin="${CARGO_TARGET_DIR:-$repo/target}/debug"

fail() { echo "guide-screenshots: $*" >&2; exit 1; }

# A fresh server with the demo's stores and a warehouse window on an Xvfb of its own;
# sets $dir, $display, $discovery_addr and $warehouse_pid. With a code the window
# pairs at once, without one it asks. Its HOME has what a desktop has: a sound device
# (ALSA's null device, as in demo.sh), so it shows no "no sound" hint.
shot_pids=()
start_warehouse() {  # name locale [pairing code role]
  local name=$1 locale=$2 role=${3:-}
  dir="$work/$name"
  mkdir -p "$dir/home"
  mkdir -m 700 -p "$dir/xdg"
  echo 'pcm.!default { type plug; slave { pcm "null"; format S16_LE; rate 48000; channels 2 } }' \
    >"$dir/home/.asoundrc"
  display="$(free_display)"
  Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >"$dir/xvfb.log" 2>&1 &
  shot_pids+=($!)
  wait_for 20 test -e "/tmp/.X11-unix/X${display#:}" || fail "Xvfb did not start (see $dir/xvfb.log)"
  "$bin/packbell-server" --data-dir "$dir/server" --bind 127.0.0.1 --ws-port 0 \
    --discovery-port 0 --site "Tienda" --seed-store Centro --seed-store Norte \
    --seed-store Online --no-daily-reports --no-daily-backups >"$dir/server.log" 2>&1 &
  shot_pids+=($!)
  wait_for 30 grep -q 'Answering discovery on UDP port' "$dir/server.log" ||
    { cat "$dir/server.log" >&2; fail "the server did not start"; }
  discovery_addr="127.255.255.255:$(sed -n 's/^Answering discovery on UDP port \([0-9]*\).*/\1/p' "$dir/server.log")"
  local args=(--data-dir "$dir/warehouse" --discovery-addr "$discovery_addr" --name "Almacén")
  if [ -n "$role" ]; then
    args+=(--pairing-code "$("$bin/packbell-server" pairing-code --role "$role" --data-dir "$dir/server" 2>/dev/null)")
  fi
  # A notification daemon (dunst, on this display, under a private session bus), as
  # demo.sh gives its warehouse: without one the window rightly says it cannot notify.
  local bus=""
  if command -v dbus-daemon >/dev/null && command -v dunst >/dev/null; then
    dbus-daemon --session --fork --print-address=3 --print-pid=4 \
      3>"$dir/dbus.address" 4>"$dir/dbus.pid"
    shot_pids+=("$(head -n1 "$dir/dbus.pid")")
    bus="$(head -n1 "$dir/dbus.address")"
    printf '[global]\n    origin = top-right\n    width = 200\n' >"$dir/dunstrc"
    DISPLAY="$display" DBUS_SESSION_BUS_ADDRESS="$bus" dunst -config "$dir/dunstrc" \
      >"$dir/dunst.log" 2>&1 &
    shot_pids+=($!)
    wait_for 10 env DBUS_SESSION_BUS_ADDRESS="$bus" sh -c 'dbus-send --session --print-reply \
      --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
      string:org.freedesktop.Notifications 2>/dev/null | grep -q "boolean true"' ||
      echo "guide-screenshots: dunst did not start; the window will say it cannot notify" >&2
  fi
  DISPLAY="$display" XDG_RUNTIME_DIR="$dir/xdg" HOME="$dir/home" LANG="$locale" LC_ALL="$locale" \
    DBUS_SESSION_BUS_ADDRESS="$bus" \
    RUST_LOG=info "$bin/packbell-warehouse" "${args[@]}" >"$dir/warehouse.log" 2>&1 &
  warehouse_pid=$!
  shot_pids+=($warehouse_pid)
}

# The warehouse window alone, once it has drawn something (a window that has just
# been mapped is one flat colour).
MIN_COLOURS=16
window_shot() {  # file
  local window colours
  window="$(DISPLAY="$display" xdotool search --pid "$warehouse_pid" --onlyvisible 2>/dev/null | head -n1)"
  [ -n "$window" ] || return 1
  DISPLAY="$display" import -window "$window" "$1" 2>/dev/null || return 1
  colours="$(convert "$1" -format %k info:)"
  [ "$colours" -ge "$MIN_COLOURS" ]
}

stop_shot() {
  local pid
  for pid in "${shot_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${shot_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  shot_pids=()
}
trap 'stop_shot; cleanup' EXIT

# The first start: an unpaired window asking for its code.
pairing_shot() {  # locale file
  start_warehouse "pairing-$1" "$1"
  wait_for "$WINDOW_TIMEOUT" grep -q 'NeedsPairing' "$dir/warehouse.log" ||
    { tail -n 20 "$dir/warehouse.log" >&2; fail "no pairing dialog"; }
  wait_for "$WINDOW_TIMEOUT" window_shot "$2" || fail "the pairing dialog was never drawn"
  # Then once more when the dialog has settled.
  sleep 2
  window_shot "$2" || fail "no pairing dialog to shoot"
  stop_shot
}

# A paired window after demo.sh's office simulator sent five orders, two seconds apart
# so each rings on its own.
ORDERS=5
warehouse_shot() {  # locale file
  start_warehouse "warehouse-$1" "$1" warehouse
  wait_for "$WINDOW_TIMEOUT" grep -q 'welcomed' "$dir/warehouse.log" ||
    { tail -n 20 "$dir/warehouse.log" >&2; fail "the warehouse did not connect"; }
  timeout 60 "$bin/examples/simulate_office" --data-dir "$dir/office" \
    --discovery-addr "$discovery_addr" --name "Facturación" \
    --pairing-code "$("$bin/packbell-server" pairing-code --role office --data-dir "$dir/server" 2>/dev/null)" \
    --orders-per-minute 30 --count "$ORDERS" >"$dir/simulator.log" 2>&1 ||
    { cat "$dir/simulator.log" >&2; fail "the office simulator failed"; }
  wait_for 30 test "$(grep -c 'rang order' "$dir/warehouse.log")" -ge "$ORDERS" ||
    fail "the warehouse did not ring for every order"
  sleep 1.5
  wait_for 20 window_shot "$2" || fail "the warehouse window was never drawn"
  stop_shot
}

for lang in en es; do
  case $lang in
    # Where the office's Admin tabs are in each language (client-office's script
    # clicks fixed places; these are read off its Stores screenshot).
    en) locale=en_GB.UTF-8 office_lang=En devices_x=116 site_x=265 ;;
    es) locale=es_ES.UTF-8 office_lang=Es devices_x=143 site_x=318 ;;
  esac
  mkdir -p "$out/$lang" "$work/$lang"
  echo "guide-screenshots: $lang: office window"
  PACKBELL_SHOT_LANG=$office_lang PACKBELL_SHOT_DISPLAY="$(free_display)" \
    PACKBELL_SHOT_DEVICES_X=$devices_x PACKBELL_SHOT_DEVICES_Y=$ADMIN_TABS_Y \
    PACKBELL_SHOT_SITE_X=$site_x PACKBELL_SHOT_SITE_Y=$ADMIN_TABS_Y \
    PACKBELL_SHOT_REFRESH_X=$REFRESH_X PACKBELL_SHOT_REFRESH_Y=$REFRESH_Y \
    client-office/scripts/screenshots.sh "$work/$lang"
  echo "guide-screenshots: $lang: warehouse window"
  warehouse_shot "$locale" "$work/$lang/warehouse.png"
  echo "guide-screenshots: $lang: pairing dialog"
  pairing_shot "$locale" "$work/$lang/pairing.png"
  for shot in office office-admin office-site warehouse pairing; do
    convert "$work/$lang/$shot.png" -strip -define png:exclude-chunks=date,time "$out/$lang/$shot.png"
    echo "  $out/$lang/$shot.png"
  done
done
echo "guide-screenshots: done"
