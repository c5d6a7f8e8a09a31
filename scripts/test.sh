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
cargo nextest run --workspace --locked --no-fail-fast

echo "== scripts/demo.sh --check"
bash scripts/demo.sh --check

for script in scripts/e2e-*.sh; do
  [ -e "$script" ] || continue
  echo "== $script"
  bash "$script"
done
