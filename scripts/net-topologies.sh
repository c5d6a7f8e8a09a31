#!/usr/bin/env bash
# Builds the networks shops really have out of network namespaces, veth pairs, bridges,
# a router namespace and nftables rules, runs the real server and packbell-probe (the
# client's look for the server, without a window) inside them, and checks that the
# server is found within 2 s where the network allows it, and that the reason given is
# the right one where it does not.
#
# Every address lives inside namespaces this script creates (10.77.0.0/16); the bridges
# sit in a namespace of their own, so nothing is added to this machine's own network.
# Everything is removed at the end, on failure too. Without root, `ip`, `nft` or the
# right to create namespaces, it says why and exits 0 (skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
  echo "net-topologies: SKIPPED: $*"
  exit 0
}

[ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces"
command -v ip >/dev/null || skip "no 'ip' command (Debian package iproute2)"
command -v nft >/dev/null || skip "no 'nft' command (Debian package nftables)"
command -v python3 >/dev/null || skip "no python3 to read the probe's JSON"

# Short, per-run prefix: namespace and interface names stay unique and under 15 chars.
prefix="pb$$"
ip netns add "${prefix}chk" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "${prefix}chk"

cargo build --locked -q -p packbell-server --bin packbell-server -p packbell-shared --bin packbell-probe
bin="$(pwd)/target/debug"
work="$(mktemp -d)"
pids=()

cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^${prefix}" || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
  if [ "$status" -ne 0 ]; then
    echo "net-topologies: FAILED" >&2
  fi
  exit "$status"
}
trap cleanup EXIT

fail() {
  echo "net-topologies: FAILED: $*" >&2
  exit 1
}

links=0
# A fresh case: the switch namespace holding the bridges is made anew.
new_case() {
  local ns
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
  for ns in $(ip netns list | awk '{print $1}' | grep "^${prefix}" || true); do
    ip netns del "$ns"
  done
  echo "== case $1"
  ip netns add "${prefix}sw"
  ip -n "${prefix}sw" link set lo up
}

# host NAME: a namespace standing for one PC.
host() {
  ip netns add "${prefix}$1"
  ip -n "${prefix}$1" link set lo up
}

# bridge NAME: one network (switch), multicast snooping off like a plain switch.
bridge() {
  ip -n "${prefix}sw" link add "$1" type bridge mcast_snooping 0
  ip -n "${prefix}sw" link set "$1" up
}

# wire HOST IFNAME BRIDGE ADDR/PREFIX: a network card of HOST plugged into BRIDGE.
wire() {
  links=$((links + 1))
  local port="p${links}"
  ip -n "${prefix}sw" link add "$port" type veth peer name "$2" netns "${prefix}$1"
  ip -n "${prefix}sw" link set "$port" master "$3" up
  ip -n "${prefix}$1" addr add "$4" brd + dev "$2"
  ip -n "${prefix}$1" link set "$2" up
}

# run_server HOST: starts the real server there; sets $fingerprint.
run_server() {
  local data="$work/server-$1" log="$work/server-$1.log"
  mkdir -p "$data"
  # Emptied here, not only by the background redirection: that runs later, and the wait
  # below would otherwise read the banner an earlier case's server left in this file.
  : >"$log"
  ip netns exec "${prefix}$1" "$bin/packbell-server" --data-dir "$data" --site shop \
    --no-daily-reports >"$log" 2>&1 &
  pids+=($!)
  local tries=0
  until grep -q "Answering discovery" "$log"; do
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || { cat "$log" >&2; fail "server in $1 did not start in 10 s"; }
    sleep 0.1
  done
  fingerprint="$(sed -n 's/.*server id \([0-9a-f]*\).*/\1/p' "$log" | head -n 1)"
  [ -n "$fingerprint" ] || fail "no server id in the banner of the server in $1"
}

# expect HOST RESULT ADDRESS-OR-- [probe args...]: runs the probe in HOST and checks its
# result (found, no_reply, other_card, other_servers) and, for found, the address and
# that it took under 2 s.
expect() {
  local where="$1" want="$2" address="$3"
  shift 3
  local out
  out="$(ip netns exec "${prefix}${where}" timeout 10 "$bin/packbell-probe" "$@")" ||
    fail "packbell-probe in $where failed"
  python3 - "$want" "$address" "$out" <<'EOF' || fail "probe in $where with [$*]: $out"
import json, sys
want, address, raw = sys.argv[1], sys.argv[2], sys.argv[3]
report = json.loads(raw)
cause = report["cause"]
ok = report["result"] == want
if ok and want in ("found", "other_card") and address != "--":
    ok = cause.get("address") == address
if ok and want == "found":
    ok = report["elapsed_ms"] < 2000
via = cause.get("via", "")
print(f"   {report['result']:<13} {cause.get('address', ''):<18} {via:<10} {report['elapsed_ms']} ms")
sys.exit(0 if ok else 1)
EOF
}

# 1. One subnet: found; a stale last-good address does not matter (the server moved:
# found by its fingerprint); paired with another server: "other servers".
new_case "1: one subnet"
bridge lan
host srv
host cli
wire srv eth0 lan 10.77.1.2/24
wire cli eth0 lan 10.77.1.3/24
run_server srv
expect cli found 10.77.1.2:47801 --paired "$fingerprint"
expect cli found 10.77.1.2:47801 --paired "$fingerprint" --last-good 10.77.1.9:47801
expect cli other_servers -- --paired "0000000000000000000000000000000000000000000000000000000000000000"

# 2. Server with two cards on two subnets, a client on each: each finds it at the
# address on its own subnet. Then TCP is refused on the second card: "other card".
new_case "2: server with two cards"
bridge lana
bridge lanb
host srv
host clia
host clib
wire srv eth0 lana 10.77.1.2/24
wire srv eth1 lanb 10.77.2.2/24
wire clia eth0 lana 10.77.1.3/24
wire clib eth0 lanb 10.77.2.3/24
run_server srv
expect clia found 10.77.1.2:47801 --paired "$fingerprint"
expect clib found 10.77.2.2:47801 --paired "$fingerprint"
ip netns exec "${prefix}srv" nft -f - <<'EOF'
table inet pbtest {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "eth1" tcp dport 47801 reject with tcp reset
  }
}
EOF
expect clib other_card 10.77.2.2:47801 --paired "$fingerprint"

# 3. Client with two cards, the server on only one of them.
new_case "3: client with two cards"
bridge lana
bridge lanb
host srv
host cli
wire srv eth0 lana 10.77.1.2/24
wire cli eth0 lanb 10.77.2.3/24
wire cli eth1 lana 10.77.1.3/24
run_server srv
expect cli found 10.77.1.2:47801 --paired "$fingerprint"

# 4. Two subnets behind a router: broadcast stays on its side; found once the address
# is given (configured, or remembered as last good).
new_case "4: two subnets behind a router"
bridge lana
bridge lanb
host srv
host rtr
host cli
wire rtr eth0 lana 10.77.1.1/24
wire rtr eth1 lanb 10.77.2.1/24
ip netns exec "${prefix}rtr" sysctl -q -w net.ipv4.ip_forward=1
wire srv eth0 lana 10.77.1.2/24
wire cli eth0 lanb 10.77.2.3/24
ip -n "${prefix}srv" route add default via 10.77.1.1
ip -n "${prefix}cli" route add default via 10.77.2.1
run_server srv
expect cli no_reply -- --paired "$fingerprint"
expect cli found 10.77.1.2:47801 --paired "$fingerprint" --server 10.77.1.2:47801
expect cli found 10.77.1.2:47801 --paired "$fingerprint" --last-good 10.77.1.2:47801

# 5. Broadcast dropped (access point isolation, firewall), unicast allowed: found by
# DNS-SD over multicast, or at the last good address; with neither, "no reply".
new_case "5: broadcast dropped"
bridge lan
host srv
host cli
wire srv eth0 lan 10.77.1.2/24
wire cli eth0 lan 10.77.1.3/24
ip netns exec "${prefix}srv" nft -f - <<'EOF'
table inet pbtest {
  chain input {
    type filter hook input priority 0; policy accept;
    meta pkttype broadcast drop
  }
}
EOF
run_server srv
expect cli no_reply -- --paired "$fingerprint"
expect cli found 10.77.1.2:47801 --paired "$fingerprint" --mdns
expect cli found 10.77.1.2:47801 --paired "$fingerprint" --last-good 10.77.1.2:47801

# 6. All UDP dropped (both ways), TCP allowed: found at a configured or last good address;
# otherwise "no reply".
new_case "6: all UDP dropped"
bridge lan
host srv
host cli
wire srv eth0 lan 10.77.1.2/24
wire cli eth0 lan 10.77.1.3/24
ip netns exec "${prefix}srv" nft -f - <<'EOF'
table inet pbtest {
  chain input {
    type filter hook input priority 0; policy accept;
    meta l4proto udp drop
  }
  chain output {
    type filter hook output priority 0; policy accept;
    meta l4proto udp drop
  }
}
EOF
run_server srv
expect cli no_reply -- --paired "$fingerprint" --mdns
expect cli found 10.77.1.2:47801 --paired "$fingerprint" --server 10.77.1.2:47801
expect cli found 10.77.1.2:47801 --paired "$fingerprint" --last-good 10.77.1.2:47801

echo "net-topologies: all 6 topologies passed"
