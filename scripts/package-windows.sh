#!/usr/bin/env bash
# Cross-builds the three programs for Windows (x86_64-pc-windows-gnu, mingw-w64) in
# release and makes the installer dist/packbell-VERSION-windows-x64.exe with
# installer/windows/packbell.nsi and Debian's makensis.
#
# Usage: scripts/package-windows.sh [--try-wine]
#   --try-wine  afterwards, runs the server .exe under wine, pairs the Python reference
#               client with it and sends an order (loopback only), and opens the
#               warehouse .exe under wine on Xvfb with --renderer glow for a screenshot
#               (dist/windows-warehouse-wine.png).
#
# When the Windows target cannot be had (rustup offline), says so and exits 0: nothing
# else depends on this script.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
target=x86_64-pc-windows-gnu
out="${PACKBELL_DIST:-$repo/dist}"
programs=(packbell-server packbell-office packbell-warehouse)
try_wine=0
[ "${1:-}" = "--try-wine" ] && try_wine=1

fail() { echo "package-windows: $*" >&2; exit 1; }
started=$(date +%s)

# ------------------------------------------------------------------ tools
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  if ! rustup target add "$target" >/dev/null 2>&1; then
    echo "package-windows: the Rust target $target cannot be installed here (rustup could not" \
      "download it: offline?). No Windows build was made." >&2
    exit 0
  fi
fi
missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
command -v makensis >/dev/null || missing+=(nsis)
if [ $try_wine -eq 1 ]; then
  command -v wine >/dev/null || missing+=(wine wine64)
  command -v Xvfb >/dev/null || missing+=(xvfb)
fi
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || fail "missing Debian packages: ${missing[*]} (apt-get install them as root)"
  echo "package-windows: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
bin_dir="$target_dir/$target/release"

# ------------------------------------------------------------------ build
echo "== cross-build ($target, release)"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
cargo build --release --locked --target "$target" $(printf -- '-p %s ' "${programs[@]}")
built=$(date +%s)

echo "== installer (makensis $(makensis -VERSION))"
mkdir -p "$out"
installer="$out/packbell-$version-windows-x64.exe"
makensis -V2 -DVERSION="$version" -DBIN_DIR="$bin_dir" -DICON="$repo/assets/icons/packbell.ico" \
  -DOUT_FILE="$installer" installer/windows/packbell.nsi
finished=$(date +%s)

for program in "${programs[@]}"; do
  printf '%-58s %10s bytes\n' "${bin_dir#"$repo"/}/$program.exe" "$(stat -c %s "$bin_dir/$program.exe")"
done
printf '%-58s %10s bytes\n' "${installer#"$repo"/}" "$(stat -c %s "$installer")"
echo "package-windows: built in $((finished - started)) s (cross-build $((built - started)) s)"

[ $try_wine -eq 1 ] || exit 0
exec bash "$repo/scripts/package-windows-wine.sh" "$bin_dir" "$out"
