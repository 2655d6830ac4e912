// End-to-end test of `coala-report watch --serve` in a real browser
// (Debian's headless Chromium, driven by playwright-core).
//
//   node tests/browser/preview.mjs BASE_URL ARTICLE.md SCREENSHOT.png [CHROMIUM]
//
// BASE_URL is the running watch server (http://127.0.0.1:PORT/); ARTICLE.md
// is an article of its report, edited here as an author would. The script
// opens the page preview, edits the article and checks that the changed
// page is swapped in without a reload and scrolled to; opens the article's
// web page, edits again and checks that it reloads by itself with the new
// text; breaks the article and checks the overlay (file:line:col) over the
// last good pages; mends it and checks the overlay goes. Exits 0 on
// success, 1 on failure.

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checks, confinedPage, launch } from './browser.mjs';

const [base, article, screenshot, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
if (!base || !article || !screenshot) {
  console.error('usage: node preview.mjs BASE_URL ARTICLE.md SCREENSHOT.png [CHROMIUM]');
  process.exit(2);
}
const origin = new URL(base).origin;
const original = await readFile(article, 'utf8');
const name = path.basename(article, '.md');

const { check, fail, finish } = checks();

let browser;
let close;
try {
  ({ browser, close } = await launch(executablePath, { width: 1000, height: 800 }));
  // Nothing but the watch server is contacted.
  const page = await confinedPage(browser, origin);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const timeout = { timeout: 60_000 };

  // 1. The page preview: the pages of the PDF, drawn from SVG.
  await page.goto(origin + '/_coala/preview', { waitUntil: 'load' });
  const pages = await page.locator('#coala-pages img').count();
  check(pages > 1, `the preview shows the PDF's pages (${pages})`);
  await page.waitForFunction(() => {
    const img = document.getElementById('page-1');
    return img && img.complete && img.naturalWidth > 0;
  }, null, timeout);
  check(true, 'the first page is drawn');
  const before = await page.locator('#coala-pages img').evaluateAll((imgs) => imgs.map((i) => i.dataset.hash));
  const generation = Number(await page.evaluate(() => document.body.dataset.pagesGeneration));
  await page.evaluate(() => {
    window.coalaNotReloaded = true;
    window.scrollTo(0, 0);
  });

  // An author's edit: a sentence at the end of the article.
  await writeFile(article, original + '\nA sentence the browser test added, to be seen at once.\n');
  await page.waitForFunction((g) => Number(document.body.dataset.pagesGeneration) > g, generation, timeout);
  check(await page.evaluate(() => window.coalaNotReloaded === true), 'the preview updated without a reload');
  const after = await page.locator('#coala-pages img').evaluateAll((imgs) => imgs.map((i) => i.dataset.hash));
  const changed = after.map((h, i) => (h !== before[i] ? i + 1 : 0)).filter((n) => n > 0);
  check(changed.length > 0 && changed.length < pages, `only some pages changed (${changed.join(', ')} of ${pages})`);
  const first = changed[0];
  await page.waitForFunction((n) => {
    const img = document.getElementById('page-' + n);
    return img.complete && img.naturalWidth > 0 && img.src.includes(img.dataset.hash);
  }, first, timeout);
  check(true, `the changed page ${first} is drawn again`);
  const inView = await page.locator(`#page-${first}`).evaluate((img) => {
    const r = img.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight;
  });
  check(inView, `the preview scrolled to the first changed page (${first})`);
  check(
    await page.locator(`#page-${first}`).evaluate((img) => img.classList.contains('coala-changed')),
    'the changed page is marked',
  );
  await page.screenshot({ path: screenshot.replace(/(\.png)?$/, '-preview.png') });

  // 2. The article's web page reloads by itself after a rebuild. The
  // preview's pages come when typst has laid the report out, before the
  // build has written its other editions: wait for the build's end, or the
  // web page opened now is of the last build and reloads itself at once.
  const typeset = Number(await page.evaluate(() => document.body.dataset.pagesGeneration));
  await page.waitForFunction(
    (g) => Number(document.documentElement.dataset.coalaGeneration) >= g,
    typeset,
    timeout,
  );
  await page.goto(`${origin}/html/${name}.html`, { waitUntil: 'load' });
  check((await page.locator('script[src="/_coala/live.js"]').count()) === 1, 'the served web page has the live script');
  await page.evaluate(() => {
    window.coalaNotReloaded = true;
  });
  const reloaded = page.waitForEvent('framenavigated', timeout);
  await writeFile(article, original + '\nZebrafinches sing after a rebuild.\n');
  await reloaded;
  await page.waitForLoadState('load');
  check(await page.evaluate(() => window.coalaNotReloaded === undefined), 'the web page reloaded by itself');
  check((await page.locator('main').textContent()).includes('Zebrafinches sing'), 'the reloaded page shows the edit');

  // 3. A broken edit: the overlay names file:line:col over the last good page.
  await page.goto(origin + '/_coala/preview', { waitUntil: 'load' });
  const kept = await page.locator('#coala-pages img').count();
  const broken = original + '\nZebrafinches sing after a rebuild.\n\n![A figure that is not there](img/no-such-figure.png)\n';
  await writeFile(article, broken);
  const overlay = page.locator('#coala-overlay');
  await overlay.waitFor({ state: 'visible', ...timeout });
  const text = await overlay.textContent();
  const line = broken.split('\n').findIndex((l) => l.includes('no-such-figure')) + 1;
  check(text.includes('failed'), `the overlay says the rebuild failed: ${text.slice(0, 80)}`);
  check(
    new RegExp(`report/${name}\\.md:${line}:\\d+`).test(text),
    `the overlay names report/${name}.md:${line}:col (${text})`,
  );
  check((await page.locator('#coala-pages img').count()) === kept, 'the last good pages stay');
  await page.screenshot({ path: screenshot });
  console.log(`screenshot: ${screenshot}`);
  await page.locator('#coala-overlay button').click();
  check((await overlay.count()) === 0, 'the overlay is dismissed');

  // Mended: the next good build's page shows no overlay.
  const g = await page.evaluate(() => Number(document.documentElement.dataset.coalaGeneration));
  await writeFile(article, original);
  await page.waitForFunction((g0) => Number(document.documentElement.dataset.coalaGeneration) > g0, g, timeout);
  check((await overlay.count()) === 0, 'no overlay after the mended rebuild');
  check(pageErrors.length === 0, `no script error (${pageErrors.join('; ')})`);
} catch (e) {
  fail(e);
} finally {
  await close?.();
  await writeFile(article, original);
}

finish('all preview checks passed');
