//! LaTeX math to Office Math (OMML), for Word's own equations: the common
//! subset authors write (fractions, scripts, radicals, sums and integrals
//! with limits, delimiters, matrices, Greek letters and symbols, accents,
//! function names, text). [`convert`] returns `None` for what it cannot
//! read; the caller then writes the formula's LaTeX as equation text.

use super::xml::escape;

/// The formula `tex` as the content of an `m:oMath`, or `None`.
pub fn convert(tex: &str) -> Option<String> {
    let tokens = tokenize(tex)?;
    let mut parser = Parser { tokens, pos: 0, depth: 0 };
    let out = parser.sequence(&[])?;
    (parser.pos == parser.tokens.len()).then_some(out)
}

/// The formula as text in an `m:r` (what Word shows when it cannot be
/// converted).
pub fn fallback(tex: &str) -> String {
    run(tex.trim(), Some("p"))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// `\name` (a letter command) or `\,` (a symbol command).
    Cmd(String),
    Open,
    Close,
    Sup,
    Sub,
    Amp,
    /// `\\`
    Row,
    Char(char),
}

fn tokenize(tex: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut chars = tex.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphabetic() {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if name.is_empty() {
                    match chars.next()? {
                        '\\' => out.push(Tok::Row),
                        other => out.push(Tok::Cmd(other.to_string())),
                    }
                } else {
                    out.push(Tok::Cmd(name));
                }
            }
            '{' => out.push(Tok::Open),
            '}' => out.push(Tok::Close),
            '^' => out.push(Tok::Sup),
            '_' => out.push(Tok::Sub),
            '&' => out.push(Tok::Amp),
            '%' => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => {}
            c => out.push(Tok::Char(c)),
        }
    }
    Some(out)
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
    depth: usize,
}

/// An `m:r`: `sty` `p` upright, `b` bold, `i` italic; `None` Word's default.
fn run(text: &str, sty: Option<&str>) -> String {
    let mut out = String::from("<m:r>");
    if let Some(sty) = sty {
        out.push_str(&format!("<m:rPr><m:sty m:val=\"{sty}\"/></m:rPr>"));
    }
    out.push_str("<w:rPr><w:rFonts w:ascii=\"Cambria Math\" w:hAnsi=\"Cambria Math\"/></w:rPr>");
    out.push_str(&format!("<m:t xml:space=\"preserve\">{}</m:t></m:r>", escape(text)));
    out
}

fn text_run(text: &str) -> String {
    format!("<m:r><m:rPr><m:nor/></m:rPr><m:t xml:space=\"preserve\">{}</m:t></m:r>", escape(text))
}

fn e(content: &str) -> String {
    format!("<m:e>{content}</m:e>")
}

fn delimited(open: &str, close: &str, content: &str) -> String {
    format!(
        "<m:d><m:dPr><m:begChr m:val=\"{}\"/><m:endChr m:val=\"{}\"/></m:dPr>{}</m:d>",
        escape(open),
        escape(close),
        e(content)
    )
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    /// Atoms until the end, a `}`, or one of `stops` (`\right`, `\end`,
    /// `&`, `\\`), which is left unread.
    fn sequence(&mut self, stops: &[Tok]) -> Option<String> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        let mut out = String::new();
        while let Some(tok) = self.peek() {
            if *tok == Tok::Close || stops.contains(tok) {
                break;
            }
            if let Tok::Cmd(name) = tok
                && (name == "right" || name == "end")
                && stops.iter().any(|s| matches!(s, Tok::Cmd(n) if n == name))
            {
                break;
            }
            let piece = self.scripted()?;
            out.push_str(&piece);
        }
        self.depth -= 1;
        Some(out)
    }

    /// An atom with its sub- and superscripts.
    fn scripted(&mut self) -> Option<String> {
        let (base, nary) = self.atom()?;
        let mut sub = None;
        let mut sup = None;
        loop {
            match self.peek() {
                Some(Tok::Sub) if sub.is_none() => {
                    self.pos += 1;
                    sub = Some(self.argument()?);
                }
                Some(Tok::Sup) if sup.is_none() => {
                    self.pos += 1;
                    sup = Some(self.argument()?);
                }
                Some(Tok::Char('\'')) if sup.is_none() => {
                    self.pos += 1;
                    sup = Some(run("′", None));
                }
                _ => break,
            }
        }
        if let Some(chr) = nary {
            // A big operator: its limits, and the next atom as its body.
            let body = match self.peek() {
                None | Some(Tok::Close | Tok::Amp | Tok::Row) => String::new(),
                Some(Tok::Cmd(n)) if n == "right" || n == "end" => String::new(),
                _ => self.scripted()?,
            };
            let hide = |what: &str, v: &Option<String>| {
                if v.is_none() { format!("<m:{what}Hide m:val=\"1\"/>") } else { String::new() }
            };
            let limloc = if chr == "∫" || chr == "∬" || chr == "∮" { "subSup" } else { "undOvr" };
            return Some(format!(
                "<m:nary><m:naryPr><m:chr m:val=\"{chr}\"/><m:limLoc m:val=\"{limloc}\"/>{}{}</m:naryPr><m:sub>{}</m:sub><m:sup>{}</m:sup>{}</m:nary>",
                hide("sub", &sub),
                hide("sup", &sup),
                sub.unwrap_or_default(),
                sup.unwrap_or_default(),
                e(&body)
            ));
        }
        Some(match (sub, sup) {
            (None, None) => base,
            (Some(s), None) => format!("<m:sSub>{}<m:sub>{s}</m:sub></m:sSub>", e(&base)),
            (None, Some(s)) => format!("<m:sSup>{}<m:sup>{s}</m:sup></m:sSup>", e(&base)),
            (Some(b), Some(p)) => format!("<m:sSubSup>{}<m:sub>{b}</m:sub><m:sup>{p}</m:sup></m:sSubSup>", e(&base)),
        })
    }

    /// A group `{...}` or a single atom.
    fn argument(&mut self) -> Option<String> {
        match self.peek()? {
            Tok::Open => {
                self.pos += 1;
                let inner = self.sequence(&[])?;
                (self.next()? == Tok::Close).then_some(inner)
            }
            _ => Some(self.atom()?.0),
        }
    }

    /// The raw text of a group `{...}` (for `\text`, `\begin`).
    fn raw_group(&mut self) -> Option<String> {
        if self.next()? != Tok::Open {
            return None;
        }
        let mut text = String::new();
        let mut level = 0;
        loop {
            match self.next()? {
                Tok::Open => {
                    level += 1;
                    text.push('{');
                }
                Tok::Close if level == 0 => return Some(text),
                Tok::Close => {
                    level -= 1;
                    text.push('}');
                }
                Tok::Char(c) => text.push(c),
                Tok::Cmd(c) if c == " " || c == "," || c == ";" => text.push(' '),
                Tok::Cmd(c) if c.len() == 1 => text.push_str(&c),
                Tok::Cmd(c) => text.push_str(symbol(&c).unwrap_or(&c)),
                Tok::Sup => text.push('^'),
                Tok::Sub => text.push('_'),
                Tok::Amp => text.push('&'),
                Tok::Row => text.push(' '),
            }
        }
    }

    /// One atom; `Some(chr)` too for a big operator (its body follows).
    fn atom(&mut self) -> Option<(String, Option<&'static str>)> {
        let tok = self.next()?;
        let plain = |s: String| Some((s, None));
        match tok {
            Tok::Open => {
                let inner = self.sequence(&[])?;
                if self.next()? != Tok::Close {
                    return None;
                }
                plain(inner)
            }
            Tok::Char(c) if c.is_ascii_digit() || c == '.' => {
                let mut number = c.to_string();
                while let Some(Tok::Char(d)) = self.peek() {
                    if d.is_ascii_digit() || (*d == '.' && number.chars().last().is_some_and(|l| l.is_ascii_digit())) {
                        number.push(*d);
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                plain(run(&number, None))
            }
            Tok::Char(c) => plain(run(&c.to_string(), None)),
            Tok::Close | Tok::Sup | Tok::Sub | Tok::Amp | Tok::Row => None,
            Tok::Cmd(name) => self.command(&name),
        }
    }

    fn command(&mut self, name: &str) -> Option<(String, Option<&'static str>)> {
        let plain = |s: String| Some((s, None));
        if let Some(chr) = nary(name) {
            return Some((String::new(), Some(chr)));
        }
        if let Some(s) = symbol(name) {
            return plain(run(s, None));
        }
        match name {
            "frac" | "dfrac" | "tfrac" | "cfrac" => {
                let num = self.argument()?;
                let den = self.argument()?;
                plain(format!("<m:f><m:num>{num}</m:num><m:den>{den}</m:den></m:f>"))
            }
            "binom" | "dbinom" | "tbinom" => {
                let n = self.argument()?;
                let k = self.argument()?;
                plain(delimited(
                    "(",
                    ")",
                    &format!("<m:f><m:fPr><m:type m:val=\"noBar\"/></m:fPr><m:num>{n}</m:num><m:den>{k}</m:den></m:f>"),
                ))
            }
            "sqrt" => {
                let degree = if self.peek() == Some(&Tok::Char('[')) {
                    self.pos += 1;
                    let mut deg = String::new();
                    while self.peek() != Some(&Tok::Char(']')) {
                        self.peek()?;
                        deg.push_str(&self.scripted()?);
                    }
                    self.pos += 1;
                    Some(deg)
                } else {
                    None
                };
                let body = self.argument()?;
                let pr = if degree.is_none() { "<m:radPr><m:degHide m:val=\"1\"/></m:radPr>" } else { "" };
                plain(format!("<m:rad>{pr}<m:deg>{}</m:deg>{}</m:rad>", degree.unwrap_or_default(), e(&body)))
            }
            "left" => {
                let open = self.delimiter()?;
                let inner = self.sequence(&[Tok::Cmd("right".into())])?;
                if self.next()? != Tok::Cmd("right".into()) {
                    return None;
                }
                let close = self.delimiter()?;
                plain(delimited(&open, &close, &inner))
            }
            "big" | "Big" | "bigg" | "Bigg" | "bigl" | "bigr" | "Bigl" | "Bigr" | "biggl" | "biggr" | "Biggl"
            | "Biggr" | "bigm" | "Bigm" | "biggm" | "Biggm" => {
                let d = self.delimiter()?;
                plain(run(&d, None))
            }
            "text" | "textrm" | "textit" | "textbf" | "mbox" | "textnormal" => plain(text_run(&self.raw_group()?)),
            "mathrm" | "operatorname" | "mathup" => plain(run(&self.raw_group()?, Some("p"))),
            "mathbf" | "boldsymbol" | "bm" => plain(run(&self.raw_group()?, Some("b"))),
            "mathit" => plain(run(&self.raw_group()?, Some("i"))),
            "mathbb" => {
                let text: String = self.raw_group()?.chars().map(double_struck).collect();
                plain(run(&text, None))
            }
            "mathcal" | "mathscr" | "mathsf" | "mathtt" | "mathfrak" => plain(run(&self.raw_group()?, None)),
            "overline" => {
                plain(format!("<m:bar><m:barPr><m:pos m:val=\"top\"/></m:barPr>{}</m:bar>", e(&self.argument()?)))
            }
            "underline" => {
                plain(format!("<m:bar><m:barPr><m:pos m:val=\"bot\"/></m:barPr>{}</m:bar>", e(&self.argument()?)))
            }
            "begin" => self.environment(),
            "displaystyle" | "textstyle" | "scriptstyle" | "limits" | "nolimits" | "nonumber" | "notag" => {
                plain(String::new())
            }
            "," | ":" | ";" | ">" | " " | "quad" | "qquad" | "enspace" | "thinspace" => plain(run(" ", None)),
            "!" | "negthinspace" => plain(String::new()),
            "{" | "}" | "%" | "$" | "#" | "_" | "&" | "|" => plain(run(name, None)),
            _ => {
                if let Some(chr) = accent(name) {
                    let body = self.argument()?;
                    return plain(format!("<m:acc><m:accPr><m:chr m:val=\"{chr}\"/></m:accPr>{}</m:acc>", e(&body)));
                }
                if FUNCTIONS.contains(&name) {
                    return plain(run(name, Some("p")));
                }
                None
            }
        }
    }

    /// The delimiter after `\left`, `\right` or `\big`.
    fn delimiter(&mut self) -> Option<String> {
        match self.next()? {
            Tok::Char('.') => Some(String::new()),
            Tok::Char(c) => Some(c.to_string()),
            Tok::Cmd(c) => Some(
                match c.as_str() {
                    "{" => "{",
                    "}" => "}",
                    "|" => "‖",
                    "langle" => "⟨",
                    "rangle" => "⟩",
                    "lfloor" => "⌊",
                    "rfloor" => "⌋",
                    "lceil" => "⌈",
                    "rceil" => "⌉",
                    "lvert" | "rvert" | "vert" => "|",
                    "lVert" | "rVert" | "Vert" => "‖",
                    _ => return None,
                }
                .to_string(),
            ),
            _ => None,
        }
    }

    /// `\begin{matrix}...\end{matrix}` and its kin, as `m:m` (in its
    /// delimiters).
    fn environment(&mut self) -> Option<(String, Option<&'static str>)> {
        let env = self.raw_group()?;
        let env = env.trim_end_matches('*').to_string();
        let (open, close) = match env.as_str() {
            "matrix" | "smallmatrix" | "aligned" | "align" | "gathered" | "array" | "split" => ("", ""),
            "pmatrix" => ("(", ")"),
            "bmatrix" => ("[", "]"),
            "Bmatrix" => ("{", "}"),
            "vmatrix" => ("|", "|"),
            "Vmatrix" => ("‖", "‖"),
            "cases" => ("{", ""),
            _ => return None,
        };
        if env == "array" {
            // The column spec.
            self.raw_group()?;
        }
        let stops = [Tok::Amp, Tok::Row, Tok::Cmd("end".into())];
        let mut rows: Vec<Vec<String>> = vec![Vec::new()];
        loop {
            let cell = self.sequence(&stops)?;
            rows.last_mut()?.push(cell);
            match self.next()? {
                Tok::Amp => {}
                Tok::Row => rows.push(Vec::new()),
                Tok::Cmd(c) if c == "end" => {
                    self.raw_group()?;
                    break;
                }
                _ => return None,
            }
        }
        if rows.len() > 1 && rows.last().is_some_and(|r| r.iter().all(String::is_empty)) {
            rows.pop();
        }
        let columns = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut m = format!(
            "<m:m><m:mPr><m:mcs><m:mc><m:mcPr><m:count m:val=\"{columns}\"/><m:mcJc m:val=\"{}\"/></m:mcPr></m:mc></m:mcs></m:mPr>",
            if env == "cases" || env.starts_with("align") || env == "split" { "left" } else { "center" }
        );
        for row in &rows {
            m.push_str("<m:mr>");
            for i in 0..columns {
                m.push_str(&e(row.get(i).map_or("", String::as_str)));
            }
            m.push_str("</m:mr>");
        }
        m.push_str("</m:m>");
        Some((if open.is_empty() && close.is_empty() { m } else { delimited(open, close, &m) }, None))
    }
}

const FUNCTIONS: &[&str] = &[
    "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "log", "ln", "lg",
    "exp", "lim", "liminf", "limsup", "max", "min", "sup", "inf", "det", "dim", "gcd", "deg", "arg", "ker", "Pr",
    "hom", "mod", "bmod", "pmod",
];

fn nary(name: &str) -> Option<&'static str> {
    Some(match name {
        "sum" => "∑",
        "prod" => "∏",
        "coprod" => "∐",
        "int" => "∫",
        "iint" => "∬",
        "oint" => "∮",
        "bigcup" => "⋃",
        "bigcap" => "⋂",
        "bigoplus" => "⨁",
        "bigotimes" => "⨂",
        "bigvee" => "⋁",
        "bigwedge" => "⋀",
        _ => return None,
    })
}

fn accent(name: &str) -> Option<&'static str> {
    Some(match name {
        "hat" | "widehat" => "\u{302}",
        "bar" => "\u{305}",
        "tilde" | "widetilde" => "\u{303}",
        "vec" | "overrightarrow" => "\u{20D7}",
        "dot" => "\u{307}",
        "ddot" => "\u{308}",
        "acute" => "\u{301}",
        "grave" => "\u{300}",
        "breve" => "\u{306}",
        "check" => "\u{30C}",
        _ => return None,
    })
}

fn double_struck(c: char) -> char {
    match c {
        'C' => 'ℂ',
        'H' => 'ℍ',
        'N' => 'ℕ',
        'P' => 'ℙ',
        'Q' => 'ℚ',
        'R' => 'ℝ',
        'Z' => 'ℤ',
        'A'..='Z' => char::from_u32(0x1D538 + (c as u32 - 'A' as u32)).unwrap_or(c),
        _ => c,
    }
}

/// Greek letters, operators, relations and arrows.
fn symbol(name: &str) -> Option<&'static str> {
    Some(match name {
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "epsilon" => "ϵ",
        "varepsilon" => "ε",
        "zeta" => "ζ",
        "eta" => "η",
        "theta" => "θ",
        "vartheta" => "ϑ",
        "iota" => "ι",
        "kappa" => "κ",
        "lambda" => "λ",
        "mu" => "μ",
        "nu" => "ν",
        "xi" => "ξ",
        "pi" => "π",
        "varpi" => "ϖ",
        "rho" => "ρ",
        "varrho" => "ϱ",
        "sigma" => "σ",
        "varsigma" => "ς",
        "tau" => "τ",
        "upsilon" => "υ",
        "phi" => "ϕ",
        "varphi" => "φ",
        "chi" => "χ",
        "psi" => "ψ",
        "omega" => "ω",
        "Gamma" => "Γ",
        "Delta" => "Δ",
        "Theta" => "Θ",
        "Lambda" => "Λ",
        "Xi" => "Ξ",
        "Pi" => "Π",
        "Sigma" => "Σ",
        "Upsilon" => "Υ",
        "Phi" => "Φ",
        "Psi" => "Ψ",
        "Omega" => "Ω",
        "cdot" => "⋅",
        "cdots" => "⋯",
        "ldots" | "dots" => "…",
        "vdots" => "⋮",
        "ddots" => "⋱",
        "times" => "×",
        "div" => "÷",
        "pm" => "±",
        "mp" => "∓",
        "ast" => "∗",
        "star" => "⋆",
        "circ" => "∘",
        "bullet" => "∙",
        "oplus" => "⊕",
        "otimes" => "⊗",
        "cup" => "∪",
        "cap" => "∩",
        "setminus" => "∖",
        "wedge" | "land" => "∧",
        "vee" | "lor" => "∨",
        "neg" | "lnot" => "¬",
        "le" | "leq" => "≤",
        "ge" | "geq" => "≥",
        "ne" | "neq" => "≠",
        "ll" => "≪",
        "gg" => "≫",
        "approx" => "≈",
        "sim" => "∼",
        "simeq" => "≃",
        "cong" => "≅",
        "equiv" => "≡",
        "propto" => "∝",
        "in" => "∈",
        "notin" => "∉",
        "ni" => "∋",
        "subset" => "⊂",
        "supset" => "⊃",
        "subseteq" => "⊆",
        "supseteq" => "⊇",
        "emptyset" | "varnothing" => "∅",
        "forall" => "∀",
        "exists" => "∃",
        "nexists" => "∄",
        "partial" => "∂",
        "nabla" => "∇",
        "infty" => "∞",
        "prime" => "′",
        "hbar" => "ℏ",
        "ell" => "ℓ",
        "Re" => "ℜ",
        "Im" => "ℑ",
        "aleph" => "ℵ",
        "to" | "rightarrow" => "→",
        "leftarrow" | "gets" => "←",
        "leftrightarrow" => "↔",
        "Rightarrow" | "implies" => "⇒",
        "Leftarrow" => "⇐",
        "Leftrightarrow" | "iff" => "⇔",
        "mapsto" => "↦",
        "uparrow" => "↑",
        "downarrow" => "↓",
        "langle" => "⟨",
        "rangle" => "⟩",
        "lfloor" => "⌊",
        "rfloor" => "⌋",
        "lceil" => "⌈",
        "rceil" => "⌉",
        "mid" => "∣",
        "parallel" => "∥",
        "perp" => "⊥",
        "angle" => "∠",
        "triangle" => "△",
        "degree" => "°",
        "lbrace" => "{",
        "rbrace" => "}",
        "vert" | "lvert" | "rvert" => "|",
        "Vert" | "lVert" | "rVert" => "‖",
        "colon" => ":",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(tex: &str) -> String {
        let omml = convert(tex).unwrap_or_else(|| panic!("{tex} is not converted"));
        // Well-formed inside an m:oMath.
        let doc = format!(
            "<m:oMath xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\" xmlns:w=\"w\">{omml}</m:oMath>"
        );
        roxmltree::Document::parse(&doc).unwrap_or_else(|e| panic!("{tex}: {e}\n{doc}"));
        omml
    }

    #[test]
    fn the_common_subset() {
        assert!(parse(r"\frac{a+b}{2}").contains("<m:f><m:num>"));
        assert!(parse(r"x^2 + y_i^{n+1}").contains("<m:sSubSup>"));
        assert!(parse(r"\sqrt{x}").contains("degHide"));
        assert!(parse(r"\sqrt[3]{x}").contains("<m:deg><m:r>"));
        let sum = parse(r"\sum_{i=1}^{n} x_i");
        assert!(sum.contains("m:val=\"∑\"") && sum.contains("<m:sub>") && sum.contains("undOvr"), "{sum}");
        assert!(parse(r"\int_0^\infty e^{-x}\,dx").contains("subSup"));
        assert!(parse(r"\left( \frac{1}{x} \right)").contains("<m:begChr m:val=\"(\"/>"));
        let matrix = parse(r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}");
        assert_eq!(matrix.matches("<m:mr>").count(), 2, "{matrix}");
        assert!(parse(r"\alpha + \beta \leq \Gamma").contains("α"));
        assert!(parse(r"\hat{x} \vec{v}").contains("<m:acc>"));
        assert!(parse(r"\sin x + \log_2 n").contains("<m:sty m:val=\"p\"/></m:rPr><w:rPr><w:rFonts w:ascii=\"Cambria Math\" w:hAnsi=\"Cambria Math\"/></w:rPr><m:t xml:space=\"preserve\">sin"));
        assert!(parse(r"\text{if } x < 0").contains("<m:nor/>"));
        assert!(parse(r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}").contains("<m:m>"));
        assert!(parse(r"a < b \& c").contains("&lt;"));
        assert!(parse(r"\log\Biggl[\exp\bigl(x\bigr)\Biggr]").contains(">exp<"));
    }

    #[test]
    fn what_it_cannot_read_is_none() {
        assert_eq!(convert(r"\frac{a}"), None);
        assert_eq!(convert(r"\unknowncommand{x}"), None);
        assert_eq!(convert(r"x^"), None);
        assert_eq!(convert(r"\begin{tikzpicture}\end{tikzpicture}"), None);
        assert!(fallback("a<b").contains("a&lt;b"));
    }
}
