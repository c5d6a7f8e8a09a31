#!/usr/bin/env bash
# Exports, end to end (loopback only): a fresh server and a fresh, unpaired office on
# a 1366x768 Xvfb screen. The office is paired as an admin by clicking into its
# pairing dialog and typing an admin code (real X input, xdotool); two orders are
# typed by keyboard; Admin → Exports is opened by clicks on the words (found by OCR),
# Export is pressed, and the CSV file must appear in the office's exports folder
# holding both orders.
#
# Usage: scripts/e2e-export.sh [--update-docs]
#   --update-docs  also copy the Exports screen's screenshot to
#                  docs/screenshots/office-exports-1366.png
# Screenshots are kept in target/e2e/export/. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

# Whole run, build excluded; a hang fails instead of blocking the test command.
RUN_TIMEOUT=${PACKBELL_E2E_TIMEOUT:-180}
# The orders typed in the office.
ORDERS=(91001 91002)
ORDER_STORE=Centro

if [ "${1:-}" != "--inner" ]; then
  update_docs=0
  for arg in "$@"; do
    case "$arg" in
      --update-docs) update_docs=1 ;;
      *) echo "usage: $0 [--update-docs]" >&2; exit 2 ;;
    esac
  done
  missing=()
  for tool in Xvfb xdotool import convert compare python3 timeout tesseract; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "e2e-export: missing ${missing[*]}; run scripts/install-deps.sh" >&2
    exit 1
  fi
  echo "e2e-export: building"
  cargo build --locked -q -p packbell-server -p packbell-office \
    --bin packbell-server --bin packbell-office
  work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-e2e-export.XXXXXX")"
  status=0
  timeout --kill-after=10 "$RUN_TIMEOUT" bash "$0" --inner "$work" || status=$?
  if [ $status -eq 0 ]; then
    mkdir -p target/e2e/export
    cp "$work"/shots/office-*.png target/e2e/export/
    if [ $update_docs -eq 1 ]; then
      mkdir -p docs/screenshots
      cp "$work/shots/office-exports-done.png" docs/screenshots/office-exports-1366.png
    fi
    rm -rf "$work"
    echo "e2e-export: screenshots:"
    for shot in target/e2e/export/*.png; do echo "  $repo/$shot"; done
    echo "e2e-export: ok"
  else
    [ $status -eq 124 ] && echo "e2e-export: timed out after ${RUN_TIMEOUT}s" >&2
    echo "e2e-export: FAILED (status $status); logs and screenshots kept in $work" >&2
    source "$repo/scripts/lib/procs.sh"
    print_log_tails "$work"
  fi
  exit $status
fi

# ---------------------------------------------------------------- the run itself
work="$2"
bin="${CARGO_TARGET_DIR:-$repo/target}/debug"
mkdir -p "$work/shots" "$work/home"
pids=()
source "$repo/scripts/lib/procs.sh"
cleanup() { stop_started_processes; }
trap cleanup EXIT
trap 'exit 143' TERM INT
fail() { echo "e2e-export: $*" >&2; exit 1; }
say() { echo "e2e-export: $*"; }

source "$repo/scripts/lib/x11.sh"
source "$repo/scripts/lib/ocr.sh"

export XDG_RUNTIME_DIR="$work/xdg-runtime"
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY
# Fixed language (labels, separator) and a home of its own: the exports folder is in it.
export LANG=en_US.UTF-8 LC_ALL= HOME="$work/home"
unset XDG_CONFIG_HOME XDG_DOCUMENTS_DIR XDG_DOWNLOAD_DIR

start_xvfb office
office_display=$display

# 1. The server: loopback, a port picked by the system; the office is told where.
"$bin/packbell-server" --data-dir "$work/server" --bind 127.0.0.1 --ws-port 0 \
  --discovery-port 0 --site "Export run" --seed-store "$ORDER_STORE" \
  >"$work/server.log" 2>&1 &
pids+=($!)
wait_for 30 grep -q 'Answering discovery on UDP port' "$work/server.log" ||
  fail "the server did not start"
discovery_port="$(sed -n 's/^Answering discovery on UDP port \([0-9]*\).*/\1/p' "$work/server.log")"
[ -n "$discovery_port" ] || fail "no discovery port in server.log"

# 2. The office, fresh and unpaired, finding the server by discovery.
DISPLAY="$office_display" RUST_LOG=info "$bin/packbell-office" --data-dir "$work/office" \
  --discovery-addr "127.255.255.255:$discovery_port" --name "Oficina" \
  >"$work/office.log" 2>&1 &
office_pid=$!
pids+=($office_pid)
wait_for 90 has_window "$office_display" "$office_pid" || fail "no office window"
window="$(window_of "$office_display" "$office_pid")"

# 3. Pair it as an admin: click into the dialog's code field, type the code, Enter.
wait_for 60 grep -q 'NeedsPairing' "$work/office.log" || fail "the office did not ask for a code"
field=""
deadline=$((SECONDS + 60))
until field="$(shot "$office_display" "$window" "$work/shots/office-pairing.png" &&
  find_code_field "$work/shots/office-pairing.png")"; do
  [ $SECONDS -lt $deadline ] || fail "no pairing dialog (see $work/shots/office-pairing.png)"
  sleep 0.5
done
code="$("$bin/packbell-server" pairing-code --role admin --data-dir "$work/server" \
  2>>"$work/pairing-code.log")" || fail "packbell-server pairing-code --role admin failed"
read -r x y <<<"$field"
xdo "$office_display" mousemove --window "$window" "$x" "$y" click 1 || fail "clicking the field failed"
xdo "$office_display" windowfocus --sync "$window" || fail "could not focus the office"
sleep 0.3
xdo "$office_display" type --delay 60 "$code" || fail "typing the code failed"
xdo "$office_display" key Return || fail "pressing Enter failed"
wait_for 30 grep -q 'Connected {' "$work/office.log" || fail "the office did not connect"
say "office paired as admin with code $code"

# 4. Two orders by keyboard: number, Tab, store, Enter (the cursor is in the number).
sleep 1
for number in "${ORDERS[@]}"; do
  {
    xdo "$office_display" type --delay 60 "$number" &&
      xdo "$office_display" key Tab &&
      xdo "$office_display" type --delay 60 "$ORDER_STORE" &&
      sleep 0.3 &&
      xdo "$office_display" key Return && sleep 0.5
  } || fail "typing order $number failed"
done
orders_in_server() {
  python3 - "$work/server/packbell.sqlite3" "${#ORDERS[@]}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
count = db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
sys.exit(0 if count == int(sys.argv[2]) else 1)
PY
}
wait_for 20 orders_in_server || fail "the server does not have both orders"
say "the server has orders ${ORDERS[*]}"

# 5. Admin → Exports → Export, each a click on its word in a screenshot.
click_word() {  # finder word what
  local at="" deadline=$((SECONDS + 20))
  until [ -n "$at" ]; do
    [ $SECONDS -lt $deadline ] || fail "no $3 in the window (see $work/shots/find.png)"
    sleep 0.5
    settled_shot "$office_display" "$window" "$work/shots/find.png" || continue
    at="$($1 "$work/shots/find.png" "$2")"
  done
  read -r x y <<<"$at"
  xdo "$office_display" mousemove --window "$window" "$x" "$y" click 1 ||
    fail "clicking $3 failed"
}
click_word find_word Admin "Admin tab"
click_word find_word Exports "Exports tab"
settled_shot "$office_display" "$window" "$work/shots/office-exports.png" || true
click_word find_exact_word Export "Export button"

# 6. The file: in the exports folder under the office's home, with both orders.
report=""
find_report() {
  report="$(find "$work/home" -name 'packbell-orders-*.csv' 2>/dev/null | head -n1)"
  [ -n "$report" ]
}
wait_for 30 find_report || fail "no report was saved under $work/home"
python3 - "$report" "${ORDERS[@]}" <<'PY' || fail "the report does not hold the orders typed"
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.DictReader(f))
numbers = sorted(row["order_number"] for row in rows)
wanted = sorted(sys.argv[2:])
if numbers != wanted:
    sys.exit(f"rows hold {numbers}, expected {wanted}")
PY
leftovers="$(find "$work/home" -name '*.part')"
[ -z "$leftovers" ] || fail "temporary files left behind: $leftovers"
say "saved $report with orders ${ORDERS[*]}"
settled_shot "$office_display" "$window" "$work/shots/office-exports-done.png" || true
