//! The sample in every encoding a government office produces imports to the same rows; bad
//! input gets the right error, naming the file, and nothing panics.

use duban::import::{import_bytes, Aliases, ImportError, ImportedRow, Report};

fn sample_text() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample_2020h1_wuhu.txt");
    std::fs::read_to_string(path).expect("sample")
}

fn import(bytes: &[u8], name: &str) -> Result<Report, ImportError> {
    import_bytes(bytes, name, &Aliases::builtin())
}

fn rows(bytes: &[u8], name: &str) -> (Vec<ImportedRow>, &'static str) {
    let r = import(bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(r.unplaced.is_empty(), "{name}: {:?}", r.unplaced);
    (r.rows, r.encoding)
}

fn utf8_rows() -> Vec<ImportedRow> {
    rows(sample_text().as_bytes(), "utf8.txt").0
}

#[test]
fn gbk_imports_the_same_rows_as_utf8() {
    let text = sample_text();
    // GBK has no no-break space: the encoder writes `&#160;`, which the importer resolves.
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    assert!(bytes.windows(6).any(|w| w == b"&#160;"));
    let (got, enc) = rows(&bytes, "gbk.txt");
    assert_eq!(enc, "GB18030");
    assert_eq!(got.len(), 116);
    assert_eq!(got, utf8_rows());
}

#[test]
fn gb18030_imports_the_same_rows_as_utf8() {
    let text = sample_text();
    let (bytes, _, had_unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!had_unmappable);
    assert_eq!(rows(&bytes, "gb18030.txt").0, utf8_rows());
}

#[test]
fn utf16_with_bom_imports_the_same_rows_as_utf8() {
    let text = sample_text();
    let mut le = vec![0xff, 0xfe];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let (got, enc) = rows(&le, "utf16le.txt");
    assert_eq!(enc, "UTF-16LE");
    assert_eq!(got, utf8_rows());

    let mut be = vec![0xfe, 0xff];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let (got, enc) = rows(&be, "utf16be.txt");
    assert_eq!(enc, "UTF-16BE");
    assert_eq!(got, utf8_rows());
}

#[test]
fn utf16le_without_bom_is_recognised() {
    let le: Vec<u8> = sample_text()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let (got, enc) = rows(&le, "utf16le-nobom.txt");
    assert_eq!(enc, "UTF-16LE");
    assert_eq!(got, utf8_rows());
}

#[test]
fn utf8_with_bom_and_crlf_import_the_same_rows() {
    let text = sample_text();
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(text.as_bytes());
    assert_eq!(rows(&bom, "bom.txt").0, utf8_rows());

    let crlf = text.replace('\n', "\r\n");
    assert_eq!(rows(crlf.as_bytes(), "crlf.txt").0, utf8_rows());

    // GBK and CRLF together, as Windows Notepad saves it.
    let (gbk_crlf, _, _) = encoding_rs::GBK.encode(&crlf);
    assert_eq!(rows(&gbk_crlf, "gbk-crlf.txt").0, utf8_rows());
}

fn message(e: ImportError) -> String {
    e.to_string()
}

#[test]
fn an_empty_file_says_so() {
    let cases: [&[u8]; 2] = [b"", b"   \n\r\n\t\n"];
    for bytes in cases {
        let e = import(bytes, "empty.txt").expect_err("an error");
        assert!(matches!(e, ImportError::Empty { .. }), "{e:?}");
        assert!(message(e).contains("empty.txt"));
    }
}

#[test]
fn binary_files_are_refused() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
    let e = import(png, "photo.png").expect_err("an error");
    assert!(matches!(e, ImportError::Unsupported { .. }), "{e:?}");
    let m = message(e);
    assert!(m.contains("photo.png") && m.contains("PNG"), "{m}");

    // Bytes of no text encoding at all.
    let noise: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let e = import(&noise, "noise.bin").expect_err("an error");
    assert!(matches!(e, ImportError::Binary { .. }), "{e:?}");
    assert!(message(e).contains("noise.bin"));

    // A Word file cut short: damaged, and what to do about it.
    let e = import(b"PK\x03\x04\x14\0\x06\0", "report.docx").expect_err("an error");
    let m = message(e);
    assert!(m.contains("report.docx") && m.contains("损坏"), "{m}");
}

#[test]
fn a_text_file_without_a_table_says_no_table() {
    let readme = "# duban\n\nA terminal tool for the supervision office.\n\n## Install\n\ncargo install duban\n";
    let e = import(readme.as_bytes(), "README.md").expect_err("an error");
    assert!(matches!(e, ImportError::NoTable { .. }), "{e:?}");
    assert!(message(e).contains("README.md"));
}

/// Cuts the sample's bytes at `at` and imports them: never a panic; either rows or an error.
fn import_cut(bytes: &[u8], at: usize, name: &str) -> Result<Report, ImportError> {
    import(&bytes[..at.min(bytes.len())], name)
}

#[test]
fn a_truncated_report_imports_what_is_there() {
    let text = sample_text();
    let bytes = text.as_bytes();
    // Cut in the middle of row 60's progress, in the middle of a three-byte character.
    let row60 = text.find("60.\u{a0}").expect("row 60");
    let mid = row60 + 200;
    let cut = (mid..mid + 3)
        .find(|&i| !text.is_char_boundary(i))
        .expect("a point inside a character");
    let r = import_cut(bytes, cut, "cut.txt").expect("imports");
    assert_eq!(r.rows.len(), 60);
    assert_eq!(r.rows.last().map(|x| x.number), Some(60));
    let last = r.rows.last().expect("row 60");
    let all: String = std::iter::once(last.goal.clone())
        .chain(last.progress.iter().cloned())
        .collect();
    assert!(all.ends_with('\u{fffd}'), "the cut character shows: {all}");
    assert!(
        last.lead_units.is_empty(),
        "row 60 lost its units with the cut"
    );
    assert!(
        r.unplaced.iter().any(|u| u.reason.contains("任务 60")),
        "the cut row is reported: {:?}",
        r.unplaced
    );

    // The same in GBK: a two-byte character cut in half.
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let gbk_row60 = gbk
        .windows(8)
        .position(|w| w == b"60.&#160")
        .expect("row 60 in GBK");
    for extra in [200, 201] {
        let r = import_cut(&gbk, gbk_row60 + extra, "cut-gbk.txt").expect("imports");
        assert_eq!(r.rows.len(), 60);
    }

    // Cut before the table: no table.
    let header = text.find("序号目标与任务").expect("header");
    let e = import_cut(bytes, header, "head.txt").expect_err("an error");
    assert!(matches!(e, ImportError::NoTable { .. }), "{e:?}");
}

#[test]
fn cutting_anywhere_never_panics() {
    let text = sample_text();
    let bytes = text.as_bytes();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    for source in [bytes, &gbk[..], &utf16[..]] {
        let step = (source.len() / 31).max(1);
        for at in (0..source.len())
            .step_by(step)
            .chain([1, 2, 3, source.len() - 1])
        {
            let _ = import_cut(source, at, "cut.txt");
        }
    }
}
