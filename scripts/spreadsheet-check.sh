#!/usr/bin/env bash
# Opens real exports in a real spreadsheet: seeds a data dir with texts a spreadsheet
# would run as formulas or mangle, exports every kind with both delimiters, has
# LibreOffice Calc (headless) import each CSV with formula evaluation on (as a
# double-click would) and save it as .xlsx, then reads the cells back with openpyxl:
# no formula cells, accents intact, numbers numeric. A control file with a raw formula
# must come back as a formula, or the check could not see one.
#
# Not part of the test command: LibreOffice is a large install. Installs it (Debian's
# libreoffice-calc-nogui) and openpyxl when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v soffice >/dev/null; then
  echo "packbell: installing LibreOffice Calc (headless)" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    libreoffice-calc-nogui
fi
target_dir="${CARGO_TARGET_DIR:-target}"
venv="$target_dir/spreadsheet-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import openpyxl' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'openpyxl==3.1.5'
fi

cargo build --locked -q -p packbell-server --bin packbell-server --example seed_spreadsheet_check
bin="$target_dir/debug"
work="$target_dir/spreadsheet-check"
rm -rf "$work"
mkdir -p "$work"
day=$(date +%F)
"$bin/examples/seed_spreadsheet_check" "$work/data" "$day"

for delimiter in comma semicolon; do
  for kind in audit orders summary hourly; do
    "$bin/packbell-server" --data-dir "$work/data" export --kind "$kind" --from "$day" \
      --to "$day" --delimiter "$delimiter" --out "$work/$kind-$delimiter.csv" 2>/dev/null
  done
done
printf '\xef\xbb\xbfplain,formula\nx,=1+2\n' >"$work/control-comma.csv"

# LibreOffice's CSV import options: separator, quote, UTF-8, first line, column
# formats, language (1033 en-US; 3082 es-ES reads decimal commas), quoted as text,
# detect special numbers, ..., evaluate formulas (the 13th).
convert() {
  local csv=$1 separator=$2 language=$3
  soffice --headless -env:UserInstallation="file://$PWD/$work/profile" \
    --infilter="CSV:$separator,34,76,1,,$language,false,true,false,false,false,-1,true" \
    --convert-to xlsx --outdir "$work" "$csv" >/dev/null 2>&1
}
for csv in "$work"/*-comma.csv; do convert "$csv" 44 1033; done
for csv in "$work"/*-semicolon.csv; do convert "$csv" 59 3082; done
mv "$work/control-comma.xlsx" "$work/control.xlsx"
rm "$work/control-comma.csv"

"$venv/bin/python" scripts/spreadsheet/check.py "$work"
