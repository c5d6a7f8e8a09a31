# Sourced by test.sh: finds processes a test run left running.
#
# check_no_leftovers STATUS MARK PID: every process whose environment holds
# PACKBELL_TEST_RUN=MARK and that is not PID or one of its descendants (what is still
# running of the test command itself) is a leftover. Waits up to LEFTOVER_GRACE_SECONDS
# for processes that are already stopping; then names each one and
# makes the exit status 1; otherwise exits with STATUS (the run's own status).
LEFTOVER_GRACE_SECONDS=5

# Pids (with their command lines) carrying the mark, outside the tree of the given pid.
leftover_processes() {
  local mark="$1" root="$2" dir pid ancestor
  for dir in /proc/[0-9]*; do
    pid="${dir#/proc/}"
    tr '\0' '\n' 2>/dev/null <"$dir/environ" | grep -qxF "PACKBELL_TEST_RUN=$mark" || continue
    # Skip the test command and whatever it is running right now (this check included).
    ancestor="$pid"
    while [ -n "$ancestor" ] && [ "$ancestor" != 0 ] && [ "$ancestor" != 1 ] && [ "$ancestor" != "$root" ]; do
      ancestor="$(awk '/^PPid:/ {print $2}' "/proc/$ancestor/status" 2>/dev/null)"
    done
    [ "$ancestor" = "$root" ] && continue
    # A zombie or a process that ended meanwhile has no command line left.
    local cmdline
    cmdline="$(tr '\0' ' ' 2>/dev/null <"$dir/cmdline")"
    [ -n "$cmdline" ] || continue
    echo "$pid $cmdline"
  done
}

check_no_leftovers() {
  local status="$1" mark="$2" root="$3" found=""
  local deadline=$((SECONDS + LEFTOVER_GRACE_SECONDS))
  while true; do
    found="$(leftover_processes "$mark" "$root")"
    [ -z "$found" ] || [ $SECONDS -ge $deadline ] && break
    sleep 0.2
  done
  if [ -n "$found" ]; then
    echo "packbell: FAILED: the test run left these processes running:" >&2
    printf '%s\n' "$found" | sed 's/^/  /' >&2
    exit 1
  fi
  exit "$status"
}
