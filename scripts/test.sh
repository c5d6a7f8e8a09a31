#!/usr/bin/env bash
# The one test command: installs what is missing, then runs formatting and lint checks,
# every Rust test in the workspace, and the end-to-end scripts.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

if ! command -v cargo >/dev/null; then
  echo "packbell: Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
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
echo "== cargo nextest"
nextest_log="$(mktemp)"
trap 'rm -f "$nextest_log"' EXIT
cargo nextest run --workspace --locked --no-fail-fast 2>&1 | tee "$nextest_log"
rust_passed="$(sed -n 's/.* tests run: \([0-9]*\) passed.*/\1/p' "$nextest_log" | tail -n 1)"

scripts_passed=0
echo "== scripts/demo.sh --check"
bash scripts/demo.sh --check
scripts_passed=$((scripts_passed + 1))

for script in scripts/e2e-*.sh; do
  [ -e "$script" ] || continue
  echo "== $script"
  bash "$script"
  scripts_passed=$((scripts_passed + 1))
done

# Any failure above has already stopped this script with a non-zero status.
echo "Rust tests and end-to-end scripts all passed."
echo "packbell: $((${rust_passed:-0} + scripts_passed)) passed, 0 failed"
