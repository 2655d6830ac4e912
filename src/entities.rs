//! Character references decoded: the named ones markup writes (`&amp;`,
//! `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`) and any numeric one
//! (`&#233;`, `&#xE9;`). Anything else, and a lone `&`, stays as written.
//! For the HTML contributors put in markdown and for the XHTML the search
//! index reads back.

/// `s` with its character references decoded.
pub fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let semi = after.find(';').filter(|&i| i <= 10);
        let decoded = semi.and_then(|i| {
            let name = &after[1..i];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16).ok().and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, i))
        });
        match decoded {
            Some((c, i)) => {
                out.push(c);
                rest = &after[i + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn named_numeric_and_lone() {
        assert_eq!(decode("a &amp; b &lt;c&gt; &quot;&apos;&nbsp;"), "a & b <c> \"'\u{a0}");
        assert_eq!(decode("&#233;&#xE9;&#XE9;"), "ééé");
        assert_eq!(decode("AT&T &copy; &#xZZ; &#1114112; &"), "AT&T &copy; &#xZZ; &#1114112; &");
        assert_eq!(decode("&verylongname;"), "&verylongname;");
    }
}
