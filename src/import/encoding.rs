//! Turns a report's bytes into text: UTF-8 (with or without BOM), UTF-16 (with BOM),
//! GB18030/GBK. Binary files are refused rather than imported as garbage.

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
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(binary(
                source,
                format!(
                    "it starts with a {} byte-order mark but is not valid {}",
                    enc.name(),
                    enc.name()
                ),
            ));
        }
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
        });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.contains('\0') {
            return Err(binary(source, "it contains NUL bytes".into()));
        }
        return Ok(Decoded {
            text: text.to_string(),
            encoding: "UTF-8",
        });
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors || text.contains('\0') {
        return Err(binary(
            source,
            "it is neither UTF-8, UTF-16 nor GB18030/GBK text".into(),
        ));
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: "GB18030",
    })
}

fn binary(source: &str, detail: String) -> ImportError {
    ImportError::Binary {
        file: source.to_string(),
        detail,
    }
}
