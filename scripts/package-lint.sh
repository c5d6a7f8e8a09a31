#!/usr/bin/env bash
# Cheap checks of the packaging files, no build needed (part of scripts/test.sh):
# the server's systemd unit (systemd-analyze verify, warnings count as failures), the
# desktop entries (desktop-file-validate), the server's maintainer scripts (sh -n) and
# the icon sizes. A missing tool is a printed skip, not a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
name="package-lint"
fail() { echo "$name: FAILED: $*" >&2; exit 1; }
checked=()
skipped=()

if command -v systemd-analyze >/dev/null; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-lint.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  # verify insists that ExecStart exists: point it at a stand-in with the same name.
  mkdir -p "$work/bin"
  printf '#!/bin/sh\nexit 0\n' >"$work/bin/packbell-server"
  chmod +x "$work/bin/packbell-server"
  grep -q '^ExecStart=/usr/bin/packbell-server$' installer/linux/packbell-server.service ||
    fail "the unit's ExecStart is not /usr/bin/packbell-server (where the .deb installs it)"
  sed "s|^ExecStart=/usr/bin/|ExecStart=$work/bin/|" installer/linux/packbell-server.service \
    >"$work/packbell-server.service"
  output="$(systemd-analyze verify "$work/packbell-server.service" 2>&1)" || fail "systemd-analyze verify: $output"
  [ -z "$output" ] || fail "systemd-analyze verify warned about installer/linux/packbell-server.service: $output"
  checked+=("unit")
else
  skipped+=("unit (no systemd-analyze)")
fi

if command -v desktop-file-validate >/dev/null; then
  for entry in installer/linux/*.desktop; do
    desktop-file-validate "$entry" || fail "desktop-file-validate $entry"
  done
  checked+=("desktop entries")
else
  skipped+=("desktop entries (no desktop-file-validate: scripts/install-deps.sh installs it)")
fi

for script in installer/linux/server-scripts/*; do
  sh -n "$script" || fail "$script is not valid sh"
  [ -x "$script" ] || fail "$script is not executable"
done
checked+=("maintainer scripts")

for size in 16 32 48 64 128 256; do
  icon="assets/icons/packbell-$size.png"
  [ -f "$icon" ] || fail "$icon is missing (scripts/package-icons.sh makes it)"
  # PNG header: width and height are big-endian at bytes 16-23.
  dims="$(od -An -tu1 -j16 -N8 "$icon" | awk '{print $3*256+$4 "x" $7*256+$8}')"
  [ "$dims" = "${size}x${size}" ] || fail "$icon is $dims, not ${size}x${size}"
done
checked+=("icons")

echo "$name: ok (${checked[*]})${skipped:+; skipped: ${skipped[*]}}"
