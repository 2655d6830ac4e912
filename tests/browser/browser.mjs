// What the browser tests share: Debian's headless Chromium launched by
// playwright-core with a fresh profile (no browser is downloaded), a page
// that may contact only one origin, and the checks' tally.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/// Launches Chromium with a fresh profile (--user-data-dir, which playwright
/// passes for a persistent context). `close()` ends it and removes the
/// profile.
export async function launch(executablePath, viewport) {
  const profile = await mkdtemp(path.join(tmpdir(), 'coala-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const close = async () => {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  };
  return { browser, close };
}

/// A new page that contacts nothing but `origin`.
export async function confinedPage(browser, origin) {
  const page = await browser.newPage();
  await page.route('**/*', (route) =>
    route.request().url().startsWith(origin + '/') ? route.continue() : route.abort(),
  );
  return page;
}

/// The checks: `check(ok, message)` prints and counts, `fail(error)` counts an
/// exception; `finish(passed)` exits 1 if any failed, else prints `passed`.
export function checks() {
  const failures = [];
  const check = (ok, message) => {
    if (ok) console.log(`ok: ${message}`);
    else {
      console.log(`FAILED: ${message}`);
      failures.push(message);
    }
  };
  const fail = (e) => {
    failures.push(String(e?.stack ?? e));
    console.log(`FAILED: ${e?.stack ?? e}`);
  };
  const finish = (passed) => {
    if (failures.length > 0) {
      console.log(`${failures.length} check(s) failed`);
      process.exit(1);
    }
    console.log(passed);
  };
  return { check, fail, finish, failures };
}
