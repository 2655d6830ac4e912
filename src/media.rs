//! Media types of image files: from their names and from their bytes.

/// The media type of an image, from its extension.
pub fn media_type(path: &str) -> Option<(&'static str, &'static str)> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => ("image/png", "png"),
        "jpg" | "jpeg" => ("image/jpeg", "jpg"),
        "gif" => ("image/gif", "gif"),
        "svg" => ("image/svg+xml", "svg"),
        "webp" => ("image/webp", "webp"),
        _ => return None,
    })
}

/// The media type of an image, from its first bytes (for files whose name
/// has no image extension, as static sites sometimes serve them).
pub fn sniff_media_type(head: &[u8]) -> Option<(&'static str, &'static str)> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(("image/gif", "gif"))
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else if String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase().contains("<svg") {
        Some(("image/svg+xml", "svg"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_bytes() {
        assert_eq!(media_type("x.JPEG"), Some(("image/jpeg", "jpg")));
        assert_eq!(media_type("x"), None);
        assert_eq!(sniff_media_type(b"\x89PNG\r\n\x1a\nrest"), Some(("image/png", "png")));
        assert_eq!(sniff_media_type(b"<?xml version=\"1.0\"?><svg>"), Some(("image/svg+xml", "svg")));
        assert_eq!(sniff_media_type(b"hello"), None);
    }
}
