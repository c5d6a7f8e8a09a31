#!/usr/bin/env bash
# Renders the warehouse's backlog screenshots (list at 20 and 200 pending on 1366×768
# and 1920×1080, wall mode on both) through egui_kittest into docs/screenshots/, and
# a copy of each downscaled to 25 % (`-25.png`): roughly what a packer sees from 3 m.
# Needs ImageMagick (`convert`) for the downscaled copies.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/docs/screenshots"
PACKBELL_SCREENSHOT_DIR="$out" cargo nextest run -p packbell-warehouse --test views \
    -E 'test(screenshots) | test(wall_mode_)'
command -v convert >/dev/null || { echo "ImageMagick 'convert' not found: no -25 copies" >&2; exit 1; }
for shot in "$out"/warehouse-list-*.png "$out"/warehouse-wall-*.png; do
    case "$shot" in *-25.png) continue ;; esac
    convert "$shot" -resize 25% -strip -define png:exclude-chunks=date,time "${shot%.png}-25.png"
    echo "$shot -> ${shot%.png}-25.png"
done
# The stock alert banner (a critical and a high alert; nine alerts, capped) above the list.
PACKBELL_SCREENSHOT_DIR="$out" cargo nextest run -p packbell-warehouse --test stock_screens
for shot in "$out"/warehouse-stock-*.png; do
    case "$shot" in *-25.png) continue ;; esac
    convert "$shot" -resize 25% -strip -define png:exclude-chunks=date,time "${shot%.png}-25.png"
    echo "$shot -> ${shot%.png}-25.png"
done
