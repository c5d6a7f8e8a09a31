#!/usr/bin/env bash
# Screenshots of the real office window at the sizes shops have, for docs/screenshots/:
#   office-1920.png           a busy day on a 1920×1080 screen (window made full size)
#   office-offline-1366.png   the default window on a 1366×768 screen, after the server
#                             went away with two orders typed meanwhile: the offline
#                             banner, and room left below for a taskbar
# The busy shop is the `busy_site` example, as in screenshots.sh; stopping it (closing
# its standard input) takes the server away. Needs: Xvfb, imagemagick, xdotool.
# Usage: client-office/scripts/screenshots-sizes.sh [OUT_DIR]   (default: docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/../.."
out_dir=${1:-docs/screenshots}
display=${PACKBELL_SHOT_DISPLAY:-:96}

for tool in Xvfb import xdotool; do
  command -v "$tool" >/dev/null || {
    echo "screenshots: $tool is missing (apt-get install xvfb imagemagick xdotool)" >&2
    exit 1
  }
done

cargo build -q -p packbell-office --example busy_site --bin packbell-office
work=$(mktemp -d)
mkdir -m 700 "$work/xdg"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

Xvfb "$display" -screen 0 1920x1080x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
mkfifo "$work/site.in"
target/debug/examples/busy_site "$work/site" 0 <"$work/site.in" >"$work/site.out" 2>"$work/site.err" &
site_pid=$!
pids+=($site_pid)
exec 3>"$work/site.in" # the site runs until this is closed

for _ in $(seq 100); do
  grep -q '^ADMIN_CODE=' "$work/site.out" 2>/dev/null && break
  sleep 0.3
done
server=$(sed -n 's/^SERVER=//p' "$work/site.out")
code=$(sed -n 's/^ADMIN_CODE=//p' "$work/site.out")
[ -n "$code" ] || { echo "screenshots: the busy site did not start" >&2; cat "$work/site.err" >&2; exit 1; }

mkdir -p "$work/office"
printf '{"theme":"%s"}\n' "${PACKBELL_SHOT_THEME:-Dark}" >"$work/office/office-ui.json"
DISPLAY=$display XDG_RUNTIME_DIR=$work/xdg LANG=en_GB.UTF-8 LC_ALL=en_GB.UTF-8 \
  target/debug/packbell-office --server "$server" --pairing-code "$code" \
  --data-dir "$work/office" --name "Oficina 1" >"$work/office.log" 2>&1 3>&- &
pids+=($!)

export DISPLAY=$display
sleep "${PACKBELL_SHOT_WAIT:-50}"
window=$(xdotool search --name 'packbell' | head -n 1)
xdotool windowfocus --sync "$window"
mkdir -p "$out_dir"

# 1920×1080: the window made as large as the screen.
xdotool windowsize --sync "$window" 1920 1080
sleep 1.5
xdotool mousemove 1900 1060
sleep 0.5
import -window root "$out_dir/office-1920.png"

# 1366×768: the default window size, the server gone, two orders typed meanwhile.
xdotool windowsize --sync "$window" 1280 680
exec 3>&-
for _ in $(seq 100); do
  kill -0 "$site_pid" 2>/dev/null || break
  sleep 0.1
done
kill "$site_pid" 2>/dev/null || true
sleep 3
xdotool mousemove 700 300 click 1
for number in F-2001 F-2002; do
  xdotool key ctrl+n
  xdotool type --delay 40 "$number"
  xdotool key Tab
  xdotool type --delay 40 "norte"
  xdotool key Return
  sleep 0.8
done
sleep 8 # the "queued" message fades; the banner stays
xdotool mousemove 1300 740
sleep 0.5
import -window root -crop 1366x768+0+0 +repage "$out_dir/office-offline-1366.png"
echo "screenshots: wrote $out_dir/office-1920.png and office-offline-1366.png"
