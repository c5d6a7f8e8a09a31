# Finding a button by its words in a screenshot, for the end-to-end scripts: no fixed
# coordinates, so a layout change moves the click with the button.
# Needs ImageMagick (convert) and tesseract (scripts/install-deps.sh installs both).

# find_word IMAGE PREFIX: prints the centre "X Y" (image pixels) of the topmost word
# that starts with PREFIX; prints nothing when there is none.
find_word() {
  # Read at twice the size and in negative grey: small UI text is read far more
  # reliably, and light text on dark or coloured buttons becomes dark on light.
  convert "$1" -resize 200% -colorspace Gray -negate "$1.x2.png" &&
    tesseract "$1.x2.png" - tsv 2>/dev/null | awk -F'\t' -v w="$2" '
      NR > 1 && index($12, w) == 1 && (best == "" || $8 < top) {
        top = $8; best = int(($7 + $9 / 2) / 2) " " int(($8 + $10 / 2) / 2)
      }
      END { if (best != "") print best }'
}

# find_exact_word IMAGE WORD: like find_word, for the topmost word that is exactly
# WORD ("Export" and not the "Exports" tab above it).
find_exact_word() {
  convert "$1" -resize 200% -colorspace Gray -negate "$1.x2.png" &&
    tesseract "$1.x2.png" - tsv 2>/dev/null | awk -F'\t' -v w="$2" '
      NR > 1 && $12 == w && (best == "" || $8 < top) {
        top = $8; best = int(($7 + $9 / 2) / 2) " " int(($8 + $10 / 2) / 2)
      }
      END { if (best != "") print best }'
}
