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
    let converted = std::panic::catch_unwind(|| mitex::convert_math(tex, None))
        .map_err(|_| "the LaTeX could not be parsed".to_string())?
        .map_err(|e| e.trim().trim_start_matches("error: ").to_string())?;
    check(&converted)?;
    parses(&converted)?;
    Ok(converted)
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
            // `arrow.r`: only the head names something in scope.
            SyntaxKind::MathFieldAccess | SyntaxKind::FieldAccess => node.children().next().and_then(unknown),
            _ => node.children().find_map(unknown),
        }
    }
    match unknown(&root) {
        Some(name) => Err(format!("it converts to Typst math with the unknown name `{name}`")),
        None => Ok(()),
    }
}

/// Whether Typst's math or global scope, or the default template, defines `name`.
fn is_defined(name: &str) -> bool {
    use std::sync::OnceLock;
    use typst::LibraryExt;
    static LIBRARY: OnceLock<typst::Library> = OnceLock::new();
    static TEMPLATE: OnceLock<Vec<&'static str>> = OnceLock::new();
    let library = LIBRARY.get_or_init(typst::Library::default);
    if library.math.scope().get(name).is_some() || library.global.scope().get(name).is_some() {
        return true;
    }
    TEMPLATE
        .get_or_init(|| {
            crate::init::TEMPLATE
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
