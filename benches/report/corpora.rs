//! The corpora: the EIPs copied with a manifest, and the deterministic
//! generated report.

use super::*;

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Copies the EIP corpus and writes a manifest for it (as tests/testsuite/eips.rs).
pub(crate) fn prepare_eips(root: &Path) -> bool {
    let corpus = repo().join("../shared/corpus/eips");
    if !corpus.is_dir() {
        println!(
            "\nSKIPPED EIP corpus: ../shared/corpus/eips is absent (it exists only beside the project's checkout)"
        );
        return false;
    }
    copy_dir(&corpus.join("EIPS"), &root.join("EIPS"));
    copy_dir(&corpus.join("assets"), &root.join("assets"));
    copy_dir(&repo().join("styles"), &root.join("styles"));
    let order = std::fs::read_to_string(corpus.join("ORDER.txt")).unwrap();
    let list: Vec<String> = order
        .lines()
        .map(|l| l.trim().trim_start_matches("EIPS/"))
        .filter(|l| !l.is_empty())
        .map(|l| format!("\"{l}\""))
        .collect();
    std::fs::write(
        root.join("book.toml"),
        format!(
            "[book]\ntitle = \"Ethereum Improvement Proposals\"\nsrc = \"EIPS\"\ndate = \"2026-08-22\"\n\n[[part]]\ntitle = \"EIPs\"\narticles = [{}]\n",
            list.join(", ")
        ),
    )
    .unwrap();
    true
}

/// A deterministic pseudo-random sequence (xorshift64*).
pub(crate) struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

pub(crate) const WORDS: &[&str] = &[
    "blockchain",
    "governance",
    "ledger",
    "regulators",
    "consensus",
    "protocol",
    "network",
    "participants",
    "distributed",
    "transactions",
    "jurisdiction",
    "contracts",
    "identity",
    "privacy",
    "policy",
    "framework",
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "with",
    "as",
    "on",
    "by",
    "their",
    "which",
    "be",
    "may",
    "this",
    "are",
    "an",
    "or",
    "such",
    "can",
    "these",
    "between",
    "under",
    "through",
    "public",
    "private",
    "financial",
    "institutions",
    "markets",
    "settlement",
    "assets",
    "tokens",
    "custody",
    "oversight",
    "standards",
    "interoperability",
    "decentralised",
    "autonomous",
    "organisations",
    "accountability",
    "transparency",
    "stakeholders",
    "multistakeholder",
    "Internet",
    "forum",
    "coalition",
    "members",
    "analysis",
    "evidence",
    "cryptographic",
    "signatures",
    "hash",
    "validators",
    "miners",
    "fees",
    "incentives",
    "liability",
    "courts",
    "enforcement",
    "cross-border",
    "payments",
    "remittances",
    "inclusion",
    "developing",
    "economies",
    "risks",
    "opportunities",
    "security",
    "resilience",
    "infrastructure",
    "open-source",
    "software",
    "communities",
];

pub(crate) const LANGS: &[&str] = &["rust", "python", "json", "solidity", "sh", "text"];

pub(crate) fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            s.extend(c.next().map(|c| c.to_ascii_uppercase()));
            s.push_str(c.as_str());
        } else {
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

/// A paragraph of about 90 words with inline markup, links and, sometimes,
/// a footnote.
pub(crate) fn paragraph(rng: &mut Rng, article: usize, articles: usize, notes: &mut Vec<String>) -> String {
    let mut p = String::new();
    for k in 0..6 {
        let mut s = {
            let n = 10 + rng.below(10);
            sentence(rng, n)
        };
        match rng.below(9) {
            0 => s = format!("{} *{}* {}", sentence(rng, 4), rng.pick(WORDS), s),
            1 => s = format!("**{}** {s}", rng.pick(WORDS)),
            2 => s = format!("{s} See `{}_{}()`.", rng.pick(WORDS).replace('-', "_"), rng.below(99)),
            3 => s = format!("{s} ([source](https://example.org/{}/{}))", rng.pick(WORDS), rng.below(1000)),
            4 => {
                let other = (article + 1 + rng.below(articles - 1)) % articles;
                s = format!("{s} Compare [article {}](article-{other:03}.md#section-2).", other + 1)
            }
            _ => {}
        }
        if k == 5 && rng.below(3) == 0 {
            notes.push({
                let n = 12 + rng.below(20);
                sentence(rng, n)
            });
            let _ = write!(s, "[^{}]", notes.len());
        }
        p.push_str(&s);
        p.push(if k % 2 == 1 { '\n' } else { ' ' });
    }
    p
}

pub(crate) fn code_block(rng: &mut Rng) -> String {
    let lang = rng.pick(LANGS);
    let mut code = format!("```{lang}\n");
    for i in 0..(8 + rng.below(12)) {
        let indent = "    ".repeat(i % 3);
        match rng.below(6) {
            0 => {
                let _ = writeln!(code, "{indent}// {}", sentence(rng, 6));
            }
            1 => {
                let _ = writeln!(
                    code,
                    "{indent}let hash = \"0x{:016x}{:016x}{:016x}{:016x}\";",
                    rng.next(),
                    rng.next(),
                    rng.next(),
                    rng.next()
                );
            }
            _ => {
                let _ = writeln!(
                    code,
                    "{indent}{}({}, {});",
                    rng.pick(WORDS).replace('-', "_"),
                    rng.below(100),
                    rng.pick(WORDS).replace('-', "_")
                );
            }
        }
    }
    code.push_str("```\n");
    code
}

pub(crate) fn table(rng: &mut Rng) -> String {
    let mut t = String::from("| Measure | Jurisdiction | Value | Change |\n|:--|:--|--:|--:|\n");
    for _ in 0..(5 + rng.below(6)) {
        let _ = writeln!(
            t,
            "| {} {} | {} | {}.{} | {}% |",
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.below(10_000),
            rng.below(100),
            rng.below(60)
        );
    }
    t
}

pub(crate) fn article(rng: &mut Rng, i: usize, articles: usize) -> String {
    let mut notes = Vec::new();
    let mut md = String::new();
    let kind = ["article", "policy-analysis", "article", "article"][i % 4];
    let _ = write!(
        md,
        "+++\ntitle = \"{}\"\nauthors = [{{ name = \"Author {i}\", affiliation = \"Institute {}\" }}]\ndate = \"2024-{:02}-{:02}\"\nabstract = \"{}\"\nkeywords = [\"{}\", \"{}\"]\nkind = \"{kind}\"\n+++\n\n",
        sentence(rng, 6).trim_end_matches('.'),
        i % 17,
        1 + i % 12,
        1 + i % 28,
        sentence(rng, 40),
        rng.pick(WORDS),
        rng.pick(WORDS)
    );
    md.push_str(&paragraph(rng, i, articles, &mut notes));
    md.push('\n');
    for section in 1..=5 {
        let _ = writeln!(md, "## Section {section}\n");
        md.push_str(&paragraph(rng, i, articles, &mut notes));
        md.push('\n');
        match section {
            1 => {
                for _ in 0..5 {
                    let _ = writeln!(md, "- {}", {
                        let n = 8 + rng.below(12);
                        sentence(rng, n)
                    });
                }
                md.push('\n');
            }
            2 => md.push_str(&table(rng)),
            3 => md.push_str(&code_block(rng)),
            4 => {
                let _ = writeln!(
                    md,
                    "![A diagram of the {} layer](images/figure-{}.svg \"{}\")",
                    rng.pick(WORDS),
                    i % 3,
                    sentence(rng, 8)
                );
            }
            5 => {
                for n in 1..=4 {
                    let _ = writeln!(md, "{n}. {}", {
                        let n = 10 + rng.below(10);
                        sentence(rng, n)
                    });
                }
                md.push('\n');
                let _ = writeln!(md, "> {}", sentence(rng, 30));
            }
            _ => {}
        }
        md.push('\n');
        if section % 2 == 1 {
            let _ = writeln!(md, "### Subsection {section}.1\n");
            md.push_str(&paragraph(rng, i, articles, &mut notes));
            md.push('\n');
        }
    }
    for (n, note) in notes.iter().enumerate() {
        let _ = writeln!(md, "[^{}]: {note}", n + 1);
    }
    md
}

/// Writes the generated report: `articles` articles in four parts, three SVG
/// figures, the repository's template.
pub(crate) fn generate(root: &Path, articles: usize) {
    let src = root.join("report");
    std::fs::create_dir_all(src.join("images")).unwrap();
    copy_dir(&repo().join("styles"), &root.join("styles"));
    for k in 0..3 {
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"160\" viewBox=\"0 0 400 160\">\
             <rect x=\"10\" y=\"10\" width=\"380\" height=\"140\" fill=\"#eef3f8\" stroke=\"#1b4a72\"/>\
             {}</svg>\n",
            (0..6)
                .map(|b| format!(
                    "<rect x=\"{}\" y=\"40\" width=\"40\" height=\"{}\" fill=\"#1b4a72\"/>",
                    30 + b * 60,
                    20 + (b * 17 + k * 23) % 90
                ))
                .collect::<String>()
        );
        std::fs::write(src.join(format!("images/figure-{k}.svg")), svg).unwrap();
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parts = String::new();
    let per_part = articles.div_ceil(4).max(1);
    for i in 0..articles {
        std::fs::write(src.join(format!("article-{i:03}.md")), article(&mut rng, i, articles)).unwrap();
        if i % per_part == 0 {
            let _ = write!(parts, "\n[[part]]\ntitle = \"Part {}\"\narticles = [", i / per_part + 1);
        }
        let _ = write!(parts, "\"article-{i:03}.md\", ");
        if i % per_part == per_part - 1 || i == articles - 1 {
            parts.push_str("]\n");
        }
    }
    std::fs::write(
        root.join("book.toml"),
        format!(
            "[book]\ntitle = \"A Generated Report\"\nsubtitle = \"{articles} articles for the benchmark\"\nedition = \"2016\"\neditors = [\"Bench Editor\"]\ndate = \"2016-12-08\"\nlicense = \"CC BY 4.0\"\n{parts}"
        ),
    )
    .unwrap();
}
