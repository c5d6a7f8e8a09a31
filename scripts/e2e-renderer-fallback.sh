#!/usr/bin/env bash
# End-to-end check of the renderer fallback (client-core/src/window.rs): with wgpu made
# unable to start (WGPU_BACKEND=metal, a backend Linux does not have), the warehouse
# window started with the default `--renderer auto` must log that wgpu did not start,
# open with glow instead, say so in its log, and map a window; `--renderer wgpu` must
# fail with a clear error instead of falling back.
#
# Usage: scripts/e2e-renderer-fallback.sh
# Quiet on success (one line); on failure says which step failed and shows the logs.
# No server is needed: the window opens on its pairing screen.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
name="e2e-renderer-fallback"

# Bounds, so that a hang fails instead of blocking the test command.
XVFB_START_SECONDS=20
WINDOW_START_SECONDS=60
FORCED_EXIT_SECONDS=60

fail() { echo "$name: $*" >&2; exit 1; }
for tool in Xvfb xdotool timeout; do
  command -v "$tool" >/dev/null || fail "$tool is missing; run scripts/install-deps.sh"
done

# The same packages as the other e2e scripts build, so all share one set of artifacts.
cargo build --locked -q -p packbell-server -p packbell-office -p packbell-warehouse
bin="${CARGO_TARGET_DIR:-$repo/target}/debug/packbell-warehouse"

work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-e2e-renderer.XXXXXX")"
xvfb_pid=""
window_pid=""
status=1
finish() {
  for pid in $window_pid $xvfb_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ $status -eq 0 ]; then
    rm -rf "$work"
  else
    echo "$name: FAILED; logs kept in $work" >&2
    for log in "$work"/*.log; do
      [ -e "$log" ] || continue
      echo "---- $(basename "$log") (last lines)" >&2
      grep -v '^ALSA lib' "$log" | tail -n 15 >&2
    done
  fi
}
trap finish EXIT
trap 'exit 143' TERM INT

export XDG_RUNTIME_DIR="$work/xdg-runtime"
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY
# Plain log lines (no colour codes) to search in.
export NO_COLOR=1 RUST_LOG=info

# An X server on a free display number (Xvfb writes it to fd 3).
Xvfb -displayfd 3 -screen 0 1024x700x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 1 $((XVFB_START_SECONDS * 10))); do
  [ -s "$work/display" ] && break
  sleep 0.1
done
[ -s "$work/display" ] || fail "Xvfb did not start within ${XVFB_START_SECONDS}s"
export DISPLAY=":$(head -n1 "$work/display")"

# 1. auto, with wgpu unable to start: glow takes over.
WGPU_BACKEND=metal "$bin" --data-dir "$work/auto" --server 127.0.0.1:9 \
  >"$work/auto.log" 2>&1 &
window_pid=$!
for _ in $(seq 1 $((WINDOW_START_SECONDS * 10))); do
  grep -q 'window renderer: glow' "$work/auto.log" && break
  kill -0 "$window_pid" 2>/dev/null || fail "the window exited instead of falling back to glow"
  sleep 0.1
done
grep -q 'window renderer: glow' "$work/auto.log" ||
  fail "no 'window renderer: glow' in the log within ${WINDOW_START_SECONDS}s"
grep -q 'the wgpu renderer did not start' "$work/auto.log" ||
  fail "the log does not say that wgpu did not start"
timeout 20 xdotool search --sync --onlyvisible --pid "$window_pid" >/dev/null ||
  fail "no visible window after the fallback"
kill -TERM "$window_pid"
wait "$window_pid" 2>/dev/null || true
window_pid=""

# 2. wgpu named explicitly: no fallback, a clear error and a failure status.
forced=0
WGPU_BACKEND=metal timeout "$FORCED_EXIT_SECONDS" "$bin" --data-dir "$work/forced" \
  --server 127.0.0.1:9 --renderer wgpu >"$work/forced.log" 2>&1 || forced=$?
[ $forced -ne 0 ] || fail "--renderer wgpu succeeded although wgpu cannot start"
[ $forced -ne 124 ] || fail "--renderer wgpu hung instead of failing"
grep -q 'window renderer: glow' "$work/forced.log" && fail "--renderer wgpu fell back to glow"
grep -q 'the wgpu renderer did not start' "$work/forced.log" ||
  fail "--renderer wgpu failed without saying why"

status=0
echo "$name: ok (auto fell back to glow when wgpu could not start; --renderer wgpu failed clearly)"
