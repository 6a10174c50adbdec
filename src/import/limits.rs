//! What a report may be before duban reads it: a regular file (a pipe or a device may
//! never end), of bounded size, with a bounded number of lines or rows. Checked before
//! anything is parsed and before the database is opened, so a wrong path costs a sentence,
//! never the memory of the machine or the lock of the database.
//!
//! Both caps can be raised for an unusual report: `DUBAN_MAX_REPORT_MB` (default 256) and
//! `DUBAN_MAX_REPORT_ROWS` (default 300,000 lines of text or table rows). A city follows a
//! few hundred key tasks; the largest report duban is measured with (100,000 generated
//! tasks) is 57 MB and 167,000 lines.

use super::ImportError;
use std::io::Read;
use std::path::Path;

pub const DEFAULT_MAX_MB: u64 = 256;
pub const DEFAULT_MAX_ROWS: usize = 300_000;

/// The largest report read, in bytes.
pub fn max_report_bytes() -> u64 {
    env_number("DUBAN_MAX_REPORT_MB")
        .map_or(DEFAULT_MAX_MB, |mb| mb.max(1))
        .saturating_mul(1 << 20)
}

/// The most lines (text) or rows (tables) a report may have.
pub fn max_report_rows() -> usize {
    env_number("DUBAN_MAX_REPORT_ROWS")
        .and_then(|n| usize::try_from(n).ok())
        .map_or(DEFAULT_MAX_ROWS, |n| n.max(1))
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

/// The bytes of the report at `path`: only a regular file, at most `max_report_bytes`.
pub fn read_report_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    let file_name = || path.display().to_string();
    let io = |reason: std::io::Error| ImportError::Io {
        file: file_name(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if let Some(what) = not_a_file(&meta) {
        return Err(ImportError::NotAFile {
            file: file_name(),
            what,
        });
    }
    let max = max_report_bytes();
    if meta.len() > max {
        return Err(too_large(&file_name(), meta.len(), max));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // Opened after the check: the path could have been swapped for a pipe in between.
    let opened = file.metadata().map_err(io)?;
    if let Some(what) = not_a_file(&opened) {
        return Err(ImportError::NotAFile {
            file: file_name(),
            what,
        });
    }
    let mut bytes = Vec::with_capacity(opened.len().min(max) as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(too_large(&file_name(), bytes.len() as u64, max));
    }
    Ok(bytes)
}

/// What the path is when it is not a regular file.
fn not_a_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some(crate::lang::t("文件夹", "a folder"))
    } else if t.is_fifo() {
        Some(crate::lang::t("管道（FIFO）", "a pipe (FIFO)"))
    } else if t.is_char_device() || t.is_block_device() {
        Some(crate::lang::t("设备", "a device"))
    } else if t.is_socket() {
        Some(crate::lang::t("套接字", "a socket"))
    } else {
        Some(crate::lang::t("非普通文件", "not a regular file"))
    }
}

fn too_large(file: &str, len: u64, max: u64) -> ImportError {
    ImportError::TooLarge {
        file: file.to_string(),
        what: crate::tr!(
            "文件有 {} MB，超过报告的上限 {} MB",
            "it is {} MB, more than the {} MB a report may be",
            len.div_ceil(1 << 20),
            max >> 20
        ),
    }
}

/// Refuses a report of more lines or rows than `max_report_rows`, before it is parsed.
pub fn check_rows(file: &str, rows: usize, unit: &str) -> Result<(), ImportError> {
    let max = max_report_rows();
    if rows > max {
        return Err(ImportError::TooLarge {
            file: file.to_string(),
            what: crate::tr!(
                "有 {rows} {unit}，超过报告的上限 {max}",
                "it has {rows} {unit}, more than the {max} a report may have"
            ),
        });
    }
    Ok(())
}

/// Refuses report bytes over the size cap (an import sent to the server as bytes).
pub fn check_bytes(file: &str, len: usize) -> Result<(), ImportError> {
    let max = max_report_bytes();
    if len as u64 > max {
        return Err(too_large(file, len as u64, max));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_pipes_and_devices_are_refused_with_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_report_file(dir.path()).unwrap_err().to_string();
        assert!(e.contains("文件夹"), "{e}");
        let e = read_report_file(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("设备"), "{e}");
        let fifo = dir.path().join("pipe");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        // Reading a pipe nobody writes would never return: it is refused unopened.
        let e = read_report_file(&fifo).unwrap_err().to_string();
        assert!(e.contains("管道"), "{e}");
        let file = dir.path().join("r.txt");
        std::fs::write(&file, "1. 目标").unwrap();
        assert_eq!(read_report_file(&file).unwrap(), "1. 目标".as_bytes());
    }
}
