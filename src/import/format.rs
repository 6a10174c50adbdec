//! What kind of file a report is, read from its bytes, never from its name: offices rename
//! files freely (an `.xls` that is xlsx inside, WPS's `.et`, a web page saved as `.doc`).

use crate::lang::t;
use std::io::Cursor;

/// The kinds of file duban reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Plain text in any encoding and layout (CSV included).
    Text,
    /// A web page (`.html`, `.htm`, Word's "save as web page").
    Html,
    /// Word 2007+ (`.docx`, `.docm`, WPS saves the same).
    Docx,
    /// Excel 2007+ (`.xlsx`, `.xlsm`, WPS `.et` files that are xlsx inside).
    Xlsx,
    /// Excel binary workbook (`.xlsb`).
    Xlsb,
    /// Excel 97–2003 (`.xls`).
    Xls,
    /// OpenDocument spreadsheet (`.ods`).
    Ods,
}

impl Format {
    /// For messages: what the file was read as.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Text => t("文本", "text"),
            Format::Html => t("网页（HTML）", "web page (HTML)"),
            Format::Docx => t("Word 文档（.docx）", "Word document (.docx)"),
            Format::Xlsx => t("Excel 工作簿（.xlsx）", "Excel workbook (.xlsx)"),
            Format::Xlsb => t(
                "Excel 二进制工作簿（.xlsb）",
                "Excel binary workbook (.xlsb)",
            ),
            Format::Xls => t(
                "Excel 97-2003 工作簿（.xls）",
                "Excel 97-2003 workbook (.xls)",
            ),
            Format::Ods => t(
                "OpenDocument 电子表格（.ods）",
                "OpenDocument spreadsheet (.ods)",
            ),
        }
    }

    pub fn is_spreadsheet(self) -> bool {
        matches!(
            self,
            Format::Xlsx | Format::Xlsb | Format::Xls | Format::Ods
        )
    }
}

/// A file duban cannot read: what it is, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub what: &'static str,
    pub advice: &'static str,
}

fn save_as_docx() -> &'static str {
    t(
        "请在 WPS 或 Word 中打开，另存为 .docx 后再导入",
        "open it in WPS or Word and save it as .docx, then import that",
    )
}
fn save_as_text() -> &'static str {
    t(
        "请打开后把报告的表格复制到 WPS 或 Word，另存为 .docx（或纯文本）后再导入",
        "open it, copy the report's table into WPS or Word and save it as .docx (or as plain text), then import that",
    )
}
fn picture() -> &'static str {
    t(
        "请索取 Word、Excel 或文本格式的报告再导入（图片或扫描件中没有 duban 能读的文字）",
        "ask for the report as a Word, Excel or text file and import that (a picture or scan holds no text duban can read)",
    )
}
fn unpack() -> &'static str {
    t(
        "请先解压，再导入其中的报告",
        "unpack it and import the report inside",
    )
}
fn password() -> &'static str {
    t(
        "请在 WPS、Word 或 Excel 中打开，去掉密码（文件 → 加密），重新保存后再导入",
        "open it in WPS, Word or Excel, remove the password (文件 → 加密), save it again and import that",
    )
}

/// Reads the kind of file from its first bytes (and, for zip and OLE containers, from the
/// names of the parts inside).
pub fn sniff(bytes: &[u8]) -> Result<Format, Unsupported> {
    let magic: [(&[u8], Unsupported); 11] = [
        (
            b"%PDF",
            Unsupported {
                what: t("PDF 文档", "a PDF document"),
                advice: t("请索取生成此 PDF 的 Word 或 Excel 文件，或把 PDF 中表格的文字复制到 .txt 文件，再导入", "ask for the Word or Excel file the PDF was made from, or copy the table's text from the PDF into a .txt file, then import that"),
            },
        ),
        (
            b"\x89PNG",
            Unsupported {
                what: t("PNG 图片", "a PNG image"),
                advice: picture(),
            },
        ),
        (
            b"\xff\xd8\xff",
            Unsupported {
                what: t("JPEG 图片", "a JPEG image"),
                advice: picture(),
            },
        ),
        (
            b"GIF8",
            Unsupported {
                what: t("GIF 图片", "a GIF image"),
                advice: picture(),
            },
        ),
        (
            b"II*\0",
            Unsupported {
                what: t("TIFF 图片（扫描件）", "a TIFF image (a scan)"),
                advice: picture(),
            },
        ),
        (
            b"MM\0*",
            Unsupported {
                what: t("TIFF 图片（扫描件）", "a TIFF image (a scan)"),
                advice: picture(),
            },
        ),
        (
            b"{\\rtf",
            Unsupported {
                what: t("RTF 文档", "an RTF document"),
                advice: save_as_docx(),
            },
        ),
        (
            b"\x1f\x8b",
            Unsupported {
                what: t("gzip 压缩包", "a gzip archive"),
                advice: unpack(),
            },
        ),
        (
            b"7z\xbc\xaf",
            Unsupported {
                what: t("7z 压缩包", "a 7z archive"),
                advice: unpack(),
            },
        ),
        (
            b"Rar!",
            Unsupported {
                what: t("RAR 压缩包", "a RAR archive"),
                advice: unpack(),
            },
        ),
        (
            b"\x7fELF",
            Unsupported {
                what: t("程序文件", "a program"),
                advice: t("请改选报告文件", "choose the report file instead"),
            },
        ),
    ];
    if let Some((_, u)) = magic.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Err(u.clone());
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return zip_kind(bytes);
    }
    if bytes.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return ole_kind(bytes);
    }
    if looks_like_html(bytes) {
        return Ok(Format::Html);
    }
    if looks_like_mime(bytes) {
        return Err(Unsupported {
            what: t("单文件网页（.mht/.mhtml）", "a single-file web page (.mht/.mhtml)"),
            advice: t("请在浏览器或 Word 中打开，另存为网页（.html）或 .docx 后再导入", "open it in a browser or Word and save it as a web page (.html) or .docx, then import that"),
        });
    }
    Ok(Format::Text)
}

/// Office Open XML and OpenDocument files are zip archives; the parts inside tell which.
fn zip_kind(bytes: &[u8]) -> Result<Format, Unsupported> {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Err(Unsupported {
            what: t(
                "损坏或不完整的 zip 压缩包（Word 和 Excel 文件都是 zip 压缩包）",
                "a damaged or incomplete zip archive (Word and Excel files are zip archives)",
            ),
            advice: t(
                "请在 WPS、Word 或 Excel 中打开后重新保存，或重新索取文件",
                "open it in WPS, Word or Excel and save it again, or ask for the file again",
            ),
        });
    };
    let has = |name: &str| archive.index_for_name(name).is_some();
    let has_prefix = |prefix: &str| archive.file_names().any(|n| n.starts_with(prefix));
    if has_prefix("word/") {
        return Ok(Format::Docx);
    }
    if has("xl/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    if has_prefix("xl/") {
        return Ok(Format::Xlsx);
    }
    if has("OFD.xml") {
        return Err(Unsupported {
            what: t("OFD 文档", "an OFD document"),
            advice: t(
                "请索取生成它的 Word 或 Excel 文件再导入",
                "ask for the Word or Excel file it was made from, then import that",
            ),
        });
    }
    let is_ppt = has_prefix("ppt/");
    if has("content.xml") {
        let mut archive = archive;
        let mime = archive
            .by_name("mimetype")
            .ok()
            .and_then(|f| {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::Read::take(f, 200), &mut s).ok()?;
                Some(s)
            })
            .unwrap_or_default();
        return if mime.contains("opendocument.spreadsheet") {
            Ok(Format::Ods)
        } else if mime.contains("opendocument.text") {
            Err(Unsupported {
                what: t(
                    "OpenDocument 文本文件（.odt）",
                    "an OpenDocument text file (.odt)",
                ),
                advice: save_as_docx(),
            })
        } else {
            Err(Unsupported {
                what: t(
                    "不是电子表格的 OpenDocument 文件",
                    "an OpenDocument file that is no spreadsheet",
                ),
                advice: save_as_docx(),
            })
        };
    }
    if is_ppt {
        return Err(Unsupported {
            what: t("PowerPoint 演示文稿", "a PowerPoint presentation"),
            advice: save_as_text(),
        });
    }
    Err(Unsupported {
        what: t("zip 压缩包", "a zip archive"),
        advice: unpack(),
    })
}

/// Old Office files (Word/Excel 97–2003, WPS) are OLE compound files; the names of the
/// streams inside (UTF-16 in the directory) tell which.
fn ole_kind(bytes: &[u8]) -> Result<Format, Unsupported> {
    let has = |name: &str| {
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        memchr::memmem::find(bytes, &utf16).is_some()
    };
    if has("EncryptedPackage") || has("EncryptionInfo") {
        return Err(Unsupported {
            what: t("加密的 Office 文件", "a password-protected Office file"),
            advice: password(),
        });
    }
    // Every .doc has a WordDocument stream and no .xls has one; look for it first, since
    // a document's own UTF-16 text may say `Book`.
    if has("WordDocument") {
        return Err(Unsupported {
            what: t(
                "Word 97-2003 文档（.doc）",
                "a Word 97-2003 document (.doc)",
            ),
            advice: save_as_docx(),
        });
    }
    if has("Workbook") || has("Book") {
        return Ok(Format::Xls);
    }
    if has("PowerPoint Document") {
        return Err(Unsupported {
            what: t(
                "PowerPoint 97-2003 演示文稿",
                "a PowerPoint 97-2003 presentation",
            ),
            advice: save_as_text(),
        });
    }
    Err(Unsupported {
        what: t(
            "旧格式的 Office 或 WPS 文件（.doc/.wps/.et）",
            "an old-format Office or WPS file (.doc/.wps/.et)",
        ),
        advice: t(
            "请在 WPS 或 Office 中打开，另存为 .docx 或 .xlsx 后再导入",
            "open it in WPS or Office and save it as .docx or .xlsx, then import that",
        ),
    })
}

/// The first bytes, NULs (UTF-16) and a BOM skipped, lower-cased ASCII.
fn head_ascii(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(4096)
        .filter(|b| **b != 0)
        .map(|b| b.to_ascii_lowercase() as char)
        .filter(char::is_ascii)
        .collect()
}

/// A web page: markup at its start (after a BOM, whitespace and comments).
fn looks_like_html(bytes: &[u8]) -> bool {
    let head = head_ascii(bytes);
    let t = head.trim_start_matches(|c: char| c.is_whitespace() || !c.is_ascii_graphic());
    let markup_start = t.starts_with("<!doctype html")
        || t.starts_with("<html")
        || t.starts_with("<head")
        || t.starts_with("<meta")
        || t.starts_with("<body")
        || t.starts_with("<table")
        || t.starts_with("<!--")
        || (t.starts_with("<?xml") && t.contains("<html"));
    markup_start
        && (head.contains("<html")
            || head.contains("<table")
            || head.contains("<body")
            || head.contains("<meta"))
}

/// A MIME multipart file: Word's and IE's "single file web page".
fn looks_like_mime(bytes: &[u8]) -> bool {
    let head = head_ascii(bytes);
    head.trim_start().starts_with("mime-version:")
        || (head.starts_with("from:") && head.contains("multipart/related"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(names: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, body) in names {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("zip in memory");
            w.write_all(body.as_bytes()).expect("zip in memory");
        }
        w.finish().expect("zip in memory").into_inner()
    }

    #[test]
    fn office_files_are_known_by_their_parts_not_their_names() {
        assert_eq!(
            sniff(&zip_with(&[("word/document.xml", "<w:document/>")])),
            Ok(Format::Docx)
        );
        assert_eq!(
            sniff(&zip_with(&[("xl/workbook.xml", "<workbook/>")])),
            Ok(Format::Xlsx)
        );
        assert_eq!(
            sniff(&zip_with(&[
                ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
                ("content.xml", "<x/>")
            ])),
            Ok(Format::Ods)
        );
        let odt = sniff(&zip_with(&[
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", "<x/>"),
        ]));
        assert!(odt.is_err_and(|u| u.advice.contains(".docx")));
        assert!(sniff(&zip_with(&[("a.txt", "x")])).is_err_and(|u| u.what == "zip 压缩包"));
    }

    #[test]
    fn old_office_files_are_told_apart_by_their_streams() {
        let ole = |stream: &str| {
            let mut b = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec();
            b.resize(512, 0);
            b.extend(stream.encode_utf16().flat_map(u16::to_le_bytes));
            b
        };
        assert_eq!(sniff(&ole("Workbook")), Ok(Format::Xls));
        assert!(sniff(&ole("WordDocument")).is_err_and(|u| u.what.contains(".doc")));
        assert!(sniff(&ole("EncryptedPackage")).is_err_and(|u| u.what.contains("加密")));
    }

    #[test]
    fn pages_pictures_and_text() {
        assert_eq!(
            sniff(b"\xef\xbb\xbf  <!DOCTYPE html><html><body><table>"),
            Ok(Format::Html)
        );
        assert_eq!(
            sniff(b"<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">"),
            Ok(Format::Html)
        );
        assert_eq!(sniff("序号目标与任务<br>".as_bytes()), Ok(Format::Text));
        assert_eq!(sniff("| 序号 | 目标与任务 |".as_bytes()), Ok(Format::Text));
        assert!(sniff(b"%PDF-1.4 ...").is_err_and(|u| u.what.contains("PDF")));
        assert!(sniff(b"\x89PNG\r\n").is_err());
        assert!(sniff(b"MIME-Version: 1.0\r\nContent-Type: multipart/related").is_err());
        assert!(sniff(b"PK\x03\x04 truncated").is_err_and(|u| u.what.contains("损坏")));
    }
}
