#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages packbell needs to build, test and show its windows.
# Idempotent: does nothing when everything is already present. Needs root or sudo.
set -euo pipefail

packages=(
  # build: rustup needs curl to install Rust and a C linker; alsa-sys needs the rest
  curl ca-certificates build-essential pkg-config libasound2-dev libxkbcommon-dev
  # windows under Xvfb, screenshots, and finding a button's words in one (e2e scripts)
  xvfb xauth imagemagick x11-utils xdotool tesseract-ocr tesseract-ocr-eng
  # rendering without a GPU (lavapipe / llvmpipe), X11 client libraries loaded at run time
  mesa-vulkan-drivers libvulkan1 libegl1 libgl1 libgl1-mesa-dri libegl-mesa0
  libxkbcommon-x11-0 libx11-xcb1 libxcursor1 libxi6 libxrandr2 fonts-dejavu-core
  # sound to a file and its measurement; desktop notifications on a private bus
  sox alsa-utils dunst libnotify-bin dbus-x11
  # the protocol's reference client in Python
  python3 python3-venv
  # packaging files checked by scripts/package-lint.sh (desktop-file-validate)
  desktop-file-utils
  # network namespaces, bridges and firewall rules for scripts/net-topologies.sh
  iproute2 nftables
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "packbell: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "packbell: installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
