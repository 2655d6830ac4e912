#!/usr/bin/env python3
"""Words Pandoc finds in each Word document of DIR that coala-report keeps:
each document is built alone into a web edition, and the words of its
pages (tags removed) are compared, as a multiset, with the words of
`pandoc -f docx -t html` (Pandoc from PyPI: pip install pypandoc-binary).
Prints the documents under 97%, the total, the failures and the times.

    python3 scripts/docx-words.py target/debug/coala-report DIR [--verbose]
"""
import collections, html, os, re, subprocess, sys, tempfile, shutil, time, pypandoc
bin_, d = sys.argv[1], sys.argv[2]
verbose = "--verbose" in sys.argv
pandoc = pypandoc.get_pandoc_path()
tot_p = tot_k = 0; t_ours = t_pandoc = 0.0; size = 0; rows = []; crashes = []
word = re.compile(r"\w+", re.U)
for name in sorted(os.listdir(d)):
    if not name.endswith(".docx"): continue
    path = os.path.join(d, name); size += os.path.getsize(path)
    t = time.time()
    r = subprocess.run([pandoc, "-f", "docx", "-t", "html", path], capture_output=True, text=True)
    t_pandoc += time.time() - t
    ptext = html.unescape(re.sub(r"<[^>]+>", " ", r.stdout))
    pw = collections.Counter(w.lower() for w in word.findall(ptext))
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(f"{tmp}/report"); shutil.copy(path, f"{tmp}/report/doc.docx")
        open(f"{tmp}/book.toml","w").write('[book]\ntitle = "T"\ndate = "2026-01-01"\n[build]\nformats=["html"]\n[[part]]\ntitle = "P"\narticles = ["doc.docx"]\n')
        t = time.time()
        b = subprocess.run([bin_, "build", "--quiet"], cwd=tmp, capture_output=True, text=True)
        t_ours += time.time() - t
        if b.returncode not in (0,):
            crashes.append((name, b.returncode, b.stderr[-300:]))
        text = ""
        for root, _, files in os.walk(f"{tmp}/build/html"):
            for f in files:
                if f.endswith(".html") and f != "index.html":
                    h = open(os.path.join(root, f), encoding="utf-8").read()
                    m = re.search(r"<main.*?</main>", h, re.S)
                    h = m.group(0) if m else h
                    h = re.sub(r"<(script|style)\b.*?</\1>", " ", h, flags=re.S)
                    text += " " + html.unescape(re.sub(r"<[^>]+>", " ", h))
    ow = collections.Counter(w.lower() for w in word.findall(text))
    kept = sum(min(c, ow[w]) for w, c in pw.items()); n = sum(pw.values())
    tot_p += n; tot_k += kept
    rows.append((name, n, kept, [w for w, c in pw.items() if ow[w] < c][:12]))
for name, n, kept, missing in rows:
    if verbose or (n and kept / n < 0.97):
        print(f"{name:45} {kept}/{n} {100*kept/max(n,1):.1f}%  missing: {' '.join(missing)}")
print(f"documents {len(rows)}  words pandoc {tot_p}  kept {tot_k}  = {100*tot_k/max(tot_p,1):.2f}%  failures {len(crashes)}")
for c in crashes: print("FAILED", c)
print(f"{size/1e6:.2f} MB: ours {t_ours:.2f}s (with the web edition), pandoc {t_pandoc:.2f}s (plain text)")
