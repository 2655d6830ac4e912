//! XML text for WordprocessingML parts: escaping, and the namespaces.

/// `text` escaped for XML text and attribute values, without the
/// characters XML 1.0 cannot hold (the XHTML emitter's escaping).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::output::xhtml::escape_into(text, &mut out);
    out
}

pub const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
pub const M: &str = "http://schemas.openxmlformats.org/officeDocument/2006/math";
pub const WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
pub const A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
pub const PIC: &str = "http://schemas.openxmlformats.org/drawingml/2006/picture";

/// The namespace declarations of a part with body content.
pub fn namespaces() -> String {
    format!("xmlns:w=\"{W}\" xmlns:r=\"{R}\" xmlns:m=\"{M}\" xmlns:wp=\"{WP}\" xmlns:a=\"{A}\" xmlns:pic=\"{PIC}\"")
}

pub const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(super::escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
