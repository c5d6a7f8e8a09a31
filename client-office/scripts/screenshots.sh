#!/usr/bin/env bash
# Screenshots of the real office window under Xvfb, for docs/screenshots/:
#   office.png        the entry form (an order being typed) over a busy list
#   office-admin.png  the admin Devices screen
#   office-site.png   the admin Site screen (server status)
# A busy shop is simulated by the `busy_site` example (in-process server, another
# office PC and two warehouse PCs). Needs: Xvfb, imagemagick (import), xdotool.
# Usage: client-office/scripts/screenshots.sh [OUT_DIR]   (default: docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/../.."
out_dir=${1:-docs/screenshots}
display=${PACKBELL_SHOT_DISPLAY:-:97}

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

Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
mkfifo "$work/site.in"
target/debug/examples/busy_site "$work/site" 0 <"$work/site.in" >"$work/site.out" 2>"$work/site.err" &
pids+=($!)
exec 3>"$work/site.in" # keeps the site running until this script ends

for _ in $(seq 100); do
  grep -q '^ADMIN_CODE=' "$work/site.out" 2>/dev/null && break
  sleep 0.3
done
server=$(sed -n 's/^SERVER=//p' "$work/site.out")
code=$(sed -n 's/^ADMIN_CODE=//p' "$work/site.out")
[ -n "$code" ] || { echo "screenshots: the busy site did not start" >&2; cat "$work/site.err" >&2; exit 1; }

# Optional look: PACKBELL_SHOT_THEME=Light|Dark, PACKBELL_SHOT_LANG=En|Es.
mkdir -p "$work/office"
printf '{"theme":"%s","lang":%s}\n' "${PACKBELL_SHOT_THEME:-System}" \
  "$([ -n "${PACKBELL_SHOT_LANG:-}" ] && echo "\"$PACKBELL_SHOT_LANG\"" || echo null)" \
  >"$work/office/office-ui.json"
DISPLAY=$display XDG_RUNTIME_DIR=$work/xdg LANG=en_GB.UTF-8 LC_ALL=en_GB.UTF-8 \
  target/debug/packbell-office --server "$server" --pairing-code "$code" \
  --data-dir "$work/office" --name "Oficina 1" >"$work/office.log" 2>&1 &
pids+=($!)

export DISPLAY=$display
# Let the list fill up while the other PCs enter and pack orders.
sleep "${PACKBELL_SHOT_WAIT:-45}"
# No window manager under Xvfb: give the window the keyboard ourselves.
window=$(xdotool search --name 'packbell' | head -n 1)
xdotool windowfocus --sync "$window"
xdotool mousemove 700 700
sleep 0.5
# An order being typed: number, Tab, part of a store name (the picker opens).
xdotool type --delay 30 "F-1094"
xdotool key Tab
xdotool type --delay 30 "cen"
sleep 1.5
mkdir -p "$out_dir"
import -window root -crop 1280x680+0+0 +repage "$out_dir/office.png"

# Admin → Devices → Refresh.
xdotool key Escape
xdotool mousemove 271 14 click 1
sleep 1
xdotool mousemove "${PACKBELL_SHOT_DEVICES_X:-128}" "${PACKBELL_SHOT_DEVICES_Y:-53}" click 1
sleep 1
xdotool mousemove "${PACKBELL_SHOT_REFRESH_X:-40}" "${PACKBELL_SHOT_REFRESH_Y:-92}" click 1
sleep 1.5
xdotool mousemove 1100 700
sleep 0.5
import -window root -crop 1280x680+0+0 +repage "$out_dir/office-admin.png"

# Admin → Site (it asks the server for its status when it opens).
xdotool mousemove "${PACKBELL_SHOT_SITE_X:-265}" "${PACKBELL_SHOT_SITE_Y:-53}" click 1
sleep 1.5
xdotool mousemove 1100 700
sleep 0.5
import -window root -crop 1280x680+0+0 +repage "$out_dir/office-site.png"
echo "screenshots: wrote $out_dir/office.png, office-admin.png and office-site.png"
