#!/bin/sh
# Makes the fonts coala-report embeds for Arabic and Simplified Chinese from
# Debian's Noto packages, with fonttools' subsetter. The same inputs and the
# same fonttools version give the same bytes (see fonts/README.md).
#
#   apt-get install fonts-noto-core fonts-noto-cjk   # or: apt-get download + dpkg-deb -x
#   pip install fonttools==4.69.1
#   fonts/make.sh [FONT_ROOT]     # FONT_ROOT defaults to /usr/share/fonts
set -eu
root=${1:-/usr/share/fonts}
out=$(dirname "$0")
noto=$root/truetype/noto
cjk=$root/opentype/noto
export SOURCE_DATE_EPOCH=0

# Arabic: Noto Naskh Arabic as Debian ships it (small; nothing to remove).
cp "$noto/NotoNaskhArabic-Regular.ttf" "$noto/NotoNaskhArabic-Bold.ttf" "$out/"

# Simplified Chinese: the serif (body text) has every character of GB 2312
# (6,763 hanzi, CJK and full-width punctuation, kana, the other symbols of
# the standard), the sans (headings, code) its level 1 (the 3,755 commonest
# hanzi) and symbols; both add the CJK Symbols and Punctuation and the
# Halfwidth and Fullwidth Forms blocks and the general punctuation Chinese
# text uses. A heading's rarer hanzi come from the serif.
charset() {
python3 - "$1" <<'PY'
import sys
last = int(sys.argv[1], 16)
chars = set()
for hi in range(0xA1, last + 1):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
chars.update(map(chr, range(0x3000, 0x3040)))
chars.update(map(chr, range(0xFF01, 0xFF61)))
chars.update("\u00b7\u2014\u2015\u2016\u2018\u2019\u201c\u201d\u2026\u2030\u2032\u2033\u203b")
chars.discard("\ufeff")
print(",".join("U+%04X" % ord(c) for c in sorted(chars)))
PY
}
charset F7 >"$out/gb2312.txt"
charset D7 >"$out/gb2312-1.txt"

# Face 2 of Debian's collections is the SC (Simplified Chinese) face.
for face in Serif:Regular Serif:Bold Sans:Regular Sans:Bold; do
    style=${face%%:*}
    weight=${face##*:}
    set=gb2312
    [ "$style" = Sans ] && set=gb2312-1
    pyftsubset "$cjk/Noto${style}CJK-${weight}.ttc" --font-number=2 \
        --unicodes-file="$out/$set.txt" \
        --layout-features+=halt,palt --no-hinting --name-IDs='*' \
        --output-file="$out/Noto${style}CJKsc-${weight}-$set.otf"
done
rm "$out/gb2312.txt" "$out/gb2312-1.txt"
