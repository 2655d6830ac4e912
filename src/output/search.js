// coala-report: the web edition's search, written by the build (the index
// is in search/, see src/output/search.rs). Reading needs no script: this
// one only shows the search form of every page and, on search.html, finds
// the passages. Words are cut and folded as the index's were.
(function () {
  'use strict';
  for (const form of document.querySelectorAll('form.site-search[hidden], .search-page form[hidden]')) {
    form.hidden = false;
  }
  for (const note of document.querySelectorAll('.search-no-script')) note.hidden = true;
  const page = document.querySelector('.search-page');
  if (!page) return;

  const PAGE_SIZE = 10;
  const form = page.querySelector('form');
  const input = form.querySelector('input[name="q"]');
  const status = page.querySelector('.search-status');
  const list = page.querySelector('.search-results');
  const more = page.querySelector('.search-more');
  const words = { found: page.dataset.found, none: page.dataset.none };

  const json = new Map();
  function load(path) {
    if (!json.has(path)) {
      json.set(
        path,
        fetch(path).then((r) => {
          if (!r.ok) throw new Error(path + ': ' + r.status);
          return r.json();
        }),
      );
    }
    return json.get(path);
  }

  function ideographic(c) {
    const n = c.codePointAt(0);
    return (
      (n >= 0x3040 && n <= 0x30ff) ||
      (n >= 0x3400 && n <= 0x4dbf) ||
      (n >= 0x4e00 && n <= 0x9fff) ||
      (n >= 0xf900 && n <= 0xfaff) ||
      (n >= 0x20000 && n <= 0x2ffff)
    );
  }
  function fold(word) {
    return word.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');
  }
  // The words of a query: runs of letters and digits, each ideograph alone.
  function cut(text) {
    const out = [];
    for (const m of text.matchAll(/[\p{Alphabetic}\p{N}\p{M}]+/gu)) {
      let run = '';
      for (const c of m[0]) {
        if (ideographic(c)) {
          if (run) out.push(fold(run));
          run = '';
          out.push(c);
        } else run += c;
      }
      if (run) out.push(fold(run));
    }
    return [...new Set(out.filter((w) => w.length > 0))];
  }

  // Section → [count, whether the word itself is there].
  function decode(postings) {
    const out = new Map();
    let section = 0;
    for (let i = 0; i < postings.length; i += 2) {
      section += postings[i];
      out.set(section, [postings[i + 1] >> 1, postings[i + 1] & 1]);
    }
    return out;
  }

  // The sections holding `word` (or, when the index has no such word, the
  // words it begins), with their counts.
  async function lookup(manifest, word) {
    const keys = manifest.shards;
    let key = null;
    for (let n = word.length; n >= 0; n--) {
      const p = [...word].slice(0, n).join('');
      if (Object.prototype.hasOwnProperty.call(keys, p)) {
        key = p;
        break;
      }
    }
    if (key === null) return new Map();
    const shard = await load(`search/t/${keys[key]}.json`);
    if (Object.prototype.hasOwnProperty.call(shard, word)) return decode(shard[word]);
    // Completion: the words it begins, in this shard and those below it.
    const found = new Map();
    const deeper = Object.keys(keys).filter((k) => k.length > key.length && k.startsWith(word)).slice(0, 4);
    const shards = [shard, ...(await Promise.all(deeper.map((k) => load(`search/t/${keys[k]}.json`))))];
    let taken = 0;
    for (const s of shards) {
      for (const w of Object.keys(s)) {
        if (!w.startsWith(word) || taken >= 30) continue;
        taken += 1;
        for (const [section, [count]] of decode(s[w])) {
          found.set(section, [Math.max(found.get(section)?.[0] ?? 0, count), 0]);
        }
      }
    }
    return found;
  }

  async function find(query) {
    const manifest = await load('search/index.json');
    const terms = cut(query);
    if (terms.length === 0) return { terms, ranked: [] };
    const hits = await Promise.all(terms.map((t) => lookup(manifest, t)));
    const total = manifest.sections || 1;
    const score = new Map();
    const matched = new Map();
    const exact = new Map();
    hits.forEach((sections) => {
      const idf = Math.log(1 + total / (sections.size || 1));
      for (const [section, [count, own]] of sections) {
        score.set(section, (score.get(section) ?? 0) + (1 + Math.log(Math.max(count, 1))) * idf);
        matched.set(section, (matched.get(section) ?? 0) + 1);
        exact.set(section, (exact.get(section) ?? 0) + own);
      }
    });
    // Sections with every word first, then those with the words as typed,
    // then the best scored.
    const ranked = [...score.keys()].sort(
      (a, b) =>
        matched.get(b) - matched.get(a) || exact.get(b) - exact.get(a) || score.get(b) - score.get(a) || a - b,
    );
    return { terms, ranked };
  }

  // The text around the first word of the query found, words marked.
  function excerpt(text, terms) {
    const tokens = [...text.matchAll(/[\p{Alphabetic}\p{N}\p{M}]+/gu)];
    const hit = (w) => {
      const f = fold(w);
      return terms.some((t) => f.startsWith(t) || (t.length > 4 && f.startsWith(t.slice(0, t.length - 2))));
    };
    const first = tokens.findIndex((m) => hit(m[0]));
    const around = 110;
    const at = first < 0 ? 0 : tokens[first].index;
    let start = Math.max(0, at - around);
    let end = Math.min(text.length, at + around * 2);
    if (start > 0) start = text.indexOf(' ', start) + 1 || start;
    if (end < text.length) end = text.lastIndexOf(' ', end) > at ? text.lastIndexOf(' ', end) : end;
    const p = document.createElement('p');
    p.className = 'search-excerpt';
    if (start > 0) p.append('… ');
    let last = start;
    for (const m of tokens) {
      if (m.index < start || m.index + m[0].length > end || !hit(m[0])) continue;
      p.append(text.slice(last, m.index));
      const mark = document.createElement('mark');
      mark.textContent = m[0];
      p.append(mark);
      last = m.index + m[0].length;
    }
    p.append(text.slice(last, end));
    if (end < text.length) p.append(' …');
    return p;
  }

  let shown = [];
  let current = { terms: [], ranked: [] };
  let serial = 0;

  async function show(from) {
    const mine = serial;
    const batch = current.ranked.slice(from, from + PAGE_SIZE);
    const fragments = await Promise.all(batch.map((n) => load(`search/s/${n}.json`)));
    if (mine !== serial) return;
    for (const f of fragments) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = f.u;
      const article = document.createElement('span');
      article.className = 'search-article';
      article.textContent = f.a;
      a.append(article);
      if (f.h && f.h !== f.a) {
        const heading = document.createElement('span');
        heading.className = 'search-heading';
        heading.textContent = f.h;
        a.append(heading);
      }
      li.append(a, excerpt(f.t, current.terms));
      list.append(li);
      shown.push(a);
    }
    more.hidden = from + PAGE_SIZE >= current.ranked.length;
  }

  async function run(query, remember) {
    serial += 1;
    const mine = serial;
    const q = query.trim();
    if (remember) {
      const url = new URL(location.href);
      if (q) url.searchParams.set('q', q);
      else url.searchParams.delete('q');
      history.replaceState(null, '', url);
    }
    if (!q) {
      list.replaceChildren();
      status.textContent = '';
      more.hidden = true;
      return;
    }
    let found;
    try {
      found = await find(q);
    } catch (e) {
      if (mine === serial) status.textContent = String(e);
      return;
    }
    if (mine !== serial) return;
    current = found;
    shown = [];
    list.replaceChildren();
    const n = found.ranked.length;
    status.textContent = (n === 0 ? words.none : words.found).replace('{n}', String(n)).replace('{q}', q);
    await show(0);
  }

  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value, true), 200);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    run(input.value, true).then(() => shown[0]?.focus());
  });
  more.addEventListener('click', () => {
    const from = shown.length;
    show(from).then(() => shown[from]?.focus());
  });
  // Arrow keys move between the field and the results.
  page.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const at = shown.indexOf(document.activeElement);
    if (document.activeElement === input && e.key === 'ArrowDown' && shown.length > 0) shown[0].focus();
    else if (at >= 0) (e.key === 'ArrowDown' ? shown[at + 1] : at === 0 ? input : shown[at - 1])?.focus();
    else return;
    e.preventDefault();
  });
  // The field has the focus: the page is there to search.
  const q = new URLSearchParams(location.search).get('q');
  if (q) input.value = q;
  input.focus();
  if (q) run(q, false);
})();
