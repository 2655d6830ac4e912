//! Word equations (Office Math Markup, `m:oMath`) as LaTeX, which the
//! pipeline already checks, typesets and writes as MathML. What does not
//! map is reported by the caller, which falls back to the equation's text.

use roxmltree::Node;

use super::package::{attr, child, name};

/// The most nesting an equation may have before it is refused.
const MAX_DEPTH: usize = 64;

/// The LaTeX of an `m:oMath` (or `m:oMathPara`) element; `Err` names what
/// could not be converted.
pub fn to_latex(node: Node<'_, '_>) -> Result<String, String> {
    let mut out = String::new();
    let mut cx = Cx { unknown: Vec::new() };
    if name(node) == "oMathPara" {
        let rows: Vec<String> =
            node.children().filter(|c| c.is_element() && name(*c) == "oMath").map(|m| cx.children(m, 0)).collect();
        if rows.len() > 1 {
            out.push_str("\\begin{gathered}");
            out.push_str(&rows.join(" \\\\ "));
            out.push_str("\\end{gathered}");
        } else {
            out.push_str(rows.first().map_or("", String::as_str));
        }
    } else {
        out = cx.children(node, 0);
    }
    if let Some(what) = cx.unknown.first() {
        return Err(format!("the equation uses `m:{what}`, which has no LaTeX form here"));
    }
    Ok(out.trim().to_string())
}

/// The plain text of an equation (its `m:t` runs), for the fallback.
pub fn text(node: Node<'_, '_>) -> String {
    node.descendants().filter(|n| n.is_element() && name(*n) == "t").filter_map(|n| n.text()).collect()
}

struct Cx {
    unknown: Vec<String>,
}

impl Cx {
    fn children(&mut self, node: Node<'_, '_>, depth: usize) -> String {
        let mut out = String::new();
        for c in node.children().filter(Node::is_element) {
            let piece = self.element(c, depth + 1);
            // Keep `\alpha x` from reading as `\alphax`.
            if out.ends_with(|ch: char| ch.is_ascii_alphabetic())
                && piece.starts_with(|ch: char| ch.is_ascii_alphabetic())
                && last_is_command(&out)
            {
                out.push(' ');
            }
            out.push_str(&piece);
        }
        out
    }

    fn arg(&mut self, node: Node<'_, '_>, part: &str, depth: usize) -> String {
        child(node, part).map(|p| self.children(p, depth)).unwrap_or_default()
    }

    fn element(&mut self, node: Node<'_, '_>, depth: usize) -> String {
        if depth > MAX_DEPTH {
            self.unknown.push("nesting deeper than 64".into());
            return String::new();
        }
        let d = depth;
        match name(node) {
            "r" => self.run(node),
            "f" => {
                let kind = child(node, "fPr").and_then(|p| child(p, "type")).and_then(|t| attr(t, "val"));
                let (num, den) = (self.arg(node, "num", d), self.arg(node, "den", d));
                match kind {
                    Some("noBar") => format!("\\genfrac{{}}{{}}{{0pt}}{{}}{{{num}}}{{{den}}}"),
                    Some("lin") => format!("{{{num}}}/{{{den}}}"),
                    _ => format!("\\frac{{{num}}}{{{den}}}"),
                }
            }
            "sSup" => format!("{}^{{{}}}", group(&self.arg(node, "e", d)), self.arg(node, "sup", d)),
            "sSub" => format!("{}_{{{}}}", group(&self.arg(node, "e", d)), self.arg(node, "sub", d)),
            "sSubSup" => format!(
                "{}_{{{}}}^{{{}}}",
                group(&self.arg(node, "e", d)),
                self.arg(node, "sub", d),
                self.arg(node, "sup", d)
            ),
            "sPre" => format!(
                "{{}}_{{{}}}^{{{}}}{}",
                self.arg(node, "sub", d),
                self.arg(node, "sup", d),
                group(&self.arg(node, "e", d))
            ),
            "rad" => {
                let hide = child(node, "radPr")
                    .and_then(|p| child(p, "degHide"))
                    .is_some_and(|h| !matches!(attr(h, "val"), Some("0" | "off" | "false")));
                let deg = self.arg(node, "deg", d);
                let e = self.arg(node, "e", d);
                if hide || deg.trim().is_empty() { format!("\\sqrt{{{e}}}") } else { format!("\\sqrt[{deg}]{{{e}}}") }
            }
            "nary" => self.nary(node, d),
            "d" => self.delimiter(node, d),
            "m" => {
                let rows: Vec<String> = node
                    .children()
                    .filter(|c| c.is_element() && name(*c) == "mr")
                    .map(|r| {
                        r.children()
                            .filter(|c| c.is_element() && name(*c) == "e")
                            .map(|e| self.children(e, d))
                            .collect::<Vec<_>>()
                            .join(" & ")
                    })
                    .collect();
                format!("\\begin{{matrix}}{}\\end{{matrix}}", rows.join(" \\\\ "))
            }
            "eqArr" => {
                let rows: Vec<String> = node
                    .children()
                    .filter(|c| c.is_element() && name(*c) == "e")
                    .map(|e| self.children(e, d))
                    .collect();
                format!("\\begin{{aligned}}{}\\end{{aligned}}", rows.join(" \\\\ "))
            }
            "acc" => {
                let chr = child(node, "accPr")
                    .and_then(|p| child(p, "chr"))
                    .and_then(|c| attr(c, "val"))
                    .unwrap_or("\u{302}");
                let e = self.arg(node, "e", d);
                let command = match chr {
                    "\u{302}" | "^" | "ˆ" => "hat",
                    "\u{303}" | "~" | "˜" => "tilde",
                    "\u{304}" | "\u{305}" | "¯" | "‾" => "bar",
                    "\u{307}" | "˙" => "dot",
                    "\u{308}" | "¨" => "ddot",
                    "\u{20D7}" | "\u{2192}" => "vec",
                    "\u{306}" | "˘" => "breve",
                    "\u{30C}" | "ˇ" => "check",
                    "\u{301}" | "´" => "acute",
                    "\u{300}" | "`" => "grave",
                    "\u{20DB}" => "dddot",
                    _ => "hat",
                };
                format!("\\{command}{{{e}}}")
            }
            "bar" => {
                let bottom =
                    child(node, "barPr").and_then(|p| child(p, "pos")).and_then(|p| attr(p, "val")) == Some("bot");
                let e = self.arg(node, "e", d);
                if bottom { format!("\\underline{{{e}}}") } else { format!("\\overline{{{e}}}") }
            }
            "groupChr" => {
                let pr = child(node, "groupChrPr");
                let chr = pr.and_then(|p| child(p, "chr")).and_then(|c| attr(c, "val")).unwrap_or("\u{23DF}");
                let e = self.arg(node, "e", d);
                match chr {
                    "\u{23DE}" => format!("\\overbrace{{{e}}}"),
                    "\u{23DF}" => format!("\\underbrace{{{e}}}"),
                    "\u{2192}" => format!("\\overrightarrow{{{e}}}"),
                    "\u{2190}" => format!("\\overleftarrow{{{e}}}"),
                    other => format!("\\overset{{{}}}{{{e}}}", symbol(other)),
                }
            }
            "func" => {
                let fname = self.arg(node, "fName", d);
                let e = self.arg(node, "e", d);
                let known = fname.trim_start_matches('\\');
                let head = if FUNCTIONS.contains(&known) {
                    format!("\\{known}")
                } else if fname.starts_with('\\') || fname.contains(['_', '^', '{']) {
                    fname
                } else {
                    format!("\\operatorname{{{fname}}}")
                };
                format!("{head}{{{e}}}")
            }
            "limLow" => {
                let e = self.arg(node, "e", d);
                let lim = self.arg(node, "lim", d);
                if ["lim", "\\lim", "\\max", "\\min", "\\sup", "\\inf", "max", "min"].contains(&e.trim()) {
                    let e = e.trim().trim_start_matches('\\');
                    format!("\\{e}_{{{lim}}}")
                } else {
                    format!("\\underset{{{lim}}}{{{e}}}")
                }
            }
            "limUpp" => format!("\\overset{{{}}}{{{}}}", self.arg(node, "lim", d), self.arg(node, "e", d)),
            "box" | "borderBox" | "phant" | "e" | "oMath" | "num" | "den" | "fName" | "lim" | "sub" | "sup" | "deg" => {
                self.children(node, d)
            }
            "argPr" | "ctrlPr" | "rPr" | "fPr" | "oMathParaPr" | "sSupPr" | "sSubPr" | "sSubSupPr" | "radPr"
            | "naryPr" | "dPr" | "mPr" | "accPr" | "barPr" | "funcPr" | "limLowPr" | "limUppPr" | "boxPr"
            | "borderBoxPr" | "eqArrPr" | "groupChrPr" | "sPrePr" | "phantPr" | "bookmarkStart" | "bookmarkEnd"
            | "proofErr" => String::new(),
            // A Word run inside an equation (`w:r` in `m:oMath`), or an
            // inserted one: its text.
            "ins" | "smartTag" | "customXml" | "sdt" | "sdtContent" => self.children(node, d),
            "del" => String::new(),
            other => {
                self.unknown.push(other.to_string());
                String::new()
            }
        }
    }

    fn run(&mut self, node: Node<'_, '_>) -> String {
        let pr = child(node, "rPr");
        let normal = pr.is_some_and(|p| child(p, "nor").is_some());
        let style = pr.and_then(|p| child(p, "sty")).and_then(|s| attr(s, "val"));
        let script = pr.and_then(|p| child(p, "scr")).and_then(|s| attr(s, "val"));
        let text: String = node
            .children()
            .filter(|c| c.is_element() && matches!(name(*c), "t" | "delText"))
            .filter(|c| name(*c) == "t")
            .filter_map(|c| c.text())
            .collect();
        if text.is_empty() {
            return String::new();
        }
        if normal {
            return format!("\\text{{{}}}", escape_text(&text));
        }
        let body: String = text.chars().map(symbol_char).collect();
        let body = body.trim_end().to_string();
        match (style, script) {
            (Some("p"), _) if text.chars().all(|c| c.is_alphabetic()) && text.chars().count() > 1 => {
                if FUNCTIONS.contains(&text.as_str()) { format!("\\{text}") } else { format!("\\mathrm{{{body}}}") }
            }
            (Some("p"), _) if text.chars().all(|c| c.is_ascii_alphabetic()) => format!("\\mathrm{{{body}}}"),
            (Some("b"), _) => format!("\\mathbf{{{body}}}"),
            (_, Some("double-struck")) => format!("\\mathbb{{{body}}}"),
            (_, Some("script")) => format!("\\mathcal{{{body}}}"),
            (_, Some("fraktur")) => format!("\\mathfrak{{{body}}}"),
            _ => body,
        }
    }

    fn nary(&mut self, node: Node<'_, '_>, d: usize) -> String {
        let pr = child(node, "naryPr");
        let chr = pr.and_then(|p| child(p, "chr")).and_then(|c| attr(c, "val")).unwrap_or("\u{222B}");
        let hidden = |part: &str| {
            pr.and_then(|p| child(p, part)).is_some_and(|h| !matches!(attr(h, "val"), Some("0" | "off" | "false")))
        };
        let command = match chr {
            "\u{2211}" => "\\sum",
            "\u{220F}" => "\\prod",
            "\u{2210}" => "\\coprod",
            "\u{222B}" => "\\int",
            "\u{222C}" => "\\iint",
            "\u{222D}" => "\\iiint",
            "\u{222E}" => "\\oint",
            "\u{22C3}" => "\\bigcup",
            "\u{22C2}" => "\\bigcap",
            "\u{22C1}" => "\\bigvee",
            "\u{22C0}" => "\\bigwedge",
            "\u{2A01}" => "\\bigoplus",
            "\u{2A02}" => "\\bigotimes",
            _ => "\\sum",
        };
        let mut out = command.to_string();
        let under = child(pr.unwrap_or(node), "limLoc").and_then(|l| attr(l, "val")) == Some("undOvr");
        if under && command != "\\sum" && command != "\\prod" {
            out.push_str("\\limits");
        }
        let sub = self.arg(node, "sub", d);
        let sup = self.arg(node, "sup", d);
        if !hidden("subHide") && !sub.is_empty() {
            out.push_str(&format!("_{{{sub}}}"));
        }
        if !hidden("supHide") && !sup.is_empty() {
            out.push_str(&format!("^{{{sup}}}"));
        }
        out.push(' ');
        out.push_str(&self.arg(node, "e", d));
        out
    }

    fn delimiter(&mut self, node: Node<'_, '_>, d: usize) -> String {
        let pr = child(node, "dPr");
        let get = |part: &str, default: &'static str| -> String {
            match pr.and_then(|p| child(p, part)) {
                Some(c) => attr(c, "val").unwrap_or("").to_string(),
                None => default.to_string(),
            }
        };
        let (beg, end, sep) = (get("begChr", "("), get("endChr", ")"), get("sepChr", "|"));
        let items: Vec<String> =
            node.children().filter(|c| c.is_element() && name(*c) == "e").map(|e| self.children(e, d)).collect();
        let sep = if sep == "|" { "\\mid ".to_string() } else { format!("{} ", delim(&sep)) };
        format!("\\left{} {} \\right{}", delim(&beg), items.join(&sep), delim(&end))
    }
}

const FUNCTIONS: &[&str] = &[
    "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "coth", "log",
    "ln", "lg", "exp", "lim", "max", "min", "sup", "inf", "det", "dim", "ker", "deg", "gcd", "arg", "Pr", "hom",
];

fn last_is_command(out: &str) -> bool {
    let word: String = out.chars().rev().take_while(|c| c.is_ascii_alphabetic()).collect();
    out[..out.len() - word.len()].ends_with('\\')
}

/// A base that must be braced before a script.
fn group(base: &str) -> String {
    if base.chars().count() == 1 || (base.starts_with('\\') && base[1..].chars().all(|c| c.is_ascii_alphabetic())) {
        base.to_string()
    } else {
        format!("{{{base}}}")
    }
}

fn delim(chr: &str) -> String {
    match chr {
        "" => ".".into(),
        "{" => "\\{".into(),
        "}" => "\\}".into(),
        "\u{2329}" | "\u{27E8}" | "\u{3008}" => "\\langle".into(),
        "\u{232A}" | "\u{27E9}" | "\u{3009}" => "\\rangle".into(),
        "\u{2016}" | "\u{2225}" => "\\|".into(),
        "\u{230A}" => "\\lfloor".into(),
        "\u{230B}" => "\\rfloor".into(),
        "\u{2308}" => "\\lceil".into(),
        "\u{2309}" => "\\rceil".into(),
        "(" | ")" | "[" | "]" | "|" | "/" => chr.into(),
        other => symbol(other),
    }
}

fn symbol(s: &str) -> String {
    s.chars().map(symbol_char).collect()
}

/// A character of an equation as LaTeX: the letters and operators that
/// have a command as one, LaTeX's special characters escaped.
fn symbol_char(c: char) -> String {
    let command = match c {
        'α' => "alpha",
        'β' => "beta",
        'γ' => "gamma",
        'δ' => "delta",
        'ε' => "varepsilon",
        'ϵ' => "epsilon",
        'ζ' => "zeta",
        'η' => "eta",
        'θ' => "theta",
        'ϑ' => "vartheta",
        'ι' => "iota",
        'κ' => "kappa",
        'λ' => "lambda",
        'μ' => "mu",
        'ν' => "nu",
        'ξ' => "xi",
        'π' => "pi",
        'ϖ' => "varpi",
        'ρ' => "rho",
        'ϱ' => "varrho",
        'σ' => "sigma",
        'ς' => "varsigma",
        'τ' => "tau",
        'υ' => "upsilon",
        'φ' => "varphi",
        'ϕ' => "phi",
        'χ' => "chi",
        'ψ' => "psi",
        'ω' => "omega",
        'Γ' => "Gamma",
        'Δ' => "Delta",
        'Θ' => "Theta",
        'Λ' => "Lambda",
        'Ξ' => "Xi",
        'Π' => "Pi",
        'Σ' => "Sigma",
        'Υ' => "Upsilon",
        'Φ' => "Phi",
        'Ψ' => "Psi",
        'Ω' => "Omega",
        '∞' => "infty",
        '≤' => "leq",
        '≥' => "geq",
        '≠' => "neq",
        '≈' => "approx",
        '≡' => "equiv",
        '∼' => "sim",
        '≃' => "simeq",
        '≅' => "cong",
        '∝' => "propto",
        '±' => "pm",
        '∓' => "mp",
        '×' => "times",
        '÷' => "div",
        '·' | '⋅' => "cdot",
        '∘' => "circ",
        '∗' => "ast",
        '∈' => "in",
        '∉' => "notin",
        '∋' => "ni",
        '⊂' => "subset",
        '⊃' => "supset",
        '⊆' => "subseteq",
        '⊇' => "supseteq",
        '∪' => "cup",
        '∩' => "cap",
        '∅' => "emptyset",
        '∀' => "forall",
        '∃' => "exists",
        '¬' => "neg",
        '∧' => "wedge",
        '∨' => "vee",
        '→' => "to",
        '←' => "leftarrow",
        '↔' => "leftrightarrow",
        '⇒' => "Rightarrow",
        '⇐' => "Leftarrow",
        '⇔' => "Leftrightarrow",
        '↦' => "mapsto",
        '∂' => "partial",
        '∇' => "nabla",
        '√' => "surd",
        '∑' => "sum",
        '∏' => "prod",
        '∫' => "int",
        '…' => "ldots",
        '⋯' => "cdots",
        '⋮' => "vdots",
        '⋱' => "ddots",
        'ℏ' => "hbar",
        'ℓ' => "ell",
        'ℜ' => "Re",
        'ℑ' => "Im",
        'ℵ' => "aleph",
        '°' => "circ",
        '′' => "prime",
        '⊥' => "perp",
        '∥' => "parallel",
        '⊕' => "oplus",
        '⊗' => "otimes",
        '≪' => "ll",
        '≫' => "gg",
        '⟨' => "langle",
        '⟩' => "rangle",
        '∖' => "setminus",
        '⊢' => "vdash",
        '⊨' => "models",
        '∠' => "angle",
        '△' => "triangle",
        '□' => "square",
        '†' => "dagger",
        '‡' => "ddagger",
        '≺' => "prec",
        '≻' => "succ",
        '\u{2061}' | '\u{2062}' | '\u{2063}' | '\u{200B}' => return String::new(),
        '\u{2212}' => return "-".into(),
        '{' | '}' | '#' | '%' | '&' | '$' | '_' => return format!("\\{c}"),
        '\\' => "backslash",
        '~' => "sim",
        '^' => "hat{}",
        ' ' | '\u{a0}' => return " ".into(),
        _ => return c.to_string(),
    };
    format!("\\{command} ")
}

fn escape_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '{' | '}' | '#' | '%' | '&' | '$' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str("\\textbackslash{}"),
            '~' | '^' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latex(inner: &str) -> Result<String, String> {
        let xml = format!(
            r#"<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{inner}</m:oMath>"#
        );
        let doc = roxmltree::Document::parse(&xml).unwrap();
        to_latex(doc.root_element())
    }

    fn r(t: &str) -> String {
        format!("<m:r><m:t>{t}</m:t></m:r>")
    }

    #[test]
    fn fractions_scripts_radicals() {
        let frac = format!("<m:f><m:num>{}</m:num><m:den>{}</m:den></m:f>", r("a"), r("b+1"));
        assert_eq!(latex(&frac).unwrap(), "\\frac{a}{b+1}");
        let sup = format!("<m:sSup><m:e>{}</m:e><m:sup>{}</m:sup></m:sSup>", r("x"), r("2"));
        assert_eq!(latex(&sup).unwrap(), "x^{2}");
        let rad = format!("<m:rad><m:radPr><m:degHide m:val=\"1\"/></m:radPr><m:deg/><m:e>{}</m:e></m:rad>", r("y"));
        assert_eq!(latex(&rad).unwrap(), "\\sqrt{y}");
        let cube = format!("<m:rad><m:deg>{}</m:deg><m:e>{}</m:e></m:rad>", r("3"), r("y"));
        assert_eq!(latex(&cube).unwrap(), "\\sqrt[3]{y}");
    }

    #[test]
    fn nary_delimiters_matrices_functions() {
        let sum = format!(
            "<m:nary><m:naryPr><m:chr m:val=\"∑\"/></m:naryPr><m:sub>{}</m:sub><m:sup>{}</m:sup><m:e>{}</m:e></m:nary>",
            r("i=1"),
            r("n"),
            r("i")
        );
        assert_eq!(latex(&sum).unwrap(), "\\sum_{i=1}^{n} i");
        let d = format!("<m:d><m:e>{}</m:e><m:e>{}</m:e></m:d>", r("a"), r("b"));
        assert_eq!(latex(&d).unwrap(), "\\left( a\\mid b \\right)");
        let m = format!(
            "<m:m><m:mr><m:e>{}</m:e><m:e>{}</m:e></m:mr><m:mr><m:e>{}</m:e><m:e>{}</m:e></m:mr></m:m>",
            r("1"),
            r("0"),
            r("0"),
            r("1")
        );
        assert_eq!(latex(&m).unwrap(), "\\begin{matrix}1 & 0 \\\\ 0 & 1\\end{matrix}");
        let f = format!(
            "<m:func><m:fName><m:r><m:rPr><m:sty m:val=\"p\"/></m:rPr><m:t>sin</m:t></m:r></m:fName><m:e>{}</m:e></m:func>",
            r("θ")
        );
        assert_eq!(latex(&f).unwrap(), "\\sin{\\theta}");
        assert_eq!(latex(&r("α≤β")).unwrap(), "\\alpha \\leq \\beta");
        assert_eq!(latex(&r("50%")).unwrap(), "50\\%");
    }

    #[test]
    fn unknown_elements_are_named_and_nesting_is_capped() {
        let err = latex("<m:weird/>").unwrap_err();
        assert!(err.contains("m:weird"), "{err}");
        let mut deep = r("x");
        for _ in 0..200 {
            deep = format!("<m:box><m:e>{deep}</m:e></m:box>");
        }
        assert!(latex(&deep).is_err());
    }
}
