#!/usr/bin/env bash
# Idle cost of the warehouse window: a real server with 200 pending orders and the real
# window under Xvfb (software rendering), left alone. Samples the window's CPU (utime +
# stime from /proc) over consecutive windows and its RSS, and prints the median and
# spread with the machine it ran on. A measurement, not a test: nothing is asserted.
#
# Usage: scripts/bench-idle.sh [--renderer auto|wgpu|glow] [--orders N] [--rush R] [--seconds S]
#   --rush R  make R of the orders rush orders; nobody acknowledges them, so they
#             re-alert (sound, attention request, one frame) every 30 s.
# Loopback only; every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

renderer=auto
orders=200
rush=0
seconds=30
# Each CPU sample spans this many seconds (clock ticks are 10 ms: a 5 s window
# resolves 0.2 % of a core).
SAMPLE_SECS=5
# After the list is drawn, the window is left alone this long before sampling.
SETTLE_SECS=10
while [ $# -gt 0 ]; do
  case "$1" in
    --renderer) renderer="$2"; shift 2 ;;
    --orders) orders="$2"; shift 2 ;;
    --rush) rush="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: $0 [--renderer auto|wgpu|glow] [--orders N] [--rush R] [--seconds S]" >&2; exit 2 ;;
  esac
done
for tool in Xvfb xwininfo; do
  command -v "$tool" >/dev/null || { echo "bench-idle: missing $tool; run scripts/install-deps.sh" >&2; exit 1; }
done

echo "bench-idle: building"
cargo build --locked -q --bin packbell-server --bin packbell-warehouse \
  -p packbell-server -p packbell-warehouse --example send_order
bin="${CARGO_TARGET_DIR:-$repo/target}/debug"
work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-bench-idle.XXXXXX")"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "bench-idle: $*" >&2
  for log in "$work"/*.log; do [ -e "$log" ] && { echo "---- $log" >&2; tail -n 15 "$log" >&2; }; done
  exit 1
}
wait_for() {
  local limit=$1; shift
  local deadline=$((SECONDS + limit))
  until "$@" 2>/dev/null; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.2; done
}

export XDG_RUNTIME_DIR="$work/xdg-runtime"
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY
Xvfb -displayfd 3 -screen 0 1366x768x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
pids+=($!)
wait_for 20 test -s "$work/display" || fail "Xvfb did not start"
export DISPLAY=":$(head -n1 "$work/display")"

"$bin/packbell-server" --data-dir "$work/server" --bind 127.0.0.1 --ws-port 0 \
  --no-discovery --site Bench --seed-store Centro >"$work/server.log" 2>&1 &
pids+=($!)
wait_for 20 grep -Eq 'Clients connect to wss?://' "$work/server.log" || fail "server did not start"
addr="$(sed -En 's|.*Clients connect to wss?://([0-9.]+:[0-9]+).*|\1|p' "$work/server.log" | head -n1)"
code() { "$bin/packbell-server" pairing-code --role "$1" --data-dir "$work/server" 2>>"$work/pairing.log"; }

numbers=()
for i in $(seq 1 "$orders"); do
  if [ "$i" -le "$rush" ]; then numbers+=("R:B-$i"); else numbers+=("B-$i"); fi
done
"$bin/examples/send_order" --server "$addr" --data-dir "$work/office" \
  --pairing-code "$(code office)" --store Centro "${numbers[@]}" >"$work/office.log" 2>&1 ||
  fail "sending $orders orders failed"

# No sound device and no notification daemon: the window's own cost is measured.
RUST_LOG=info "$bin/packbell-warehouse" --server "$addr" --data-dir "$work/warehouse" \
  --pairing-code "$(code warehouse)" --name "bench" --renderer "$renderer" \
  >"$work/warehouse.log" 2>&1 &
window_pid=$!
pids+=($window_pid)
wait_for 60 grep -q 'connected to site Bench' "$work/warehouse.log" || fail "window did not connect"
wait_for 60 grep -q 'window renderer' "$work/warehouse.log" || fail "no renderer started"
wait_for 60 sh -c "xwininfo -root -tree | grep -qi packbell" || fail "no window mapped"
sleep "$SETTLE_SECS"

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$window_pid/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$window_pid/status"; }
samples=()
rss=()
windows=$((seconds / SAMPLE_SECS))
for _ in $(seq 1 "$windows"); do
  before=$(cpu_ticks)
  sleep "$SAMPLE_SECS"
  after=$(cpu_ticks)
  samples+=("$(awk -v d=$((after - before)) -v t="$ticks" -v s="$SAMPLE_SECS" 'BEGIN { printf "%.2f", 100 * d / t / s }')")
  rss+=("$(rss_kib)")
done

summary() { # name unit values...: mean, median, min, max
  local name=$1 unit=$2; shift 2
  printf '%s\n' "$@" | sort -n | awk -v name="$name" -v unit="$unit" '
    { v[NR] = $1 }
    { sum += $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
          printf "%-4s mean %.2f, median %s %s (min %s, max %s, %d samples)\n", name, sum / NR, m, unit, v[1], v[NR], NR }'
}
echo "bench-idle: machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo "bench-idle: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench-idle: $(grep -o 'window renderer: .*' "$work/warehouse.log" | head -n1), $orders pending ($rush rush), ${seconds}s idle after ${SETTLE_SECS}s"
echo "bench-idle: CPU per window: ${samples[*]}"
summary "CPU" "% of a core (per ${SAMPLE_SECS}s)" "${samples[@]}"
rss_mib=()
for kib in "${rss[@]}"; do rss_mib+=("$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')"); done
summary "RSS" "MiB" "${rss_mib[@]}"
