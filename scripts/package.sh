#!/usr/bin/env bash
# Builds the Linux packages in dist/ (or $PACKBELL_DIST): one .deb per program
# (packbell-server, packbell-office, packbell-warehouse) and a .tar.gz of the three
# binaries with the unit, desktop entries and icons. One release build, then
# cargo-packager for the .debs, then dpkg-deb to add what cargo-packager cannot
# express (maintainer scripts, conffiles). Prints each file's size and the time taken.
#
# Usage: scripts/package.sh            (needs cargo-packager: cargo install cargo-packager --locked)
#        PACKBELL_PACKAGE_PROFILE=dev scripts/package.sh
#          packages the debug binaries instead: much faster to build, for checking the
#          packaging itself (never to ship: large and slow binaries).
# Check the result for real with scripts/package-check.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
out="${PACKBELL_DIST:-$repo/dist}"
programs=(packbell-server packbell-office packbell-warehouse)

fail() { echo "package: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing (a Debian or Ubuntu machine is needed)"
cargo packager --version >/dev/null 2>&1 ||
  fail "cargo-packager is missing: cargo install cargo-packager --locked"

started=$(date +%s)
version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"
[ -n "$version" ] || fail "no version in Cargo.toml's [workspace.package]"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
profile="${PACKBELL_PACKAGE_PROFILE:-release}"
case "$profile" in
  release) bin_dir="$target_dir/release"; compression=xz ;;
  # gzip: xz on ~100 MB debug binaries takes minutes.
  dev) bin_dir="$target_dir/debug"; compression=gzip
    echo "package: PACKBELL_PACKAGE_PROFILE=dev: debug binaries, for checking the packaging only" >&2 ;;
  *) fail "PACKBELL_PACKAGE_PROFILE must be release or dev, not '$profile'" ;;
esac

echo "== $profile build (${programs[*]})"
cargo build --profile "$profile" --locked $(printf -- '-p %s ' "${programs[@]}")
built=$(date +%s)

rm -rf "$out"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/packbell-package.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== cargo packager (deb)"
# Run from installer/: cargo-packager also searches the current directory tree for
# packager.toml files, and the repository root would make it walk all of target/.
(cd installer && cargo packager --manifest-path "$repo/Cargo.toml" \
  --formats deb --packages "$(IFS=,; echo "${programs[*]}")" \
  --binaries-dir "$bin_dir" --out-dir "$work/packager" --quite)

# Adds the maintainer scripts and conffiles of one package and writes it to $out.
finish_deb() {
  local program="$1" conffiles="$2" scripts_dir="${3:-}"
  local deb="$work/packager/${program}_${version}_amd64.deb"
  [ -f "$deb" ] || fail "cargo-packager made no $deb"
  local root="$work/root-$program"
  dpkg-deb --raw-extract "$deb" "$root"
  if [ -n "$scripts_dir" ]; then
    install -m 0755 "$scripts_dir"/postinst "$scripts_dir"/prerm "$scripts_dir"/postrm "$root/DEBIAN/"
  fi
  if [ -n "$conffiles" ]; then
    printf '%s\n' $conffiles >"$root/DEBIAN/conffiles"
  fi
  dpkg-deb --root-owner-group -Z"$compression" --build "$root" "$out/${program}_${version}_amd64.deb" >/dev/null
}
finish_deb packbell-server /etc/default/packbell-server "$repo/installer/linux/server-scripts"
finish_deb packbell-office ""
finish_deb packbell-warehouse /etc/xdg/autostart/packbell-warehouse.desktop

echo "== tar.gz"
tar_root="$work/packbell-$version-x86_64-linux"
mkdir -p "$tar_root/bin" "$tar_root/share/applications" "$tar_root/share/icons" "$tar_root/systemd"
for program in "${programs[@]}"; do
  install -m 0755 "$bin_dir/$program" "$tar_root/bin/"
done
install -m 0644 installer/linux/packbell-office.desktop installer/linux/packbell-warehouse.desktop \
  "$tar_root/share/applications/"
install -m 0644 assets/icons/packbell-*.png assets/icons/packbell.svg "$tar_root/share/icons/"
install -m 0644 installer/linux/packbell-server.service installer/linux/packbell-server.default \
  "$tar_root/systemd/"
install -m 0644 installer/README.md "$tar_root/"
tar -C "$work" --owner=0 --group=0 -czf "$out/packbell-$version-x86_64-linux.tar.gz" \
  "packbell-$version-x86_64-linux"

finished=$(date +%s)
echo "== sizes"
for program in "${programs[@]}"; do
  printf '%-48s %10s bytes\n' "${bin_dir#"$repo"/}/$program" "$(stat -c %s "$bin_dir/$program")"
done
for file in "$out"/*; do
  printf '%-48s %10s bytes\n' "${file#"$repo"/}" "$(stat -c %s "$file")"
done
echo "package: done in $((finished - started)) s ($profile build $((built - started)) s)"
