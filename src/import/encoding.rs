//! Turns a report's bytes into text: UTF-8 (with or without BOM), UTF-16 (with BOM, or
//! without one when its NUL bytes give it away), GB18030/GBK. Binary files are refused.
//!
//! A file cut short in the middle of a character still decodes: the broken character becomes
//! U+FFFD, visibly, and the rest of the report is imported. Numeric character references
//! (`&#160;`) and `&nbsp;` become the characters they name, because GBK cannot hold a
//! no-break space and encoders (and HTML copies) write the reference instead — the sample's
//! rows start with one.

use super::ImportError;

pub struct Decoded {
    pub text: String,
    /// The encoding's name, for messages (`UTF-8`, `GB18030`, `UTF-16LE`…).
    pub encoding: &'static str,
}

pub fn decode(bytes: &[u8], source: &str) -> Result<Decoded, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            file: source.to_string(),
        });
    }
    if let Some(kind) = known_binary(bytes) {
        return Err(binary(source, format!("it is {kind}")));
    }
    let (text, encoding) = decode_text(bytes, source)?;
    if let Some(detail) = binary_text(&text) {
        return Err(binary(source, detail));
    }
    Ok(Decoded {
        text: normalize(text),
        encoding,
    })
}

fn decode_text(bytes: &[u8], source: &str) -> Result<(String, &'static str), ImportError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if enc == encoding_rs::UTF_8 {
            return Ok((
                utf8_lenient(body).unwrap_or_else(|| lossy(enc, body)),
                "UTF-8",
            ));
        }
        return utf16(enc, body).map(|t| (t, enc.name())).ok_or_else(|| {
            binary(
                source,
                format!(
                    "it starts with a {} byte-order mark but is not valid {}",
                    enc.name(),
                    enc.name()
                ),
            )
        });
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        return utf16(enc, bytes)
            .map(|t| (t, enc.name()))
            .ok_or_else(|| binary(source, "it contains NUL bytes".into()));
    }
    if bytes.contains(&0) {
        return Err(binary(source, "it contains NUL bytes".into()));
    }
    if let Some(text) = utf8_lenient(bytes) {
        return Ok((text, "UTF-8"));
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors && !few_errors(&text) {
        return Err(binary(
            source,
            "it is neither UTF-8, UTF-16 nor GB18030/GBK text".into(),
        ));
    }
    Ok((text.into_owned(), "GB18030"))
}

fn lossy(enc: &'static encoding_rs::Encoding, bytes: &[u8]) -> String {
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// UTF-8, tolerating a character cut off at the very end (a truncated file) and rare stray
/// bytes in an otherwise clearly UTF-8 file; None when it is not UTF-8.
fn utf8_lenient(bytes: &[u8]) -> Option<String> {
    match std::str::from_utf8(bytes) {
        Ok(t) => Some(t.to_string()),
        Err(e) if e.error_len().is_none() => {
            // Only the last character is incomplete.
            let mut t = String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned();
            t.push('\u{fffd}');
            Some(t)
        }
        Err(_) => {
            let text = String::from_utf8_lossy(bytes);
            let bad = text.chars().filter(|&c| c == '\u{fffd}').count();
            let multibyte = text
                .chars()
                .filter(|c| c.len_utf8() > 1 && *c != '\u{fffd}')
                .count();
            // GBK read as UTF-8 fails almost everywhere; a real UTF-8 file fails rarely.
            (bad * 50 < multibyte).then(|| text.into_owned())
        }
    }
}

/// Decoding errors rare enough to be damage (a truncated or slightly corrupt file) rather
/// than a sign of the wrong encoding.
fn few_errors(text: &str) -> bool {
    let bad = text.chars().filter(|&c| c == '\u{fffd}').count();
    let total = text.chars().count();
    bad <= 2 || bad * 200 < total
}

fn utf16(enc: &'static encoding_rs::Encoding, bytes: &[u8]) -> Option<String> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if !had_errors || few_errors(&text) {
        Some(text.into_owned())
    } else {
        None
    }
}

/// UTF-16 without a byte-order mark: text in it has NUL bytes in every ASCII character
/// (newlines, digits, commas), all on one side of each byte pair.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(1 << 16)];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in sample.iter().enumerate() {
        if b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    // One side holds NULs in at least one pair in fifty (Chinese text in UTF-16 has them in
    // its ASCII: line ends, digits, half-width punctuation) and the other side far fewer
    // (only characters like `一` U+4E00 put a NUL there).
    if odd * 50 >= pairs && even * 3 <= odd {
        Some(encoding_rs::UTF_16LE)
    } else if even * 50 >= pairs && odd * 3 <= even {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// File types staff might try to import by mistake, recognised by their first bytes.
fn known_binary(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document; copy its text into a .txt file"),
        (
            b"PK\x03\x04",
            "a zip archive (a .docx/.xlsx file is one); save the report as plain text",
        ),
        (
            b"\xd0\xcf\x11\xe0",
            "an old Office document (.doc/.xls/.wps); save the report as plain text",
        ),
        (b"\x1f\x8b", "a gzip archive"),
        (b"7z\xbc\xaf", "a 7z archive"),
        (b"Rar!", "a RAR archive"),
        (b"\x7fELF", "a program"),
        (b"{\\rtf", "an RTF document; save the report as plain text"),
    ];
    MAGIC
        .iter()
        .find(|(m, _)| bytes.starts_with(m))
        .map(|&(_, kind)| kind)
}

/// Decoded text that is still binary: NULs or many control characters.
fn binary_text(text: &str) -> Option<String> {
    if text.contains('\0') {
        return Some("it contains NUL characters".into());
    }
    let (mut total, mut controls) = (0usize, 0usize);
    for c in text.chars() {
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}' | '\u{b}' | '\u{85}') {
            controls += 1;
        }
    }
    let total = total.max(1);
    (controls > 2 && controls * 100 > total)
        .then(|| format!("{controls} of its {total} characters are control characters"))
}

/// Strips a leading BOM character, turns lone CRs (old Mac line ends) into LFs, and resolves
/// `&nbsp;` and numeric character references.
fn normalize(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.remove(0);
    }
    if text.contains('\r') {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\r' && chars.peek() != Some(&'\n') {
                out.push('\n');
            } else {
                out.push(c);
            }
        }
        text = out;
    }
    if text.contains('&') {
        text = resolve_references(&text);
    }
    text
}

/// `&#160;` `&#xA0;` `&nbsp;` `&ldquo;`… → the character (see [`NAMED`]). Anything else
/// stays as written.
fn resolve_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some((c, after)) = NAMED
            .iter()
            .find_map(|(name, c)| rest.strip_prefix(name).map(|a| (*c, a)))
        {
            out.push(c);
            rest = after;
            continue;
        }
        if let Some((c, len)) = numeric_reference(rest) {
            out.push(c);
            rest = &rest[len..];
            continue;
        }
        out.push('&');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// Named references that editors and WPS leave in text copied from HTML: punctuation and
/// spaces a Chinese report uses.
const NAMED: &[(&str, char)] = &[
    ("&nbsp;", '\u{a0}'),
    ("&ldquo;", '“'),
    ("&rdquo;", '”'),
    ("&lsquo;", '‘'),
    ("&rsquo;", '’'),
    ("&mdash;", '—'),
    ("&ndash;", '–'),
    ("&hellip;", '…'),
    ("&middot;", '·'),
    ("&emsp;", '\u{2003}'),
    ("&ensp;", '\u{2002}'),
    ("&times;", '×'),
    ("&le;", '≤'),
    ("&ge;", '≥'),
    ("&permil;", '‰'),
    ("&deg;", '°'),
    ("&quot;", '"'),
    ("&lt;", '<'),
    ("&gt;", '>'),
    ("&amp;", '&'),
];

/// Parses `&#NNN;` or `&#xHH;` at the start of `s`: the character and the reference's length.
fn numeric_reference(s: &str) -> Option<(char, usize)> {
    let body = s.strip_prefix("&#")?;
    let (digits, radix, offset) = match body.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16, 3),
        None => (body, 10, 2),
    };
    let end = digits.find(';')?;
    if end == 0 || end > 7 {
        return None;
    }
    let code = u32::from_str_radix(&digits[..end], radix).ok()?;
    let c = char::from_u32(code).filter(|c| *c != '\0')?;
    Some((c, offset + end + 1))
}

fn binary(source: &str, detail: String) -> ImportError {
    ImportError::Binary {
        file: source.to_string(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> String {
        decode(bytes, "t").map(|d| d.text).expect("decodes")
    }

    #[test]
    fn references_become_characters() {
        assert_eq!(
            text(b"1.&#160;x &nbsp;y &#xA0;z &amp; &#; &bogus;"),
            "1.\u{a0}x \u{a0}y \u{a0}z & &#; &bogus;"
        );
        assert_eq!(
            text("&ldquo;一网通办&rdquo;&mdash;&amp;nbsp;".as_bytes()),
            "“一网通办”—&nbsp;"
        );
        assert_eq!(text("&#99999999; &#0;".as_bytes()), "&#99999999; &#0;");
    }

    #[test]
    fn line_ends_and_bom() {
        assert_eq!(text(b"\xef\xbb\xbfa\r\nb\rc"), "a\r\nb\nc");
    }

    #[test]
    fn truncated_utf8_keeps_what_is_there() {
        let bytes = "目标与任务".as_bytes();
        let cut = &bytes[..bytes.len() - 1];
        assert_eq!(text(cut), "目标与任\u{fffd}");
    }

    #[test]
    fn gbk_is_read_as_gb18030() {
        let (bytes, _, _) = encoding_rs::GBK.encode("序号目标与任务,牵头责任单位");
        let d = decode(&bytes, "t").expect("decodes");
        assert_eq!(d.encoding, "GB18030");
        assert_eq!(d.text, "序号目标与任务,牵头责任单位");
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_nuls() {
        let s = "序号目标与任务\n1.\u{a0}推进,2020年\n";
        let le: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(
            decode(&le, "t").map(|d| (d.text, d.encoding)).ok(),
            Some((s.to_string(), "UTF-16LE"))
        );
        assert_eq!(
            decode(&be, "t").map(|d| (d.text, d.encoding)).ok(),
            Some((s.to_string(), "UTF-16BE"))
        );
    }

    #[test]
    fn binary_is_refused_with_what_it_is() {
        let err = decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "pic.png")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|m| m.contains("pic.png") && m.contains("PNG")));
        let err = decode(b"PK\x03\x04rest", "r.docx")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|m| m.contains(".docx")));
        assert!(decode(b"\x01\x02\x03\x04\x05\x06abc", "x").is_err());
        assert!(decode(b"", "x").is_err());
    }
}
