# Shared by the e2e scripts: stopping what they started, and showing their logs when
# they fail. Sourced; expects `pids` (an array of started processes) where used.

# Stops every process in `pids`, then waits for each, so nothing outlives the script.
stop_started_processes() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}

# print_log_tails DIR: the last lines of every log in DIR, on stderr.
print_log_tails() {
  local log
  for log in "$1"/*.log; do
    [ -e "$log" ] || continue
    echo "---- $(basename "$log") (last lines)" >&2
    tail -n 20 "$log" >&2
  done
}
