#!/usr/bin/env bash
# The one test command: installs what is missing, then runs formatting and lint checks,
# every Rust test in the workspace, and the end-to-end scripts.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
source scripts/ensure-rust.sh
# A one-off build (CI, a fresh clone) gains nothing from incremental state but disk use.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

# Every process this run starts inherits this mark; at the end, any process still
# carrying it that is not part of this script (a leaked Xvfb, dunst, server, window...)
# fails the run.
export PACKBELL_TEST_RUN="$$-$(date +%s%N)"
source scripts/leftovers.sh
trap 'check_no_leftovers $? "$PACKBELL_TEST_RUN" $$' EXIT
if command -v rustup >/dev/null; then
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "packbell: installing cargo-nextest" >&2
  cargo install cargo-nextest --locked
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== test helpers stay out of shipped builds"
# The `testing` features are for [dev-dependencies] only; a normal build of any crate
# (what `cargo build --release` ships) must not turn one on.
for crate in packbell-server packbell-office packbell-warehouse; do
  if cargo tree --workspace --locked -e normal,features -i "$crate" | grep -q 'feature "testing"'; then
    echo "packbell: FAILED: a normal (shipped) build turns on $crate's \"testing\" feature:" >&2
    cargo tree --workspace --locked -e normal,features -i "$crate" >&2
    exit 1
  fi
done
echo "== cargo nextest"
nextest_log="$(mktemp)"
trap 'status=$?; rm -f "$nextest_log"; check_no_leftovers $status "$PACKBELL_TEST_RUN" $$' EXIT
cargo nextest run --workspace --locked --no-fail-fast 2>&1 | tee "$nextest_log"
rust_passed="$(sed -n 's/.* tests run: \([0-9]*\) passed.*/\1/p' "$nextest_log" | tail -n 1)"

scripts_passed=0
echo "== scripts/package-lint.sh"
bash scripts/package-lint.sh
scripts_passed=$((scripts_passed + 1))

echo "== scripts/demo.sh --check"
bash scripts/demo.sh --check
scripts_passed=$((scripts_passed + 1))

for script in scripts/e2e-*.sh; do
  [ -e "$script" ] || continue
  echo "== $script"
  bash "$script"
  scripts_passed=$((scripts_passed + 1))
done

echo "== scripts/faults.sh --short --without-rust-tests"
# The Rust fault tests (crash, power loss, disk full, flood, ...) ran in their short form
# in cargo nextest above; this adds the WebSocket conformance cases.
bash scripts/faults.sh --short --without-rust-tests
scripts_passed=$((scripts_passed + 1))

echo "== scripts/net-topologies.sh"
bash scripts/net-topologies.sh
scripts_passed=$((scripts_passed + 1))

# Any failure above has already stopped this script with a non-zero status.
echo "Rust tests and end-to-end scripts all passed."
echo "packbell: $((${rust_passed:-0} + scripts_passed)) passed, 0 failed"
