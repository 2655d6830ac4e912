#!/bin/sh
# Debian's Chromium for Ace's puppeteer (tests/testsuite/accessibility.rs):
# as root (CI) Chromium needs --no-sandbox; no background networking, the
# machine has none.
exec "${CHROMIUM:-/usr/bin/chromium}" --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run "$@"
