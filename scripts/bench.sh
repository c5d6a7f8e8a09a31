#!/usr/bin/env bash
# The benchmark command: builds the server and the benchmark in release mode once, then
# starts the real server on loopback (TLS, then plaintext, rounds alternating) and
# prints enrolment time, order-to-delivery latency and throughput for both, with the
# TLS / plaintext ratios. It prints figures; it never fails on a timing.
#
#   scripts/bench.sh                      # defaults: 3 rounds, 10 receivers, 200 orders/s for 10 s
#   scripts/bench.sh --rounds 5 --orders 100000
#   scripts/bench.sh --help               # every option
#   scripts/bench.sh --floor --pairings 50 --wide-receivers 50   # also the bare-relay floor, with ratios
#
# The servers' data dirs go under target/bench/ (on the same disk as the build), so
# fsync costs what it costs there; pass --data-root DIR to measure another disk.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
  echo "packbell: Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

cargo build --release --locked -p packbell-server -p packbell-bench

target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target_dir/bench"
has_data_root=no
for arg in "$@"; do
  case "$arg" in --data-root|--data-root=*) has_data_root=yes ;; esac
done
if [ "$has_data_root" = yes ]; then
  exec "$target_dir/release/packbell-bench" "$@"
fi
exec "$target_dir/release/packbell-bench" --data-root "$target_dir/bench" "$@"
