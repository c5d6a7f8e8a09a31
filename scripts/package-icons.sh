#!/usr/bin/env bash
# Renders assets/icons/packbell.svg to the PNG sizes desktops ask for and to the
# Windows .ico. The outputs are committed; run this again only after editing the SVG.
# Needs rsvg-convert (Debian: librsvg2-bin) and ImageMagick's convert.
set -euo pipefail
cd "$(dirname "$0")/../assets/icons"

command -v rsvg-convert >/dev/null || { echo "package-icons: rsvg-convert missing (apt-get install librsvg2-bin)" >&2; exit 1; }
command -v convert >/dev/null || { echo "package-icons: convert missing (apt-get install imagemagick)" >&2; exit 1; }

sizes=(16 32 48 64 128 256)
for size in "${sizes[@]}"; do
  rsvg-convert -w "$size" -h "$size" packbell.svg -o "packbell-$size.png"
done
# Windows picks the nearest size from the .ico: the small ones for lists and the
# taskbar, 256 for large icon views.
convert packbell-16.png packbell-32.png packbell-48.png packbell-64.png packbell-128.png \
  packbell-256.png packbell.ico
echo "package-icons: wrote ${sizes[*]} px PNGs and packbell.ico"
