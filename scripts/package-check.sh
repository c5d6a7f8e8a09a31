#!/usr/bin/env bash
# Installs the .debs that scripts/package.sh made, for real, and takes them out again:
#   1. systemd-analyze verify of the packaged unit, desktop-file-validate of the entries;
#   2. dpkg -i of all three into a fresh Debian root made with debootstrap (default), or
#      into this machine with --host;
#   3. each installed binary's --version;
#   4. the installed server started the way its unit starts it (user packbell, the
#      unit's environment and EnvironmentFile, its ExecStart) - there is no systemd
#      PID 1 here, so systemctl cannot - and a discovery probe to 127.255.255.255
#      answered; `packbell-server pairing-code` as the packbell user;
#   5. dpkg -r: programs gone, data, user and conffiles kept (as installer/README.md says);
#   6. dpkg -P: nothing named packbell left anywhere in the root, user and group gone.
#
# Usage: scripts/package-check.sh [--host] [--dist DIR] [--keep]
# Needs root. The fresh root needs debootstrap and deb.debian.org (a few minutes the
# first time); --host changes this machine (and refuses if packbell is installed).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

mode=chroot
dist="$repo/dist"
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --host) mode=host ;;
    --dist) dist="$2"; shift ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--host] [--dist DIR] [--keep]" >&2; exit 2 ;;
  esac
  shift
done

# Bounds: a hang fails the check instead of blocking it.
SERVER_START_SECONDS=20
SERVER_STOP_SECONDS=15
DISCOVERY_TIMEOUT_SECONDS=5
# Ports of the check's server: not the defaults, so a demo on this machine is not
# disturbed (and does not answer in its place).
CHECK_DISCOVERY_PORT=${PACKBELL_CHECK_DISCOVERY_PORT:-47890}
CHECK_WS_PORT=${PACKBELL_CHECK_WS_PORT:-47891}

programs=(packbell-server packbell-office packbell-warehouse)
started=$(date +%s)
step() { echo "== [$(($(date +%s) - started))s] $*"; }
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }
ok() { echo "   ok: $*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i, a system user, chroot)"
for tool in dpkg-deb systemd-analyze desktop-file-validate python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh installs it)"
done
debs=()
for program in "${programs[@]}"; do
  deb="$(ls "$dist/${program}"_*_amd64.deb 2>/dev/null | head -n1)"
  [ -n "$deb" ] || fail "no $program .deb in $dist: run scripts/package.sh first"
  debs+=("$deb")
done

work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-check.XXXXXX")"
root=""
server_pid=""
cleanup() {
  local status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [ "$mode" = chroot ] && [ -n "$root" ]; then
    umount "$root/proc" 2>/dev/null || true
    if [ $keep -eq 0 ]; then rm -rf "$root"; else echo "package-check: root kept in $root"; fi
  fi
  if [ $status -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "---- server.log" >&2; tail -n 30 "$work/server.log" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# ------------------------------------------------------------------ 1. static checks
step "static checks of the packaged unit and desktop entries"
for deb in "${debs[@]}"; do
  dpkg-deb -x "$deb" "$work/extract"
done
unit="$work/extract/usr/lib/systemd/system/packbell-server.service"
[ -f "$unit" ] || fail "the server package has no systemd unit"
# verify checks that ExecStart exists: point it at the packaged binary.
sed "s|^ExecStart=/usr/bin/|ExecStart=$work/extract/usr/bin/|" "$unit" >"$work/packbell-server.service"
verify_output="$(systemd-analyze verify "$work/packbell-server.service" 2>&1)" ||
  fail "systemd-analyze verify: $verify_output"
[ -z "$verify_output" ] || fail "systemd-analyze verify warned: $verify_output"
ok "systemd-analyze verify packbell-server.service: no warnings"
for entry in usr/share/applications/packbell-office.desktop \
  usr/share/applications/packbell-warehouse.desktop \
  etc/xdg/autostart/packbell-warehouse.desktop; do
  [ -f "$work/extract/$entry" ] || fail "no /$entry in the packages"
  desktop-file-validate "$work/extract/$entry" || fail "desktop-file-validate /$entry"
done
ok "desktop-file-validate: 2 menu entries and the autostart entry"
for program in packbell-office packbell-warehouse; do
  [ -f "$work/extract/usr/share/icons/hicolor/256x256/apps/$program.png" ] ||
    fail "$program has no 256x256 icon"
done
ok "icons: $(find "$work/extract/usr/share/icons" -name 'packbell-office.png' | wc -l) sizes per client"

# ------------------------------------------------------------------ 2. install
if [ "$mode" = chroot ]; then
  command -v debootstrap >/dev/null || fail "debootstrap is missing (apt-get install debootstrap), or use --host"
  suite="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
  # The clients' Depends, so dpkg -i finds them installed.
  depends="$(dpkg-deb -f "${debs[2]}" Depends | tr -d ' ' | tr ',' '\n' | sed 's/|.*//' | paste -sd, -)"
  root="$work/root"
  step "debootstrap --variant=minbase $suite (with $depends)"
  debootstrap --variant=minbase --include="$depends,python3-minimal" "$suite" "$root" \
    http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
  ok "fresh $suite root: $(du -sh "$root" | cut -f1)"
  # The server reads /proc (CPU count); a fresh root has it empty.
  mount -t proc proc "$root/proc"
  in_root() { chroot "$root" "$@"; }
  mkdir -p "$root/tmp/debs"
  cp "${debs[@]}" "$root/tmp/debs/"
  install_paths=()
  for deb in "${debs[@]}"; do install_paths+=("/tmp/debs/$(basename "$deb")"); done
else
  for program in "${programs[@]}"; do
    if dpkg-query -W -f='${Status}' "$program" 2>/dev/null | grep -q installed; then
      fail "$program is already installed on this machine; --host will not touch it"
    fi
  done
  getent passwd packbell >/dev/null && fail "a packbell user exists already; --host will not touch it"
  root=""
  in_root() { "$@"; }
  install_paths=("${debs[@]}")
fi

step "dpkg -i ${programs[*]}"
(cd "${root:-/}" && in_root dpkg -i "${install_paths[@]}") >"$work/dpkg-i.log" 2>&1 ||
  { cat "$work/dpkg-i.log" >&2; fail "dpkg -i"; }
sed 's/^/   | /' "$work/dpkg-i.log" | grep -v 'Reading database\|^   | (Reading' || true
for program in "${programs[@]}"; do
  status="$(in_root dpkg-query -W -f='${Status}' "$program")"
  [ "$status" = "install ok installed" ] || fail "$program: $status"
done
[ "$mode" = chroot ] && rm -rf "$root/tmp/debs"
ok "three packages installed"
in_root getent passwd packbell >/dev/null || fail "postinst made no packbell user"
packbell_ids="$(in_root getent passwd packbell | cut -d: -f3,4)"
owner="$(stat -c '%u:%g %a' "$root/var/lib/packbell")"
[ "$owner" = "$packbell_ids 750" ] || fail "/var/lib/packbell is $owner, not $packbell_ids 750"
ok "system user packbell ($(in_root getent passwd packbell | cut -d: -f1,3,6,7)); /var/lib/packbell owned by it, mode 750"
if [ -L "$root/etc/systemd/system/multi-user.target.wants/packbell-server.service" ]; then
  ok "service enabled (multi-user.target.wants link)"
else
  echo "   note: no enable link: neither deb-systemd-helper nor systemctl is in this root"
fi

# ------------------------------------------------------------------ 3. --version
step "--version of each installed binary"
for program in "${programs[@]}"; do
  version_line="$(in_root "/usr/bin/$program" --version)" || fail "$program --version"
  [[ "$version_line" =~ ^$program\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "$program --version said: $version_line"
  ok "$version_line"
done

# ------------------------------------------------------------------ 4. the server as its unit runs it
step "server started as its unit would (no systemd PID 1 here)"
installed_unit="$root/usr/lib/systemd/system/packbell-server.service"
unit_user="$(sed -n 's/^User=//p' "$installed_unit")"
exec_start="$(sed -n 's/^ExecStart=//p' "$installed_unit")"
mapfile -t unit_env < <(sed -n 's/^Environment=//p' "$installed_unit")
env_file="$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$installed_unit")"
if [ -f "$root$env_file" ]; then
  mapfile -t -O "${#unit_env[@]}" unit_env < <(grep -E '^[A-Z_]+=' "$root$env_file" || true)
fi
uid="$(in_root getent passwd "$unit_user" | cut -d: -f3)"
gid="$(in_root getent passwd "$unit_user" | cut -d: -f4)"
data_dir="$(printf '%s\n' "${unit_env[@]}" | sed -n 's/^PACKBELL_DATA_DIR=//p')"
[ "$data_dir" = /var/lib/packbell ] || fail "the unit's data dir is '$data_dir'"
# Only ever called in a subshell (`&` or `$(...)`): it execs, so the background job's
# pid is the server's own and a SIGTERM reaches the server, as systemd's would.
as_unit_user() {
  if [ "$mode" = chroot ]; then
    exec chroot --userspec="$uid:$gid" "$root" env -i PATH=/usr/sbin:/usr/bin "${unit_env[@]}" "$@"
  else
    exec setpriv --reuid="$uid" --regid="$gid" --init-groups env -i PATH=/usr/sbin:/usr/bin "${unit_env[@]}" "$@"
  fi
}
echo "   as $unit_user ($uid:$gid): env ${unit_env[*]} PACKBELL_DISCOVERY_PORT=$CHECK_DISCOVERY_PORT PACKBELL_WS_PORT=$CHECK_WS_PORT $exec_start"
as_unit_user PACKBELL_DISCOVERY_PORT="$CHECK_DISCOVERY_PORT" PACKBELL_WS_PORT="$CHECK_WS_PORT" \
  $exec_start >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 $((SERVER_START_SECONDS * 10))); do
  grep -q 'Answering discovery on UDP port' "$work/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || fail "the installed server exited at start"
  sleep 0.1
done
grep -q 'Answering discovery on UDP port' "$work/server.log" ||
  fail "the installed server did not start within ${SERVER_START_SECONDS}s"
grep -A3 '^Pairing codes' "$work/server.log" | sed 's/^/   | /'
grep -qE '^  (office|warehouse|admin) +[0-9]{4}-[0-9]{4}' "$work/server.log" ||
  fail "no first pairing codes in the server's output (what the journal would show)"
ok "first pairing codes printed to stdout (the journal, under systemd)"

reply="$(python3 - "$CHECK_DISCOVERY_PORT" "$DISCOVERY_TIMEOUT_SECONDS" <<'PY'
# One discovery probe (docs/protocol.md, "Discovery"): any site, 256 bytes, broadcast
# on loopback; prints the reply's WebSocket port, site and server id.
import socket, struct, sys
port, timeout = int(sys.argv[1]), float(sys.argv[2])
probe = b"PKBL" + bytes([1]) + struct.pack(">H", 1) + bytes([0])
probe += bytes(256 - len(probe))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
sock.settimeout(timeout)
sock.sendto(probe, ("127.255.255.255", port))
data, sender = sock.recvfrom(2048)
assert data[:5] == b"PKBL\x02", data
ws_port = struct.unpack(">H", data[7:9])[0]
site_len = data[9]
site = data[10:10 + site_len].decode()
id_len = data[10 + site_len]
server_id = data[11 + site_len:11 + site_len + id_len].decode()
print(f"{sender[0]} ws_port={ws_port} site={site} id={server_id[:16]}...")
PY
)" || fail "no discovery reply from the installed server on 127.255.255.255:$CHECK_DISCOVERY_PORT"
[[ "$reply" == *"ws_port=$CHECK_WS_PORT "* ]] || fail "discovery reply names the wrong port: $reply"
ok "discovery answered on loopback: $reply"

code="$(as_unit_user "$exec_start" pairing-code --role warehouse 2>"$work/pairing-code.log")" ||
  { cat "$work/pairing-code.log" >&2; fail "packbell-server pairing-code as $unit_user"; }
[[ "$code" =~ ^[0-9]{4}-[0-9]{4}$ ]] || fail "pairing-code printed '$code'"
ok "packbell-server pairing-code --role warehouse (as $unit_user, while it runs): $code"

kill -TERM "$server_pid"
for _ in $(seq 1 $((SERVER_STOP_SECONDS * 10))); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$server_pid" 2>/dev/null && fail "the server did not stop within ${SERVER_STOP_SECONDS}s of SIGTERM"
wait "$server_pid" || fail "the server exited with status $? after SIGTERM"
server_pid=""
ok "stopped by SIGTERM (the unit's KillSignal), exit status 0"
data_files="$(find "$root/var/lib/packbell" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | paste -sd' ' -)"
foreign="$(find "$root/var/lib/packbell" ! -user "$uid" -printf '%P ')"
[ -z "$foreign" ] || fail "files in /var/lib/packbell not owned by $unit_user: $foreign"
ok "/var/lib/packbell holds: $data_files (all owned by $unit_user)"

# ------------------------------------------------------------------ 5. dpkg -r
step "dpkg -r ${programs[*]}"
in_root dpkg -r "${programs[@]}" >"$work/dpkg-r.log" 2>&1 || { cat "$work/dpkg-r.log" >&2; fail "dpkg -r"; }
for program in "${programs[@]}"; do
  [ ! -e "$root/usr/bin/$program" ] || fail "/usr/bin/$program left after dpkg -r"
done
[ -d "$root/var/lib/packbell" ] || fail "dpkg -r deleted the data dir (it must keep it)"
in_root getent passwd packbell >/dev/null || fail "dpkg -r deleted the packbell user (it must keep it)"
[ -f "$root/etc/default/packbell-server" ] || fail "dpkg -r deleted the server's settings (a conffile)"
[ -f "$root/etc/xdg/autostart/packbell-warehouse.desktop" ] || fail "dpkg -r deleted the autostart entry (a conffile)"
# dpkg's own records (/var/lib/dpkg/info) of a removed, not purged, package are not listed.
left="$(find "$root/" -xdev -path "$root/proc" -prune -o -name '*packbell*' -print | sed "s|^$root||" |
  grep -v '^/var/lib/dpkg/info/' | sort | paste -sd' ' -)"
ok "programs gone; kept as documented: $left, user packbell"

# ------------------------------------------------------------------ 6. dpkg -P
step "dpkg -P ${programs[*]}"
in_root dpkg -P "${programs[@]}" >"$work/dpkg-p.log" 2>&1 || { cat "$work/dpkg-p.log" >&2; fail "dpkg -P"; }
left="$(find "$root/" -xdev -path "$root/proc" -prune -o -name '*packbell*' -print | sed "s|^$root||" | paste -sd' ' -)"
[ -z "$left" ] || fail "left after dpkg -P: $left"
in_root getent passwd packbell >/dev/null && fail "the packbell user is left after dpkg -P"
in_root getent group packbell >/dev/null && fail "the packbell group is left after dpkg -P"
for program in "${programs[@]}"; do
  in_root dpkg-query -W "$program" >/dev/null 2>&1 && fail "dpkg still knows $program after purge"
done
ok "nothing named packbell left in the root; user and group gone"

echo "package-check: all passed in $(($(date +%s) - started)) s ($mode)"
