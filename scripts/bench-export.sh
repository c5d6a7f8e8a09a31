#!/usr/bin/env bash
# The export benchmark: seeds a fresh data dir with ORDERS packed orders (two events
# each, one local day, one transaction through the db layer), then times the real
# `packbell-server export` of each kind and prints wall time, CPU time (user + system:
# what the export costs, less swayed by other work on the machine) and peak RSS, next to the
# peak RSS of an export of an empty day (what the program needs before any row). It
# prints figures; it never fails on a timing.
#
#   scripts/bench-export.sh                 # 500 000 orders = 1 000 000 events, release build
#   scripts/bench-export.sh --debug 50000   # a debug build, fewer orders
#
# The data dir goes under target/bench-export/ (under $CARGO_TARGET_DIR when set, where
# the binaries are also taken from) and is replaced on every run.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
if [ "${1:-}" = "--debug" ]; then
  profile=debug
  shift
fi
orders="${1:-500000}"

if [ "$profile" = release ]; then
  cargo build --release --locked -p packbell-server --bin packbell-server --example seed_export_bench
else
  cargo build --locked -p packbell-server --bin packbell-server --example seed_export_bench
fi
target_dir="${CARGO_TARGET_DIR:-target}"
bin="$target_dir/$profile"
work="$target_dir/bench-export"
rm -rf "$work"
mkdir -p "$work"
day=$(date +%F)

"$bin/examples/seed_export_bench" "$work/data" "$orders" "$day"

measure() {
  local label=$1 from=$2 to=$3 kind=$4
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" \
    "$bin/packbell-server" --data-dir "$work/data" export --kind "$kind" \
    --from "$from" --to "$to" --out "$work/$kind.csv" 2>"$work/stderr.txt" ||
    { cat "$work/stderr.txt" >&2; exit 1; }
  read -r seconds user_s system_s peak_kib <"$work/time.txt"
  cpu_s=$(awk -v u="$user_s" -v s="$system_s" 'BEGIN { printf "%.2f", u + s }')
  printf '%-22s %8s s  cpu %6s s  peak RSS %6d KiB  %10d bytes\n' "$label" "$seconds" \
    "$cpu_s" "$peak_kib" \
    "$(stat -c %s "$work/$kind.csv")"
  last_peak_kib=$peak_kib
}

echo "profile $profile, $orders orders ($((orders * 2)) events) on $day, $(nproc) cores"
measure "audit, empty day" 2001-01-01 2001-01-01 audit
baseline_kib=$last_peak_kib
for kind in audit orders summary; do
  measure "$kind" "$day" "$day" "$kind"
  echo "  RSS growth over the empty export: $((last_peak_kib - baseline_kib)) KiB"
done
