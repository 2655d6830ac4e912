#!/bin/sh
# The performance benchmark; see docs/performance.md.
#
#   scripts/bench.sh [generated] [eips] [docx] [--articles N] [--no-pandoc]
#
# Builds with the same profile as `cargo run`/`cargo test` (dependencies
# optimised, nothing compiled twice). Pandoc is found through $PANDOC, then
# PATH, then a pypandoc-binary venv in /tmp/pandoc-venv
# (python3 -m venv /tmp/pandoc-venv && /tmp/pandoc-venv/bin/pip install pypandoc-binary).
set -eu
cd "$(dirname "$0")/.."
if [ -z "${PANDOC:-}" ] && ! command -v pandoc >/dev/null 2>&1; then
    for p in /tmp/pandoc-venv/lib/python3*/site-packages/pypandoc/files/pandoc; do
        if [ -x "$p" ]; then PANDOC=$p; export PANDOC; fi
    done
fi
# Our crate optimised as `cargo install` builds it; the dependencies are the
# dev profile's (already opt-level 3), so only coala-report is recompiled.
exec cargo bench --profile dev --config 'profile.dev.package.coala-report.opt-level=3' --bench report -- "$@"
