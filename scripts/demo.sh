#!/usr/bin/env bash
# Runs packbell on this PC: a server on a demo data dir with sample stores.
# Usage: scripts/demo.sh [--fresh]
set -euo pipefail
cd "$(dirname "$0")/.."
demo_dir="$PWD/.demo"
for arg in "$@"; do
  case "$arg" in
    --fresh) rm -rf "$demo_dir" ;;
    *) echo "usage: $0 [--fresh]" >&2; exit 2 ;;
  esac
done

bash scripts/install-deps.sh
command -v cargo >/dev/null || { echo "packbell: install Rust first (https://rustup.rs)" >&2; exit 1; }
cargo build --locked --bin packbell-server
mkdir -p "$demo_dir"
exec target/debug/packbell-server --data-dir "$demo_dir/server" --site Demo \
  --seed-store Centro --seed-store Norte --seed-store Online
