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
    Ok(converted)
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
