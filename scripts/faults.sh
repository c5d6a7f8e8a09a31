#!/usr/bin/env bash
# Fault suite, loopback only: every fault the project promises to survive, each bounded
# in rounds and time, printing what it did and what it found.
#
#   scripts/faults.sh --short   # a few rounds of each, debug build (the default)
#   scripts/faults.sh --long    # the full run whose output is in docs/reliability.md
#   scripts/faults.sh --short --without-rust-tests
#                               # only what `cargo nextest` does not run itself
#                               # (scripts/test.sh: the Rust fault tests already ran there)
#
# What runs (docs/reliability.md, "Fault suite", says what each proves):
#   a. SIGKILL mid-burst with 10 receivers        server/tests/crash.rs
#   b. receiver frozen with SIGSTOP, then SIGCONT   server/tests/fault_sigstop.rs
#   c. restart on another WebSocket port          server/tests/fault_reconnect.rs
#   d. 50 clients reconnecting after a restart    server/tests/fault_reconnect.rs
#   e. 1000 unauthenticated sockets               server/tests/fault_flood.rs
#   f. disk full on a real tmpfs (root)           server/tests/disk_full_tmpfs.rs
#   g. power loss: unsynced writes dropped (cc)   server/tests/power_loss.rs
#   h. WebSocket conformance (Autobahn cases)     scripts/lib/autobahn.sh
#   i. protocol fuzzing (proptest)                server/tests/fuzz.rs, protocol discovery
# Parts that need root, a C compiler or PyPI say SKIPPED with the reason and pass.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

form=short
rust_tests=yes
for arg in "$@"; do
  case "$arg" in
    --short) form=short ;;
    --long) form=long ;;
    --without-rust-tests) rust_tests=no ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "faults: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$form" = long ]; then
  export PACKBELL_CRASH_ROUNDS=50 PACKBELL_POWERLOSS_ROUNDS=20 PACKBELL_FAULTS_LONG=1
  export PROPTEST_CASES=${PROPTEST_CASES:-5000}
  # Bound on the whole Rust part (the SIGSTOP pause alone is 70 s).
  RUST_BOUND=2400
else
  export PACKBELL_CRASH_ROUNDS=3 PACKBELL_POWERLOSS_ROUNDS=3
  export PROPTEST_CASES=${PROPTEST_CASES:-64}
  RUST_BOUND=600
fi
started=$(date +%s)
echo "faults: $form form, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

log="$(mktemp "${TMPDIR:-/tmp}/packbell-faults.XXXXXX")"
trap 'rm -f "$log"' EXIT

if [ "$rust_tests" = yes ]; then
  tests=(--test crash --test fault_sigstop --test fault_reconnect --test fault_flood
         --test disk_full_tmpfs --test power_loss --test fuzz)
  cargo nextest run --locked -p packbell-server "${tests[@]}" --no-run
  echo "== fault tests (a-g, i): crash rounds $PACKBELL_CRASH_ROUNDS, power-loss rounds" \
       "$PACKBELL_POWERLOSS_ROUNDS, proptest cases $PROPTEST_CASES"
  # --no-capture runs them one at a time, so each one's figures are its own.
  if ! timeout --kill-after=10 "$RUST_BOUND" cargo nextest run --locked --profile faults -p packbell-server \
      "${tests[@]}" --run-ignored all --no-capture --no-fail-fast >"$log" 2>&1; then
    cat "$log"
    echo "faults: FAILED: a fault test failed or ran past ${RUST_BOUND}s (output above)" >&2
    exit 1
  fi
  # What each test printed about what it did and found.
  grep -E '^(round [0-9]+:|power-loss round|receiver frozen|restart moved|[0-9]+ clients back|flood of|disk full|sockets ended|SKIPPED)' "$log" ||
    true
  grep -E '^\s+(PASS|SKIP)' "$log" | sed 's/^ */   /'
  timeout 600 cargo nextest run --locked -p packbell-protocol -E 'test(decoding)' \
    >"$log" 2>&1 || { cat "$log"; echo "faults: FAILED: discovery fuzzing" >&2; exit 1; }
  echo "discovery packet fuzzing: $(grep -E 'Summary' "$log" | sed 's/^ *//')"
fi

echo "== WebSocket conformance (h)"
bash scripts/lib/autobahn.sh "$form"

echo "faults: $form form done in $(( $(date +%s) - started )) s"
