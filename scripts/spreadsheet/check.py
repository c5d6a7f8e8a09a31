"""Reads back CSV exports that LibreOffice Calc imported (formulas evaluated, as a
spreadsheet user's double-click would) and saved as .xlsx, and checks what a person
opening them would meet: no formula cells, accents intact, numbers numeric, dates.

Usage: check.py WORK_DIR   (holds <kind>-<comma|semicolon>.csv and .xlsx, control.xlsx)
"""

import csv
import datetime
import pathlib
import sys

import openpyxl

NUMERIC = {"seq", "order_id", "orders", "packed", "cancelled", "pending", "recalls"}
SECONDS = ("wait_seconds", "wait_mean_seconds", "wait_median_seconds",
           "wait_p90_seconds", "wait_max_seconds")
DATES = {"time", "created", "closed"}
HOURS = {"hour"}


def cells(path):
    sheet = openpyxl.load_workbook(path).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


def main(work):
    failures = []
    control = cells(work / "control.xlsx")
    if not any(c.data_type == "f" for row in control for c in row):
        failures.append("control.xlsx: the raw formula did not import as a formula, "
                        "so this check could not see one")
    checked = 0
    for xlsx in sorted(work.glob("*-*.xlsx")):
        delimiter = ";" if xlsx.stem.endswith("semicolon") else ","
        with open(xlsx.with_suffix(".csv"), encoding="utf-8-sig", newline="") as f:
            source = list(csv.reader(f, delimiter=delimiter))
        header, rows = source[0], source[1:]
        sheet = cells(xlsx)
        got_header = [c.value for c in sheet[0]]
        if got_header[: len(header)] != header:
            failures.append(f"{xlsx.name}: header {got_header} != {header}")
            continue
        for r, (row, got) in enumerate(zip(rows, sheet[1:]), start=2):
            for name, text, cell in zip(header, row, got):
                where = f"{xlsx.name} row {r} {name}"
                checked += 1
                if cell.data_type == "f":
                    failures.append(f"{where}: a formula cell {cell.value!r}")
                elif text == "":
                    continue
                elif name in NUMERIC or name in SECONDS:
                    if not isinstance(cell.value, (int, float)):
                        failures.append(f"{where}: {text!r} came in as {cell.value!r}, not a number")
                elif name in DATES:
                    if not isinstance(cell.value, datetime.datetime):
                        failures.append(f"{where}: {text!r} came in as {cell.value!r}, not a date")
                elif name in HOURS and text[:1].isdigit():
                    if not isinstance(cell.value, datetime.time):
                        failures.append(f"{where}: {text!r} came in as {cell.value!r}, not a time")
                elif isinstance(cell.value, str):
                    # The leading ' that made the cell inert may be shown or eaten;
                    # the rest must be the text as written, accents included.
                    if cell.value.lstrip("'") != text.lstrip("'"):
                        failures.append(f"{where}: {text!r} came in as {cell.value!r}")
                elif text.lstrip("'") != str(cell.value):
                    failures.append(f"{where}: {text!r} came in as {cell.value!r}")
    print(f"spreadsheet check: {checked} cells of {len(list(work.glob('*-*.xlsx')))} "
          "workbooks compared: no formulas, texts and accents intact, numbers numeric, "
          "dates and hours parsed" if not failures else "spreadsheet check: FAILED")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
