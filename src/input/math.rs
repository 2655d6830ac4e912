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
    let tex = logos(tex);
    let converted = std::panic::catch_unwind(|| mitex::convert_math(&tex, None))
        .map_err(|_| "the LaTeX could not be parsed".to_string())?
        .map_err(|e| e.trim().trim_start_matches("error: ").to_string())?;
    check(&converted)?;
    let converted = renamed(converted)?;
    Ok(converted)
}

/// `\TeX` and `\LaTeX`, which MathJax (and so GitHub) draws as the names:
/// as text here (`$\LaTeX$` is how authors write the name on GitHub).
fn logos(tex: &str) -> std::borrow::Cow<'_, str> {
    if !tex.contains("TeX") {
        return tex.into();
    }
    let mut out = String::with_capacity(tex.len());
    let mut rest = tex;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let name_len = after.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(after.len());
        match &after[..name_len] {
            name @ ("TeX" | "LaTeX") => out.push_str(&format!("\\text{{{name}}}")),
            name => {
                out.push('\\');
                out.push_str(name);
            }
        }
        // An escaped character (`\\`, `\{`) is copied with its backslash.
        let skip = if name_len == 0 { after.chars().next().map_or(0, char::len_utf8) } else { name_len };
        if name_len == 0 {
            out.push_str(&after[..skip]);
        }
        rest = &after[skip..];
    }
    out.push_str(rest);
    out.into()
}

/// Symbol modifiers the converter writes by names older Typst versions had
/// (`plus.circle` for ⊕, now `plus.o`).
const RENAMED_MODIFIERS: &[(&str, &str)] = &[(".circle", ".o"), (".square", ".sq")];

/// The formula if it parses (see [`parses`]), after renaming the modifiers
/// that Typst renamed; else why not.
fn renamed(mut typst: String) -> Result<String, String> {
    for _ in 0..16 {
        let Err(why) = parses(&typst) else { return Ok(typst) };
        let chain = why.split('`').nth(1).unwrap_or("");
        let renamed = RENAMED_MODIFIERS.iter().find_map(|(old, new)| {
            chain.contains(old).then(|| chain.replacen(old, new, 1)).filter(|c| parses(c).is_ok())
        });
        match renamed {
            Some(new) if !chain.is_empty() => typst = typst.replace(chain, &new),
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
    fn unknown(node: &SyntaxNode) -> Option<String> {
        match node.kind() {
            SyntaxKind::MathIdent if !is_defined(node.leaf_text()) => Some(node.leaf_text().to_string()),
            // `arrow.r`: the head names something in scope, and a symbol's
            // modifiers must be its own.
            SyntaxKind::MathFieldAccess | SyntaxKind::FieldAccess => match symbol(node) {
                Err(name) => Some(name),
                Ok(_) => node.children().next().and_then(unknown),
            },
            _ => node.children().find_map(unknown),
        }
    }
    match unknown(&root) {
        Some(name) => Err(format!("it converts to Typst math with the unknown name `{name}`")),
        None => Ok(()),
    }
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
    fn tex_logos_are_their_names() {
        assert_eq!(logos(r"\LaTeX"), r"\text{LaTeX}");
        assert_eq!(logos(r"a \TeX{} \\ \{x\} \TeXt \alpha"), r"a \text{TeX}{} \\ \{x\} \TeXt \alpha");
        assert!(to_typst(r"\LaTeX").unwrap().contains("LaTeX"));
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
