#!/usr/bin/env bash
# Crash soak: kills the real server mid-burst many times (default 50 rounds) and checks
# after each restart that every acknowledged order exists exactly once.
# Usage: scripts/crash-soak.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-50}"
PACKBELL_CRASH_ROUNDS="$rounds" cargo test -p packbell-server --test crash -- --nocapture
