#!/usr/bin/env bash
# End-to-end check of the warehouse window, on loopback only:
#   real packbell-server + real packbell-warehouse window under Xvfb, a private session
#   D-Bus with dunst as the notification daemon, ALSA's default device writing to a pipe.
# An office device (the send_order example, through the real link) sends orders; the
# script asserts that dunst received a notification naming the first order, that a
# 100-order burst gives only a handful of notifications and chimes, that a rush order
# still rings after the store tabs were switched to another store, that a cancelled
# order is announced, that "Bring back" in the "Recently packed" drawer (opened and clicked
# with xdotool) recalls an order, that the audio the app played is not silent (sox),
# that the window starts with glow when wgpu cannot,
# and saves a screenshot of the window.
#
# Usage: scripts/e2e-warehouse.sh [--update-docs]
#   --update-docs  also copy the screenshot to docs/screenshots/warehouse.png
# The screenshot always lands in target/e2e/warehouse.png. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

# Whole run, build excluded; a hang fails instead of blocking the test command.
RUN_TIMEOUT=${PACKBELL_E2E_TIMEOUT:-120}

if [ "${1:-}" != "--inner" ]; then
  update_docs=0
  for arg in "$@"; do
    case "$arg" in
      --update-docs) update_docs=1 ;;
      *) echo "usage: $0 [--update-docs]" >&2; exit 2 ;;
    esac
  done
  missing=()
  for tool in Xvfb dbus-run-session dbus-send dunst sox import xwininfo xdotool python3 convert tesseract; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "e2e-warehouse: missing ${missing[*]}; run scripts/install-deps.sh" >&2
    exit 1
  fi
  echo "e2e-warehouse: building"
  cargo build --locked -q --bin packbell-server --bin packbell-warehouse \
    -p packbell-server -p packbell-warehouse --example send_order
  work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-e2e-wh.XXXXXX")"
  status=0
  timeout --kill-after=10 "$RUN_TIMEOUT" \
    dbus-run-session -- bash "$0" --inner "$work" || status=$?
  if [ $status -eq 0 ]; then
    mkdir -p target/e2e
    cp "$work/warehouse.png" target/e2e/warehouse.png
    if [ $update_docs -eq 1 ]; then
      mkdir -p docs/screenshots
      cp "$work/warehouse.png" docs/screenshots/warehouse.png
    fi
    rm -rf "$work"
    echo "e2e-warehouse: ok (screenshot: target/e2e/warehouse.png)"
  else
    [ $status -eq 124 ] && echo "e2e-warehouse: timed out after ${RUN_TIMEOUT}s" >&2
    echo "e2e-warehouse: FAILED (status $status); logs kept in $work" >&2
    for log in "$work"/*.log; do
      [ -e "$log" ] || continue
      echo "---- $(basename "$log") (last lines)" >&2
      tail -n 25 "$log" >&2
    done
    # The audio capture can be large; the logs are what matter.
    rm -f "$work"/audio.fifo "$work"/captured.wav
  fi
  exit $status
fi

# ---------------------------------------------------------------- inside the session bus
work="$2"
bin="${CARGO_TARGET_DIR:-$repo/target}/debug"
pids=()
source "$repo/scripts/lib/procs.sh"
cleanup() { stop_started_processes; }
trap cleanup EXIT
fail() { echo "e2e-warehouse: $*" >&2; exit 1; }

# Polls `cmd` every 0.1 s for up to $1 seconds.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

export XDG_RUNTIME_DIR="$work/xdg-runtime"
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY

# 1. X server on a free display number (Xvfb picks it and writes it to fd 3).
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
pids+=($!)
wait_for 20 test -s "$work/display" || fail "Xvfb did not start"
export DISPLAY=":$(head -n1 "$work/display")"

# 2. dunst on that display, capturing every notification into a file.
cat >"$work/capture.sh" <<'EOF'
#!/bin/sh
# dunst passes appname, summary, body, icon, urgency.
printf '%s|%s|%s\n' "$2" "$3" "$5" >>"$PACKBELL_E2E_NOTES"
EOF
chmod +x "$work/capture.sh"
cat >"$work/dunstrc" <<EOF
[global]
    font = DejaVu Sans 10
    # Popups go in the strip right of the 1100 px wide window, never over it.
    origin = top-right
    offset = 4x4
    width = 170
[capture]
    summary = "*"
    script = $work/capture.sh
EOF
: >"$work/notifications.txt"
PACKBELL_E2E_NOTES="$work/notifications.txt" dunst -config "$work/dunstrc" >"$work/dunst.log" 2>&1 &
pids+=($!)
has_daemon() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null |
    grep -q 'boolean true'
}
wait_for 20 has_daemon || fail "dunst did not take the notification bus name"

# 3. ALSA's default device writes a WAV into a pipe; a reader keeps only the audible
#    part (the null device has no clock, so a plain file would grow by ~100 MB/s).
mkdir -p "$work/home"
mkfifo "$work/audio.fifo"
cat >"$work/home/.asoundrc" <<EOF
pcm.!default { type plug; slave { pcm "tofile"; format S16_LE; rate 48000; channels 2 } }
pcm.tofile { type file; slave.pcm "null"; file "$work/audio.fifo"; format "wav" }
EOF
python3 - "$work/audio.fifo" "$work/captured.wav" >"$work/capture.log" 2>&1 <<'PY' &
import array, struct, sys, wave

fifo, out = sys.argv[1], sys.argv[2]
THRESHOLD = 300          # about 1 % of full scale
CHUNK = 48000 * 4 // 10  # 0.1 s of 48 kHz stereo S16
MAX_KEPT = 48000 * 4 * 10
kept = bytearray()
total = 0
with open(fifo, "rb") as f:
    riff = f.read(12)
    channels, rate = 2, 48000
    while True:  # walk the chunks up to "data"
        head = f.read(8)
        if len(head) < 8:
            break
        ident, size = head[:4], struct.unpack("<I", head[4:])[0]
        if ident == b"data":
            break
        body = f.read(size)
        if ident == b"fmt ":
            channels, rate = struct.unpack("<HI", body[2:8])
    while True:
        chunk = f.read(CHUNK)
        if not chunk:
            break
        total += len(chunk)
        samples = array.array("h")
        samples.frombytes(chunk[: len(chunk) // 2 * 2])
        if samples and (max(samples) > THRESHOLD or -min(samples) > THRESHOLD):
            if len(kept) < MAX_KEPT:
                kept += chunk
with wave.open(out, "wb") as w:
    w.setnchannels(channels)
    w.setsampwidth(2)
    w.setframerate(rate)
    w.writeframes(bytes(kept))
print(f"read {total} bytes, kept {len(kept)} audible bytes")
PY
capture_pid=$!
# It ends by itself once the app closes the pipe; if the run fails before any sound,
# it still waits for a writer, so the cleanup stops it too.
pids+=($capture_pid)

# 4. The server: loopback, any free port, no discovery, one store.
"$bin/packbell-server" --data-dir "$work/server" --bind 127.0.0.1 --ws-port 0 \
  --no-discovery --site E2E --seed-store Centro --seed-store Norte >"$work/server.log" 2>&1 &
pids+=($!)
wait_for 20 grep -Eq 'Clients connect to wss?://' "$work/server.log" || fail "server did not start"
addr="$(sed -En 's|.*Clients connect to wss?://([0-9.]+:[0-9]+).*|\1|p' "$work/server.log" | head -n1)"
[ -n "$addr" ] || fail "no server address in server.log"
code() { "$bin/packbell-server" pairing-code --role "$1" --data-dir "$work/server" 2>>"$work/pairing.log"; }
warehouse_code="$(code warehouse)"
office_code="$(code office)"

# 5. The warehouse window, with its own HOME (for .asoundrc) and data dir.
HOME="$work/home" RUST_LOG=info "$bin/packbell-warehouse" --server "$addr" \
  --data-dir "$work/warehouse" --pairing-code "$warehouse_code" --name "e2e warehouse" \
  >"$work/warehouse.log" 2>&1 &
warehouse_pid=$!
pids+=($warehouse_pid)
wait_for 60 grep -q 'connected to site E2E' "$work/warehouse.log" ||
  fail "warehouse did not connect"
find_window() {
  xwininfo -root -tree 2>/dev/null | grep -i 'packbell' | grep -v 'has no name' |
    awk '{print $1}' | head -n1
}
wait_for 60 test -n "$(find_window)" || fail "no warehouse window on $DISPLAY"
window="$(find_window)"
# Where the script clicks, in window coordinates (the window is 1100 px wide).
CHIPS_Y=85
ALL_CHIP_X=40
NORTE_CHIP_X=${PACKBELL_E2E_NORTE_X:-255}

# 6. An office device sends orders; the first is the one asserted.
"$bin/examples/send_order" --server "$addr" --data-dir "$work/office" \
  --pairing-code "$office_code" --store Centro \
  "10423:2 cajas, frágil" "R:10427:Recoge a las 12:00" "10428" "W-88213:Envío por mensajería" \
  >"$work/office.log" 2>&1 || fail "sending orders failed"

wait_for 20 grep -q 'rang order 10423' "$work/warehouse.log" || fail "no 'rang order 10423' in the log"
wait_for 20 grep -q '10423' "$work/notifications.txt" ||
  fail "dunst got no notification naming 10423: $(cat "$work/notifications.txt")"
wait_for 20 grep -q 'rang order W-88213' "$work/warehouse.log" || fail "the last order did not ring"
sleep 1.5 # the chimes play out; the window repaints

office() {
  "$bin/examples/send_order" --server "$addr" --data-dir "$work/office" "$@" \
    >>"$work/office.log" 2>&1
}
rings() { grep -cE 'rang order|rang a summary' "$work/warehouse.log" || true; }

# 6b. A burst of 100 orders rings a handful of times, not 100.
BURST=100
# Most notifications and chimes a burst may give (about 8 seen here): a few rung one by one before the
# burst is recognised, then one summary per burst window while the orders arrive.
MAX_BURST_ALERTS=12
notes_before=$(wc -l <"$work/notifications.txt")
rings_before=$(rings)
burst=()
for i in $(seq 1 $BURST); do burst+=("B-$i"); done
office --store Centro "${burst[@]}" || fail "sending the burst failed"
wait_for 20 grep -q 'rang a summary' "$work/warehouse.log" || fail "the burst gave no summary"
sleep 3 # the last burst window closes and rings
burst_notes=$(($(wc -l <"$work/notifications.txt") - notes_before))
burst_rings=$(($(rings) - rings_before))
echo "e2e-warehouse: $BURST-order burst: $burst_notes notifications, $burst_rings chimes"
[ "$burst_notes" -le $MAX_BURST_ALERTS ] || fail "$BURST orders gave $burst_notes notifications"
[ "$burst_rings" -le $MAX_BURST_ALERTS ] || fail "$BURST orders gave $burst_rings chimes"
[ "$burst_notes" -ge 1 ] || fail "the burst gave no notification at all"

# 6c. The store tabs only filter the view: with "Norte" shown, a Centro rush rings.
#     The chip row sits under the status bar; "Norte" is the third chip.
xdotool mousemove --window "$window" "$NORTE_CHIP_X" "$CHIPS_Y" click 1
wait_for 10 grep -q 'store tabs changed' "$work/warehouse.log" ||
  fail "the click on the Norte tab did not land (see $work/warehouse.log)"
office --store Centro "R:R-900:after the tab switch" || fail "sending the rush order failed"
wait_for 20 grep -q 'rang order R-900' "$work/warehouse.log" ||
  fail "a Centro rush order did not ring with the Norte tab shown"
wait_for 20 grep -q 'R-900' "$work/notifications.txt" || fail "dunst did not see the rush order"
echo "e2e-warehouse: a Centro rush order rang and notified with the Norte tab shown"
xdotool mousemove --window "$window" "$ALL_CHIP_X" "$CHIPS_Y" click 1
wait_for 10 grep -q 'store tabs show all stores' "$work/warehouse.log" || fail "the All tab click did not land"

# 6d. A cancelled order is announced.
office --store Centro --cancel 10428 || fail "cancelling 10428 failed"
wait_for 20 grep -q 'order 10428 cancelled' "$work/warehouse.log" ||
  fail "the window did not announce the cancelled order"
wait_for 20 grep -q 'CANCELLED: order 10428' "$work/notifications.txt" ||
  fail "dunst did not see the cancel"
echo "e2e-warehouse: the cancelled order was announced (log and notification)"
sleep 1

# 7. Screenshot of the window (the root window if the window cannot be grabbed), with
#    the notification popups closed so that none covers it.
command -v dunstctl >/dev/null && dunstctl close-all 2>/dev/null || true
sleep 0.5
import -window "$window" "$work/warehouse.png" 2>"$work/import.log" ||
  import -window root "$work/warehouse.png" 2>>"$work/import.log" ||
  fail "screenshot failed"

# 7b. Pack the top row by clicking its Packed button, then bring it back from the
#     "Recently packed" drawer. Buttons are found by their words in a screenshot.
source "$repo/scripts/lib/ocr.sh"
click_word() {  # word what: clicks the topmost word starting with `word`
  local at="" deadline=$((SECONDS + 15))
  until [ -n "$at" ]; do
    [ $SECONDS -lt $deadline ] || fail "no $2 in the window (see $work/find.png)"
    sleep 0.5
    import -window "$window" "$work/find.png" 2>>"$work/import.log" || continue
    at="$(find_word "$work/find.png" "$1")"
  done
  read -r x y <<<"$at"
  xdotool mousemove --window "$window" "$x" "$y" click 1
}
click_word Packed "Packed button"
wait_for 10 grep -qE 'app.* packed ' "$work/warehouse.log" || fail "the Packed click did not land"
click_word Recently "Recently packed button"
sleep 0.5
click_word Bring "Bring back button"
wait_for 10 grep -q 'recalled from the recently packed drawer' "$work/warehouse.log" ||
  fail "the Bring back click did not recall an order"
echo "e2e-warehouse: an order packed by click came back through the drawer's Bring back"

# 8. Stop the app (closing the pipe ends the capture), then measure the audio.
kill "$warehouse_pid"
wait "$warehouse_pid" 2>/dev/null || true
wait_for 20 sh -c "! kill -0 $capture_pid 2>/dev/null" || fail "audio capture did not end"
cat "$work/capture.log"
stat="$(sox "$work/captured.wav" -n remix 1 stat 2>&1 || true)"
max="$(printf '%s\n' "$stat" | awk '/Maximum amplitude/ {print $3}')"
[ -n "$max" ] || fail "sox could not measure the captured audio: $stat"
awk -v m="$max" 'BEGIN { exit !(m > 0.05) }' || fail "captured audio is silent (max amplitude $max)"
echo "e2e-warehouse: notification: $(grep -m1 10423 "$work/notifications.txt")"
echo "e2e-warehouse: audio max amplitude $max"
rm -f "$work/captured.wav" "$work/audio.fifo"

# 9. Renderer fallback: with wgpu unable to start (no backend it may use), the window
#    comes up with glow and says so.
mkdir -p "$work/home-fallback"
HOME="$work/home-fallback" WGPU_BACKEND=dx12 RUST_LOG=info "$bin/packbell-warehouse" \
  --server 127.0.0.1:9 --data-dir "$work/warehouse-fallback" >"$work/fallback.log" 2>&1 &
fallback_pid=$!
pids+=($fallback_pid)
wait_for 30 grep -q 'window renderer: glow' "$work/fallback.log" ||
  fail "with wgpu unavailable the window did not start with glow"
kill "$fallback_pid"
wait "$fallback_pid" 2>/dev/null || true
echo "e2e-warehouse: wgpu unavailable: the window started with glow"
