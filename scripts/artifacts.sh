#!/bin/sh
# Builds every artifact of the sample report (both editions: PDF, EPUB, web
# edition, Typst source), of a variant of it with offprints, one reference
# list at the end (`[bibliography] placement = "end"`) and formulas, and of
# the EIP corpus (../shared/corpus/eips) with one binary, into OUT; run it with the binary before and after a change and
# compare the folders byte for byte:
#
#   scripts/artifacts.sh target/debug/coala-report /tmp/before
#   ... change, cargo build ...
#   scripts/artifacts.sh target/debug/coala-report /tmp/after
#   diff -r /tmp/before /tmp/after && echo identical
set -eu
bin=$(realpath "$1")
out=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The sample report, every format, both editions.
mkdir -p "$work/sample"
cp -r "$repo/book.toml" "$repo/translations.lock" "$repo/report" "$repo/styles" "$work/sample/"
(cd "$work/sample" && "$bin" build --quiet --emit-typst --format pdf --format epub --format html)
cp -r "$work/sample/build" "$out/sample"
rm -f "$out/sample/.coala-report.lock"

# The sample again, with offprints and the citation exports, one reference
# list at the end of the report, and an article of formulas.
mkdir -p "$work/variant"
cp -r "$repo/book.toml" "$repo/translations.lock" "$repo/report" "$repo/styles" "$work/variant/"
sed -i -e 's/^placement = "article"/placement = "end"/' \
    -e 's/^front = \["foreword.md", /front = ["foreword.md", "formulas.md", /' "$work/variant/book.toml"
cat >"$work/variant/report/formulas.md" <<'MD'
+++
title = "Formulas"
authors = [{ name = "A. Author" }]
+++

Inline, $e^{i\pi} + 1 = 0$ and $\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$, as
[@nakamoto2008] has it.

$$
\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}
$$

```math
\begin{pmatrix} a & b \\ c & d \end{pmatrix}^{-1}
  = \frac{1}{ad - bc} \begin{pmatrix} d & -b \\ -c & a \end{pmatrix}
```
MD
grep -q '^placement = "end"' "$work/variant/book.toml"
grep -q '"formulas.md"' "$work/variant/book.toml"
(cd "$work/variant" && "$bin" build --quiet --emit-typst --format pdf --format epub --format html --format offprints 2>/dev/null)
cp -r "$work/variant/build" "$out/variant"
rm -f "$out/variant/.coala-report.lock"

# The EIP corpus, as tests/testsuite/eips.rs lays it out.
eips="$repo/../shared/corpus/eips"
if [ -d "$eips" ]; then
    mkdir -p "$work/eips"
    cp -r "$eips/EIPS" "$eips/assets" "$repo/styles" "$work/eips/"
    list=$(sed -e 's|^EIPS/||' -e '/^$/d' -e 's/.*/"&"/' "$eips/ORDER.txt" | paste -sd, -)
    printf '[book]\ntitle = "Ethereum Improvement Proposals"\nsrc = "EIPS"\ndate = "2026-08-22"\n\n[[part]]\ntitle = "EIPs"\narticles = [%s]\n' "$list" >"$work/eips/book.toml"
    (cd "$work/eips" && "$bin" build --quiet --emit-typst --format pdf --format epub --format html 2>/dev/null)
    cp -r "$work/eips/build" "$out/eips"
    rm -f "$out/eips/.coala-report.lock"
else
    echo "skipped the EIPs: $eips is absent" >&2
fi
find "$out" -type f | wc -l | sed 's/$/ files/'
