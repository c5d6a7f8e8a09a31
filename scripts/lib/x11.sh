# X11 helpers for the end-to-end scripts: an Xvfb screen, xdotool calls that cannot
# hang, screenshots (settled ones too), and finding the pairing dialog's code field.
# The sourcing script defines $work (its scratch folder), fail() and a `pids` array
# (processes its EXIT trap stops).

# Polls `cmd` every 0.2 s for up to $1 seconds.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

# An X server on a free display number (Xvfb picks it and writes it to fd 3); sets
# $display. start_xvfb NAME [WIDTHxHEIGHT] (default 1366x768, the common shop PC).
start_xvfb() {
  local name=$1 size=${2:-1366x768}
  Xvfb -displayfd 3 -screen 0 "${size}x24" -nolisten tcp \
    3>"$work/$name.display" 2>"$work/xvfb-$name.log" &
  pids+=($!)
  wait_for 20 test -s "$work/$name.display" || fail "Xvfb for the $name did not start"
  display=":$(head -n1 "$work/$name.display")"
}

# xdotool on display $1; no call may hang the run.
XDOTOOL_TIMEOUT=10
xdo() {
  DISPLAY="$1" timeout "$XDOTOOL_TIMEOUT" xdotool "${@:2}"
}
window_of() {
  xdo "$1" search --pid "$2" --onlyvisible 2>/dev/null | head -n1
}
has_window() { [ -n "$(window_of "$1" "$2")" ]; }

shot() {  # display window file
  DISPLAY="$1" import -window "$2" "$3" 2>>"$work/import.log"
}

# A screenshot taken once the window has caught up with the input sent to it: two
# shots in a row that differ by no more than a blinking text cursor.
SETTLED_PIXELS=200
settled_shot() {  # display window file
  local display=$1 window=$2 file=$3 tries changed
  shot "$display" "$window" "$file" || return 1
  for tries in $(seq 20); do
    sleep 0.5
    shot "$display" "$window" "$file.next.png" || return 1
    changed="$(compare -metric AE "$file" "$file.next.png" null: 2>&1 || true)"
    mv "$file.next.png" "$file"
    [[ "$changed" =~ ^[0-9]+$ ]] && [ "$changed" -le $SETTLED_PIXELS ] && return 0
  done
  return 0
}

# Where the code field of a pairing dialog is, in window coordinates ("X Y"), found in
# a screenshot: a wide box of one colour nested in the dialog's own colour, which is
# not the (dimmed) colour of the window behind the dialog.
find_code_field() {
  convert "$1" ppm:- | python3 -c '
import sys
data = sys.stdin.buffer.read()
fields, pos = [], 0
while len(fields) < 4:  # P6, width, height, maxval; comments start with #
    while data[pos:pos + 1].isspace():
        pos += 1
    if data[pos:pos + 1] == b"#":
        pos = data.index(b"\n", pos) + 1
        continue
    end = pos
    while not data[end:end + 1].isspace():
        end += 1
    fields.append(data[pos:end])
    pos = end
width, height = int(fields[1]), int(fields[2])
pixels = data[pos + 1:]
def at(x, y):
    i = (y * width + x) * 3
    return pixels[i:i + 3]
centre = width // 2
behind = at(2, height // 2)
rows = []
for y in range(height):
    colour = at(centre, y)
    left = right = centre
    while left > 0 and at(left - 1, y) == colour:
        left -= 1
    while right < width - 1 and at(right + 1, y) == colour:
        right += 1
    if right - left < 250 or left < 8 or right > width - 9:
        continue
    outside = [at(x, y) for x in (left - 6, left - 4, right + 4, right + 6)]
    if len(set(outside)) == 1 and outside[0] not in (colour, behind):
        rows.append(y)
groups, start = [], None
for y, next_y in zip(rows, rows[1:] + [None]):
    start = y if start is None else start
    if next_y != y + 1:
        groups.append((start, y))
        start = None
groups = [g for g in groups if g[1] - g[0] >= 12]
if not groups:
    sys.exit(1)
top, bottom = max(groups, key=lambda g: g[1] - g[0])
print(centre, (top + bottom) // 2)
'
}
