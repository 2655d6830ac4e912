// coala-report watch --serve: the live reload script. The preview server
// adds it to the HTML it serves (never to the files it builds). It listens
// to the build's events (/_coala/events): a page reloads when a rebuild is
// written; the page preview (/_coala/preview) swaps in the pages that
// changed, without a reload, and scrolls to the first of them; a failed
// rebuild's errors are drawn over the last good version.
(function () {
  'use strict';
  const script = document.currentScript;
  // The build this page shows (the server's count when it served it).
  let shown = Number(script && script.dataset.generation) || 0;
  const preview = document.body && document.body.classList.contains('coala-preview');
  const root = document.documentElement;

  // The overlay over the last good version: file:line:col, message, hint.
  // Built with textContent only: a diagnostic is the report's own text.
  function showErrors(build) {
    hideErrors();
    const box = document.createElement('div');
    box.id = 'coala-overlay';
    box.setAttribute('role', 'alert');
    box.style.cssText =
      'position:fixed;left:1em;right:1em;bottom:1em;max-height:60vh;overflow:auto;z-index:2147483647;' +
      'background:#fff4f4;color:#222;border:2px solid #b00020;border-radius:6px;padding:.8em 1em;' +
      'font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 4px 16px #0006';
    const title = document.createElement('strong');
    title.style.color = '#b00020';
    const n = build.errors;
    title.textContent =
      'Rebuild ' + build.generation + ' failed with ' + n + (n === 1 ? ' error' : ' errors') +
      '; the last good version is shown.';
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Dismiss';
    close.style.cssText = 'float:right;margin-left:1em';
    close.addEventListener('click', hideErrors);
    box.append(close, title);
    const list = document.createElement('ul');
    list.style.cssText = 'margin:.5em 0 0;padding-left:1.2em';
    for (const d of build.diagnostics || []) {
      const item = document.createElement('li');
      item.className = 'coala-diagnostic';
      const where = document.createElement('code');
      where.textContent = (d.location || d.file || 'book.toml') + ' ';
      const what = document.createElement('span');
      what.textContent = 'error[' + d.name + ']: ' + d.message;
      item.append(where, what);
      if (d.hint) {
        const hint = document.createElement('div');
        hint.style.color = '#555';
        hint.textContent = 'hint: ' + d.hint;
        item.append(hint);
      }
      list.append(item);
    }
    if (n > (build.diagnostics || []).length) {
      const more = document.createElement('li');
      more.textContent = '… and ' + (n - build.diagnostics.length) + ' more (see the terminal)';
      list.append(more);
    }
    box.append(list);
    document.body.append(box);
  }

  function hideErrors() {
    const old = document.getElementById('coala-overlay');
    if (old) old.remove();
  }

  // The page preview: compare each page's hash with the server's, swap in
  // those that changed (the browser fetches them as they come into view).
  let refreshing = Promise.resolve();
  function refreshPages(scroll) {
    refreshing = refreshing.then(async () => {
      const response = await fetch('/_coala/pages.json', { cache: 'no-store' });
      const info = await response.json();
      const main = document.getElementById('coala-pages');
      const empty = document.getElementById('coala-empty');
      if (empty && info.pages.length > 0) empty.remove();
      // Outlined: the pages the last rebuild changed (not every page, as
      // after the first build).
      const changed = new Set(info.changed.length < info.pages.length ? info.changed : []);
      info.pages.forEach((page, i) => {
        const number = i + 1;
        let img = document.getElementById('page-' + number);
        if (!img) {
          img = document.createElement('img');
          img.id = 'page-' + number;
          img.alt = 'Page ' + number;
          img.loading = 'lazy';
          main.append(img);
        }
        img.classList.toggle('coala-changed', changed.has(number));
        if (img.dataset.hash !== page.hash) {
          img.width = Math.round((page.width * 4) / 3);
          img.height = Math.round((page.height * 4) / 3);
          img.dataset.hash = page.hash;
          img.src = '/_coala/page/' + number + '.svg?h=' + page.hash;
        }
      });
      for (let n = info.pages.length + 1; document.getElementById('page-' + n); n++) {
        document.getElementById('page-' + n).remove();
      }
      const count = document.getElementById('coala-count');
      if (count) count.textContent = info.pages.length + ' pages';
      if (scroll && info.first) {
        const first = document.getElementById('page-' + info.first);
        const box = first.getBoundingClientRect();
        if (box.bottom < 0 || box.top > window.innerHeight) first.scrollIntoView({ block: 'start' });
      }
      document.body.dataset.pagesGeneration = String(info.generation);
    }).catch(() => {});
    return refreshing;
  }

  function onBuild(build, fresh) {
    if (build.ok) {
      hideErrors();
      if (preview) {
        // The pages event came first; a missed one is caught up here.
        if (fresh) refreshPages(false);
      } else if (build.generation > shown) {
        location.reload();
        return;
      }
    } else {
      showErrors(build);
    }
    shown = Math.max(shown, build.generation);
    root.dataset.coalaGeneration = String(shown);
  }

  root.dataset.coalaGeneration = String(shown);
  const events = new EventSource('/_coala/events');
  events.addEventListener('hello', (e) => {
    // On (re)connecting: the latest build, which may be newer than this page.
    const hello = JSON.parse(e.data);
    if (hello.build && (hello.generation > shown || !hello.build.ok)) onBuild(hello.build, true);
  });
  events.addEventListener('pages', (e) => {
    if (preview) refreshPages(true);
  });
  events.addEventListener('build', (e) => onBuild(JSON.parse(e.data), false));
})();
