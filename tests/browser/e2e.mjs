// End-to-end test of the web edition in a real browser (Debian's headless
// Chromium, driven by playwright-core; no browser is downloaded).
//
//   node tests/browser/e2e.mjs BUILD_DIR SCREENSHOT.png [CHROMIUM]
//
// BUILD_DIR holds html/ (the site), report.pdf and report.epub. The script
// serves BUILD_DIR from 127.0.0.1 (node's http), opens the site, follows a
// glossary link from an article to its entry, checks the download links,
// searches each edition with the keyboard (a word of the middle article's
// own, a Spanish word in the Spanish edition) and lands on the passage,
// checks the contents sidebar (current page marked, folded on a small
// screen), runs axe-core on every page of every edition (html/, html.*/),
// the search page with results and the sidebar open, in the
// light and the dark colour scheme (any violation fails), checks that links
// are underlined and focus is visible, and saves screenshots. Exits 0 on
// success, 1 on failure.

import { createServer } from 'node:http';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { checks, confinedPage, launch } from './browser.mjs';

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

const [buildDir, screenshot, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
if (!buildDir || !screenshot) {
  console.error('usage: node e2e.mjs BUILD_DIR SCREENSHOT.png [CHROMIUM]');
  process.exit(2);
}
const root = path.resolve(buildDir);

const types = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.epub': 'application/epub+zip',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

// A static server confined to BUILD_DIR.
const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://127.0.0.1');
    const file = path.resolve(root, '.' + decodeURIComponent(url.pathname));
    if (!file.startsWith(root + path.sep)) throw new Error('outside');
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : await readFile(file));
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}/html/`;

const { check, fail, finish } = checks();

let browser;
let close;
try {
  ({ browser, close } = await launch(executablePath, { width: 1200, height: 900 }));
  const context = browser;
  const page = await confinedPage(browser, `http://127.0.0.1:${server.address().port}`);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  async function axe(url, name) {
    await page.goto(url, { waitUntil: 'load' });
    await axeHere(name);
  }

  // axe-core on the page as it is now.
  async function axeHere(name) {
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      }));
    });
    for (const v of result) console.log(`  axe ${name}: ${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
    check(result.length === 0, `axe-core finds no violation on ${name} (${result.length} found)`);
  }

  // The index: title, contents, no script in the page.
  const index = await page.goto(base + 'index.html');
  check(index.status() === 200, 'index.html is served');
  check((await page.locator('h1').first().textContent()).trim().length > 0, 'the index has a title');
  check((await page.locator('nav.contents a').count()) > 3, 'the index lists the contents');
  check(
    (await page.locator('script:not([type="application/ld+json"]):not([src="search.js"])').count()) === 0,
    'the index has no script but its JSON-LD and the search',
  );

  // Download links: every one answers 200 with content.
  const downloads = await page.locator('header a.download').evaluateAll((as) => as.map((a) => a.href));
  check(downloads.length >= 1, `the header links downloads (${downloads.join(', ')})`);
  for (const href of downloads) {
    const r = await context.request.get(href);
    const body = await r.body();
    check(r.status() === 200 && body.length > 0, `download ${href} returns 200 (${r.status()}, ${body.length} bytes)`);
  }

  // From the first article that links the glossary to the entry.
  const articles = await page.locator('nav.contents a').evaluateAll((as) => as.map((a) => a.href));
  let followed = false;
  for (const href of articles) {
    if (href.endsWith('/glossary.html')) continue;
    await page.goto(href);
    const link = page.locator('main a[href^="glossary.html#"]').first();
    if ((await link.count()) === 0) continue;
    const target = await link.getAttribute('href');
    const fragment = decodeURIComponent(target.split('#')[1]);
    await link.click();
    await page.waitForURL('**/glossary.html#*');
    const url = new URL(page.url());
    check(url.pathname.endsWith('/glossary.html'), `the glossary link leads to glossary.html (from ${href})`);
    check(decodeURIComponent(url.hash.slice(1)) === fragment, `the URL fragment is the entry (#${fragment})`);
    const entry = page.locator(`[id="${fragment}"]`);
    check((await entry.count()) === 1, 'the entry is present on the glossary page');
    check(await entry.isVisible(), 'the entry is visible');
    const matches = await page.evaluate(() => document.querySelector(':target')?.id);
    check(matches === fragment, 'the entry is the :target');
    const inView = await entry.evaluate((e) => {
      const r = e.getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    });
    check(inView, 'the browser scrolled to the entry');
    await page.screenshot({ path: screenshot, fullPage: false });
    console.log(`screenshot: ${screenshot}`);
    followed = true;
    await axe(href, `article ${new URL(href).pathname.split('/').pop()}`);
    break;
  }
  check(followed, 'an article links to a glossary entry');

  // The skip link is the first focusable element and leads to main.
  await page.goto(base + 'glossary.html');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('href'));
  check(focused === '#main', 'the first Tab focuses the skip link');

  const outline = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  check(outline.style !== 'none' && outline.width >= 2, `focus is visible (outline ${outline.style} ${outline.width}px)`);

  // Links in the text are underlined: told from the text without colour.
  const undecorated = [];
  for (const file of ['index.html', 'glossary.html', new URL(articles[articles.length > 1 ? 1 : 0]).pathname.split('/').pop()]) {
    await page.goto(base + file);
    undecorated.push(
      ...(await page.locator('main p a:not(.button), main li a:not(.button)').evaluateAll((as) =>
        as.filter((a) => !getComputedStyle(a).textDecorationLine.includes('underline')).map((a) => a.outerHTML.slice(0, 80)),
      )),
    );
  }
  check(undecorated.length === 0, `links in the text are underlined (${undecorated.slice(0, 3).join(' ')})`);

  // The PDF's page breaks are marked in the articles, named by their folio.
  await page.goto(articles.find((href) => !href.endsWith('/index.html')) ?? base + 'index.html');
  const breaks = await page.locator('[role="doc-pagebreak"]').evaluateAll((es) =>
    es.map((e) => ({ label: e.getAttribute('aria-label') ?? '', text: e.textContent.trim(), id: e.id })),
  );
  check(
    breaks.length > 0 && breaks.every((b) => b.id.startsWith('page-') && b.text.length > 0 && b.text.endsWith(b.label.split(' ').pop())),
    `an article marks the PDF's pages (${breaks.map((b) => b.text).join(', ')})`,
  );
  const markShot = screenshot.replace(/(\.png)?$/, '-pagebreak.png');
  if (breaks.length > 0) {
    await page.locator(`[id="${breaks[0].id}"]`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: markShot });
    console.log(`screenshot: ${markShot}`);
  }

  // Search, in every edition: a word found only in the middle article of
  // the contents, typed with the keyboard alone in the header's search
  // form, leads to search.html?q=… and from its first result to the
  // passage; the sidebar marks the page. In the Spanish edition, a Spanish
  // word too.
  const fold = (w) => w.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');
  const wordsOf = (text) => [...text.matchAll(/[\p{Alphabetic}\p{N}\p{M}]+/gu)].map((m) => fold(m[0]));
  async function pageWords(url) {
    await page.goto(url);
    return page.evaluate(() => {
      const main = document.querySelector('main').cloneNode(true);
      for (const e of main.querySelectorAll('[role="doc-pagebreak"], nav, annotation')) e.remove();
      return { text: main.textContent, lang: main.getAttribute('lang') ?? document.documentElement.lang };
    });
  }
  // A word of `file` (of at least 7 letters) that no other article has a
  // word beginning like (its first 5 letters), preferring non-ASCII ones.
  function uniqueWord(texts, file, wantAccent) {
    const others = new Set();
    for (const [f, t] of Object.entries(texts)) if (f !== file) for (const w of wordsOf(t.text)) others.add(w.slice(0, 5));
    const raw = [...texts[file].text.matchAll(/[\p{Alphabetic}\p{M}]{7,}/gu)].map((m) => m[0]);
    const ok = raw.filter((w) => !others.has(fold(w).slice(0, 5)) && !/[A-Z]/.test(w[0]));
    const accented = ok.filter((w) => fold(w) !== w.toLowerCase());
    return (wantAccent && accented.length > 0 ? accented : ok)[0];
  }
  async function searchByKeyboard(edition, word, file) {
    const at = `${base}../${edition}/`;
    await page.goto(at + 'index.html');
    const form = page.locator('header form.site-search');
    check(await form.isVisible(), `${edition}: the header's search form is shown when scripts run`);
    let tabs = 0;
    while ((await page.evaluate(() => document.activeElement?.id)) !== 'site-search-q' && tabs < 60) {
      await page.keyboard.press('Tab');
      tabs += 1;
    }
    check(tabs < 60, `${edition}: the search field is reached with Tab (${tabs} presses)`);
    await page.keyboard.type(word);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/search.html?q=*');
    check(new URL(page.url()).searchParams.get('q') === word, `${edition}: the form leads to search.html?q=${word}`);
    await page.locator('.search-results li').first().waitFor();
    const results = await page.locator('.search-results a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    check(
      results.length > 0 && results.every((h) => h.split('#')[0] === file),
      `${edition}: "${word}" is found in ${file} only (${results.join(', ')})`,
    );
    const shown = await page.locator('.search-results li').first().evaluate((li) => ({
      article: li.querySelector('.search-article')?.textContent ?? '',
      marked: [...li.querySelectorAll('mark')].map((m) => m.textContent),
    }));
    check(shown.article.length > 0 && shown.marked.length > 0, `${edition}: the result shows its article and marks the word in an excerpt (${shown.marked.join(', ')})`);
    check((await page.evaluate(() => document.activeElement?.id)) === 'search-q', `${edition}: the search field has the focus`);
    await page.keyboard.press('ArrowDown');
    const focusedResult = await page.evaluate(() => document.activeElement?.closest('.search-results') !== null);
    check(focusedResult, `${edition}: the arrow key moves to the first result`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/${file}#*`);
    const landed = await page.evaluate(() => {
      const target = document.querySelector(':target');
      if (!target) return null;
      // The passage: from the target heading to the next heading.
      let text = target.textContent;
      for (let e = target.nextElementSibling; e && !/^H[1-6]$/.test(e.tagName); e = e.nextElementSibling) text += ' ' + e.textContent;
      if (target.closest('header')) text += ' ' + target.closest('header').parentElement.textContent;
      const r = target.getBoundingClientRect();
      return { id: target.id, text, inView: r.top >= 0 && r.top < window.innerHeight };
    });
    check(landed !== null && landed.inView, `${edition}: the result lands on its passage (#${landed?.id})`);
    check(landed !== null && wordsOf(landed.text).includes(fold(word)), `${edition}: the passage holds "${word}"`);
    const current = await page.locator('nav.sidebar a[aria-current="page"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    check(current.length === 1 && current[0] === file, `${edition}: the sidebar marks the current page (${current.join(', ')})`);
    check(await page.locator('nav.sidebar').getByRole('link').first().isVisible(), `${edition}: the sidebar is open on a wide screen`);
  }
  const searched = {};
  for (const edition of (await readdir(root)).filter((d) => d === 'html' || d.startsWith('html.')).sort()) {
    const at = `${base}../${edition}/`;
    await page.goto(at + 'index.html');
    const files = (
      await page.locator('nav.contents a:not(.toc-offprint)').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
    ).filter((h) => !h.startsWith('part_'));
    const texts = {};
    for (const f of files) texts[f] = await pageWords(at + f);
    const middle = files[Math.floor(files.length / 2)];
    const word = uniqueWord(texts, middle, false);
    check(word !== undefined, `${edition}: ${middle} has a word of its own (${word})`);
    if (word) await searchByKeyboard(edition, word, middle);
    searched[edition] = word;
    if (edition !== 'html') {
      const lang = edition.slice('html.'.length);
      const translated = files.find((f) => f !== middle && texts[f].lang === lang);
      const own = translated && uniqueWord(texts, translated, true);
      check(own !== undefined, `${edition}: a translated article (${translated}) has a word of its own (${own})`);
      if (own) await searchByKeyboard(edition, own, translated);
    }
  }

  // The sidebar on a small screen: folded behind a button, opened with the
  // keyboard; axe-core with it open, and on the search page with results.
  await page.setViewportSize({ width: 390, height: 800 });
  const article = new URL(articles[1]).pathname.split('/').pop();
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(base + article);
    const summary = page.locator('nav.sidebar summary');
    check(await summary.isVisible(), `the sidebar is folded behind a button on a small screen (${scheme})`);
    check(!(await page.locator('nav.sidebar ol a').first().isVisible()), 'its links are hidden while it is folded');
    await summary.focus();
    await page.keyboard.press('Enter');
    check(await page.locator('nav.sidebar ol a').first().isVisible(), 'Enter opens it');
    await axeHere(`${article} with the sidebar open on a small screen (${scheme})`);
  }
  await page.setViewportSize({ width: 1200, height: 900 });
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${base}search.html?q=${encodeURIComponent(searched.html ?? 'blockchain')}`);
    await page.locator('.search-results li').first().waitFor();
    await axeHere(`search.html with results (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // axe-core on every page of every edition, in both colour schemes.
  const editions = (await readdir(root)).filter((d) => d === 'html' || d.startsWith('html.')).sort();
  let checked = 0;
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const edition of editions) {
      const files = (await readdir(path.join(root, edition))).filter((f) => f.endsWith('.html')).sort();
      for (const file of files) {
        await axe(`${base}../${edition}/${file}`, `${edition}/${file} (${scheme})`);
        checked += 1;
      }
    }
    const indexShot = screenshot.replace(/(\.png)?$/, `-index-${scheme}.png`);
    await page.goto(base + 'index.html');
    await page.screenshot({ path: indexShot, fullPage: true });
    console.log(`screenshot: ${indexShot}`);
  }
  check(checked >= 2 * 4, `axe-core ran on every page (${checked} page views)`);
  await page.emulateMedia({ colorScheme: 'light' });
  check(pageErrors.length === 0, `no script error (${pageErrors.join('; ')})`);
} catch (e) {
  fail(e);
} finally {
  await close?.();
  server.close();
}

finish('all browser checks passed');
