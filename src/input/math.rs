//! LaTeX math → Typst math (with the mitex converter), checked so that the
//! result can only use Typst math and the template's `mitex-*` helpers.

/// Functions the converter may call with `#` (embedded code) in its output;
/// the template defines them.
const EMBEDDED_ALLOWED: &[&str] =
    &["textmath", "textnormal", "textbf", "textit", "texttt", "textrm", "textsf", "textmd", "textup"];

/// Converts LaTeX math (without `$` delimiters) to Typst math markup.
pub fn to_typst(tex: &str) -> Result<String, String> {
    let tex = tex.trim();
    if tex.is_empty() {
        return Ok(String::new());
    }
    let tex = mathjax(tex);
    convert(&tex).or_else(|why| {
        // `\\{` for a brace, as markdown's escaping makes authors write it
        // on GitHub (`\left\\{ x \right\\}`): tried when the formula as
        // written fails, since `\\` is also LaTeX's line break.
        if tex.contains("\\\\{") || tex.contains("\\\\}") {
            convert(&tex.replace("\\\\{", "\\{").replace("\\\\}", "\\}")).map_err(|_| why)
        } else {
            Err(why)
        }
    })
}

fn convert(tex: &str) -> Result<String, String> {
    let converted = std::panic::catch_unwind(|| mitex::convert_math(tex, None))
        .map_err(|_| "the LaTeX could not be parsed".to_string())?
        .map_err(|e| e.trim().trim_start_matches("error: ").to_string())?;
    check(&converted)?;
    renamed(converted)
}

/// Commands MathJax (and so GitHub) reads that mitex does not, in the form
/// mitex does: `\TeX`, `\LaTeX` and `\KaTeX` are their names as text
/// (`$\LaTeX$` is how authors write the name on GitHub); `\hspace*` and
/// `\vspace*` are `\hspace` and `\vspace`.
fn mathjax(tex: &str) -> std::borrow::Cow<'_, str> {
    if !tex.contains("TeX") && !tex.contains("space*") {
        return tex.into();
    }
    let mut out = String::with_capacity(tex.len());
    let mut rest = tex;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let name_len = after.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(after.len());
        let mut skip = name_len;
        match &after[..name_len] {
            name @ ("TeX" | "LaTeX" | "KaTeX") => out.push_str(&format!("\\text{{{name}}}")),
            name @ ("hspace" | "vspace") if after[name_len..].starts_with('*') => {
                out.push('\\');
                out.push_str(name);
                skip += 1;
            }
            // An escaped character (`\\`, `\{`) is copied with its backslash.
            "" => {
                skip = after.chars().next().map_or(0, char::len_utf8);
                out.push('\\');
                out.push_str(&after[..skip]);
            }
            name => {
                out.push('\\');
                out.push_str(name);
            }
        }
        rest = &after[skip..];
    }
    out.push_str(rest);
    out.into()
}

/// Symbol modifiers the converter writes by names older Typst versions had
/// (`plus.circle` for ⊕, now `plus.o`).
const RENAMED_MODIFIERS: &[(&str, &str)] = &[(".circle", ".o"), (".square", ".sq"), (".dash", ".dashed")];

/// Symbols the converter writes by names Typst 0.14 renamed (`\partial` is
/// `diff`, now `partial`): the name and the start of its modifiers.
const RENAMED_SYMBOLS: &[(&str, &str)] = &[
    ("sect", "inter"),
    ("diff", "partial"),
    ("planck.reduce", "planck"),
    ("angle.l", "chevron.l"),
    ("angle.r", "chevron.r"),
    ("ohm", "Omega"),
    ("circle.nested", "compose.o"),
    ("bracket.l.double", "bracket.l.stroked"),
    ("bracket.r.double", "bracket.r.stroked"),
];

/// Names Typst 0.15 still knows but warns about (`\trianglelefteq` is
/// `lt.tri.eq`, now `lt.closed.eq`).
const DEPRECATED: &[(&str, &str)] =
    &[("lt.tri", "lt.closed"), ("gt.tri", "gt.closed"), ("join", "bowtie.big"), ("tack.r.double", "tack.rr")];

/// `chain` with a renamed symbol or modifier, if one makes it a name Typst has.
fn rename(chain: &str) -> Option<String> {
    let symbols = RENAMED_SYMBOLS.iter().filter_map(|(old, new)| {
        let rest = chain.strip_prefix(old)?;
        (rest.is_empty() || rest.starts_with('.')).then(|| format!("{new}{rest}"))
    });
    let modifiers =
        RENAMED_MODIFIERS.iter().filter(|(old, _)| chain.contains(old)).map(|(old, new)| chain.replacen(old, new, 1));
    symbols.chain(modifiers).find(|c| parses(c).is_ok())
}

/// `text` with the name `chain` replaced where it stands as a whole name
/// (not inside `subsection`).
fn replace_name(text: &str, chain: &str, new: &str) -> String {
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(chain) {
        let before = rest[..at].chars().last().or_else(|| out.chars().last());
        let after = rest[at + chain.len()..].chars().next();
        // Its modifiers may follow (`sect` in `sect.big`).
        let whole = !before.is_some_and(is_name) && !after.is_some_and(|c| c.is_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if whole { new } else { chain });
        rest = &rest[at + chain.len()..];
    }
    out.push_str(rest);
    out
}

/// The formula if it parses (see [`parses`]), after renaming the symbols
/// and modifiers that Typst renamed; else why not.
fn renamed(mut typst: String) -> Result<String, String> {
    for (old, new) in DEPRECATED {
        if typst.contains(old) {
            typst = replace_name(&typst, old, new);
        }
    }
    for _ in 0..16 {
        let Err(why) = parses(&typst) else { return Ok(typst) };
        let chain = why.split('`').nth(1).unwrap_or("");
        match rename(chain) {
            Some(new) if !chain.is_empty() => typst = replace_name(&typst, chain, &new),
            _ => return Err(why),
        }
    }
    parses(&typst).map(|()| typst)
}

/// The converted formula must be Typst math that parses and names only
/// what Typst's library or the default template defines: a formula that
/// would stop the whole report at typesetting falls back here instead.
fn parses(typst: &str) -> Result<(), String> {
    use typst::syntax::{SyntaxKind, SyntaxNode};
    let root = typst::syntax::parse_math(typst);
    let (errors, _) = root.errors_and_warnings();
    if let Some(error) = errors.first() {
        return Err(format!("it converts to Typst math that does not parse ({})", error.message));
    }
    fn problem(node: &SyntaxNode) -> Option<String> {
        let unknown = |name: &str| Some(format!("it converts to Typst math with the unknown name `{name}`"));
        match node.kind() {
            SyntaxKind::MathIdent if !is_defined(node.leaf_text()) => unknown(node.leaf_text()),
            // `arrow.r`: the head names something in scope, and a symbol's
            // modifiers must be its own.
            SyntaxKind::MathFieldAccess | SyntaxKind::FieldAccess => match symbol(node) {
                Err(name) => unknown(&name),
                Ok(_) => node.children().next().and_then(problem),
            },
            // `\frac{a}` (a missing argument): `frac(a)` would stop the
            // whole report at typesetting.
            SyntaxKind::MathCall | SyntaxKind::FuncCall => node.children().find_map(problem).or_else(|| {
                let mut children = node.children();
                let callee = children.next().filter(|c| c.kind() == SyntaxKind::MathIdent)?;
                let given = positional_args(children.next()?)?;
                let (least, most) = arity(callee.leaf_text())?;
                let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
                let expected = match most {
                    Some(most) if most == least => format!("{least}"),
                    Some(most) => format!("{least} to {most}"),
                    None => format!("at least {least}"),
                };
                (given < least || most.is_some_and(|m| given > m)).then(|| {
                    format!(
                        "it converts to Typst math that gives `{}` {given} {} where it takes {expected}",
                        callee.leaf_text(),
                        plural(given)
                    )
                })
            }),
            _ => node.children().find_map(problem),
        }
    }
    match problem(&root) {
        Some(why) => Err(why),
        None => Ok(()),
    }
}

/// How many positional arguments a call's argument list gives (`None`
/// for a matrix's rows or a spread, which are not counted here).
fn positional_args(args: &typst::syntax::SyntaxNode) -> Option<usize> {
    use typst::syntax::SyntaxKind;
    let mut count = 0;
    let mut segment_has_content = false;
    for child in args.children() {
        match child.kind() {
            SyntaxKind::Semicolon | SyntaxKind::Spread => return None,
            SyntaxKind::LeftParen | SyntaxKind::Space => {}
            SyntaxKind::Comma | SyntaxKind::RightParen => {
                count += usize::from(segment_has_content);
                segment_has_content = false;
            }
            SyntaxKind::Named => {}
            _ => segment_has_content = true,
        }
    }
    Some(count)
}

/// The positional parameters a function of Typst's or of the template
/// takes: how many it needs, and how many it can take (`None`: any).
fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    use typst::foundations::Value;
    // `#let name(a, b, key: v, ..rest) = ...` in the default template, which
    // may shadow Typst's own.
    let defined = crate::styles::TEMPLATE.lines().find_map(|l| l.strip_prefix("#let ")?.strip_prefix(name));
    if let Some(params) = defined.and_then(|l| l.strip_prefix('(')) {
        let params = &params[..params.find(')')?];
        let (mut least, mut most) = (0, Some(0));
        for param in params.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if param.starts_with("..") {
                most = None;
            } else if !param.contains(':') {
                least += 1;
                most = most.map(|m| m + 1);
            }
        }
        return Some((least, most));
    }
    let library = library();
    if let Some(binding) = library.math.scope().get(name).or_else(|| library.global.scope().get(name)) {
        let Value::Func(func) = binding.read() else { return None };
        let (mut least, mut most) = (0, Some(0));
        for param in func.params().filter(|p| p.positional()) {
            if param.variadic() {
                // `binom(upper, ..lower)` needs one of `lower`.
                least += usize::from(param.required());
                most = None;
            } else {
                least += usize::from(param.required());
                most = most.map(|m| m + 1);
            }
        }
        return Some((least, most));
    }
    None
}

/// The symbol a name or a chain of modifiers (`plus.circle`) names, if it
/// is one of Typst's; `Err` with the chain when a modifier is unknown.
fn symbol(node: &typst::syntax::SyntaxNode) -> Result<Option<typst::foundations::Symbol>, String> {
    use typst::foundations::Value;
    use typst::syntax::SyntaxKind;
    match node.kind() {
        SyntaxKind::MathIdent => {
            let library = library();
            let binding =
                library.math.scope().get(node.leaf_text()).or_else(|| library.global.scope().get(node.leaf_text()));
            Ok(match binding.map(|b| b.read()) {
                Some(Value::Symbol(symbol)) => Some(symbol.clone()),
                _ => None,
            })
        }
        SyntaxKind::MathFieldAccess | SyntaxKind::FieldAccess => {
            let mut children = node.children();
            let Some(base) = children.next() else { return Ok(None) };
            let Some(field) = children.last() else { return Ok(None) };
            match symbol(base)? {
                Some(sym) => sym
                    .modified((), field.leaf_text())
                    .map(Some)
                    .map_err(|_| format!("{}.{}", base.full_text(), field.leaf_text())),
                None => Ok(None),
            }
        }
        _ => Ok(None),
    }
}

/// Typst's standard library (its math and global scopes).
fn library() -> &'static typst::Library {
    use typst::LibraryExt;
    static LIBRARY: std::sync::OnceLock<typst::Library> = std::sync::OnceLock::new();
    LIBRARY.get_or_init(typst::Library::default)
}

/// Whether Typst's math or global scope, or the default template, defines `name`.
fn is_defined(name: &str) -> bool {
    use std::sync::OnceLock;
    static TEMPLATE: OnceLock<Vec<&'static str>> = OnceLock::new();
    let library = library();
    if library.math.scope().get(name).is_some() || library.global.scope().get(name).is_some() {
        return true;
    }
    TEMPLATE
        .get_or_init(|| {
            crate::styles::TEMPLATE
                .lines()
                .filter_map(|l| l.strip_prefix("#let "))
                .map(|l| l.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).next().unwrap_or(""))
                .collect()
        })
        .contains(&name)
}

/// Refuses embedded code other than the allowed helpers, and `$` that would
/// end the equation.
fn check(typst: &str) -> Result<(), String> {
    let bytes = typst.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'#' => {
                let rest = &typst[i + 1..];
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '-').collect();
                if !EMBEDDED_ALLOWED.contains(&name.as_str()) {
                    return Err(format!("it uses `#{name}`, which is not allowed in math"));
                }
                i += 1;
            }
            b'$' => return Err("it contains an unescaped `$`".into()),
            _ => i += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_common_math() {
        assert_eq!(to_typst(r"\frac{a}{b} + x^2").unwrap(), "frac(a ,b ) +  x ^(2 )");
        assert!(to_typst(r"\alpha \le \beta").unwrap().contains("alpha"));
    }

    #[test]
    fn mathjax_commands() {
        assert_eq!(mathjax(r"\LaTeX"), r"\text{LaTeX}");
        assert_eq!(
            mathjax(r"a \TeX{} \\ \{x\} \TeXt \alpha \KaTeX"),
            r"a \text{TeX}{} \\ \{x\} \TeXt \alpha \text{KaTeX}"
        );
        assert_eq!(
            mathjax(r"x \hspace*{1cm} y \vspace*{2pt} \hspace{1em}"),
            r"x \hspace{1cm} y \vspace{2pt} \hspace{1em}"
        );
        assert!(to_typst(r"\LaTeX").unwrap().contains("LaTeX"));
        assert_eq!(to_typst(r"x \hspace*{1cm} y").unwrap(), to_typst(r"x \hspace{1cm} y").unwrap());
    }

    /// Commands whose Typst names changed in 0.14 (`\partial` was `diff`,
    /// `\langle` `angle.l`): common in proposals, they fell back to source.
    #[test]
    fn renamed_symbols() {
        for (tex, typst) in [
            (r"\partial x", "partial"),
            (r"A \cap B", "inter"),
            (r"\bigcap_i A_i", "inter.big"),
            (r"\langle x, y \rangle", "chevron.l"),
            (r"\langle x, y \rangle", "chevron.r"),
            (r"\hbar", "planck"),
            (r"\mho", "Omega.inv"),
            (r"\circledcirc", "compose.o"),
            (r"a \dashrightarrow b", "arrow.r.dashed"),
            (r"\oplus", "plus.o"),
            (r"a \trianglelefteq b", "lt.closed.eq"),
            (r"a \vDash b", "tack.rr"),
        ] {
            let out = to_typst(tex).unwrap_or_else(|e| panic!("{tex}: {e}"));
            assert!(out.contains(typst), "{tex} => {out}, not {typst}");
        }
        assert_eq!(replace_name("diff x + subdiff(diff.big)", "diff", "partial"), "partial x + subdiff(partial.big)");
    }

    /// A call with too few or too many arguments would stop the whole
    /// report at typesetting: refused here, so the formula falls back.
    #[test]
    fn calls_with_the_wrong_number_of_arguments_are_refused() {
        for (tex, why) in [
            (r"\frac{a}", "gives `frac` 1 argument where it takes 2"),
            (r"\frac", "gives `frac` 0 arguments where it takes 2"),
            (r"\dfrac{a}", "gives `dfrac` 1 argument where it takes 2"),
            (r"\binom{n}", "gives `binom` 1 argument where it takes at least 2"),
            (r"\overset{a}", "gives `overset` 1 argument where it takes 2"),
        ] {
            assert_eq!(to_typst(tex).unwrap_err(), format!("it converts to Typst math that {why}"), "{tex}");
        }
        for tex in [r"\frac{a}{b}", r"\sqrt", r"\sqrt[3]{x}", r"\binom{n}{k}", r"\begin{pmatrix}a&b\\c&d\end{pmatrix}"]
        {
            to_typst(tex).unwrap_or_else(|e| panic!("{tex}: {e}"));
        }
        assert_eq!(arity("frac"), Some((2, Some(2))));
        assert_eq!(arity("mitexsqrt"), Some((0, None)));
        assert_eq!(arity("dfrac"), Some((2, Some(2))), "the template's own");
    }

    #[test]
    fn braces_escaped_for_markdown() {
        let out = to_typst(r"\left\\{ x \in S \right\\}").unwrap();
        assert_eq!(out, to_typst(r"\left\{ x \in S \right\}").unwrap());
        // A line break before a group stays one where the formula works so.
        assert!(to_typst(r"\begin{aligned} a \\{b} \end{aligned}").is_ok());
    }

    #[test]
    fn unknown_commands_are_errors() {
        assert_eq!(to_typst(r"\unknowncmd{x}").unwrap_err(), r"unknown command: \unknowncmd");
    }

    /// A formula mitex accepts but whose Typst would stop the whole report
    /// (from an EIP): refused here, so it falls back to its LaTeX source.
    #[test]
    fn converted_math_that_does_not_parse_is_refused() {
        let err = to_typst(r"\bigl\lfloor x \bigr\rfloor").unwrap_err();
        assert!(err.contains("does not parse") || err.contains("unknown name"), "{err}");
        assert_eq!(parses("floor(x) + alpha + mitexsqrt(2) + arrow.r"), Ok(()));
        assert!(parses("frac(a, b").unwrap_err().contains("does not parse"));
        assert!(parses("nosuchsymbol + 1").unwrap_err().contains("`nosuchsymbol`"));
        // A modifier the symbol does not have stops typst at evaluation.
        assert!(parses("a plus.nosuchmodifier b").unwrap_err().contains("`plus.nosuchmodifier`"));
        assert_eq!(parses("a plus.o b + arrow.r.long"), Ok(()));
        // ... unless it is only renamed: ⊕ was `plus.circle`, is `plus.o`.
        assert!(to_typst(r"a \oplus b \otimes c").unwrap().contains("plus.o"), "{:?}", to_typst(r"a \oplus b"));
    }

    #[test]
    fn injection_stays_text() {
        let out = to_typst(r#"\text{#read("/etc/passwd")}"#).unwrap();
        assert!(out.starts_with("#textmath["), "{out}");
        assert!(out.contains("\\#read") && !out.contains("[#read"), "{out}");
        assert!(check("#read(\"x\")").is_err());
        assert!(check("a $ b").is_err());
        assert!(check(r"a \$ b").is_ok());
    }
}
