//! The file system side of importing from the UI: completing a typed path as a shell does
//! (Tab), and reading a report for the preview. Both run as effects, never inside `update`;
//! reading runs off the UI thread in the terminal (a report can be tens of MB).

use crate::import::{Aliases, Report};
use std::path::{Path, PathBuf};

/// Directory entries looked at for one completion: a huge directory costs a bounded time.
const MAX_ENTRIES: usize = 20_000;

/// Candidates kept for showing; the rest are only counted.
pub const MAX_CANDIDATES: usize = 200;

/// What one Tab found for a typed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The input text this answers (an answer to an older text is dropped).
    pub text: String,
    /// The input text after completion (the same text when nothing could be added).
    pub completed: String,
    /// The entries that match, sorted, directories ending in `/`; empty when the match was
    /// unique (it is in `completed`) or nothing matched.
    pub candidates: Vec<String>,
    /// Matching entries beyond `candidates` (not kept).
    pub more: usize,
    /// Why nothing completed, in words (no such directory, nothing starts with …).
    pub note: Option<String>,
}

/// `~` and `~/…` with the home directory; anything else as typed.
pub fn expand_home(text: &str, home: Option<&Path>) -> PathBuf {
    match (text.strip_prefix('~'), home) {
        (Some(""), Some(h)) => h.to_path_buf(),
        (Some(rest), Some(h)) if rest.starts_with('/') => h.join(rest.trim_start_matches('/')),
        _ => PathBuf::from(text),
    }
}

/// The user's home directory, from `$HOME`.
pub fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Completes `text` as a path: the directory part as typed, the last part extended to the
/// longest prefix every matching entry shares (all of it, with a trailing `/` for a
/// directory, when one entry matches). Hidden entries match only a prefix starting with `.`.
pub fn complete(text: &str, home: Option<&Path>) -> Completion {
    let mut out = Completion {
        text: text.to_string(),
        completed: text.to_string(),
        candidates: Vec::new(),
        more: 0,
        note: None,
    };
    // `~` alone is the home directory, completed as a directory.
    if text == "~" && home.is_some() {
        out.completed = "~/".to_string();
        return out;
    }
    let (dir_part, prefix) = match text.rfind('/') {
        Some(i) => text.split_at(i + 1),
        None => ("", text),
    };
    let dir = if dir_part.is_empty() {
        PathBuf::from(".")
    } else {
        expand_home(dir_part, home)
    };
    let mut matches = match matching_entries(&dir, prefix) {
        Ok(m) => m,
        Err(e) => {
            let shown = if dir_part.is_empty() { "." } else { dir_part };
            out.note = Some(crate::tr!(
                "无法列出 {shown}：{e}",
                "cannot list {shown}: {e}"
            ));
            return out;
        }
    };
    matches.sort();
    match matches.as_slice() {
        [] => {
            let shown = if dir_part.is_empty() {
                crate::lang::t("当前目录", "this directory")
            } else {
                dir_part
            };
            out.note = Some(if prefix.is_empty() {
                crate::tr!(
                    "{shown} 中没有可列出的内容（隐藏文件名须以 . 开头）",
                    "{shown} has nothing to list (hidden names need a leading .)"
                )
            } else {
                crate::tr!(
                    "{shown} 中没有以“{prefix}”开头的文件",
                    "nothing in {shown} starts with \"{prefix}\""
                )
            });
        }
        [one] => out.completed = format!("{dir_part}{}", one.shown()),
        many => {
            let common = common_prefix(many.iter().map(|e| e.name.as_str()));
            out.completed = format!("{dir_part}{common}");
            out.more = many.len().saturating_sub(MAX_CANDIDATES);
            out.candidates = many.iter().take(MAX_CANDIDATES).map(Entry::shown).collect();
        }
    }
    out
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    name: String,
    dir: bool,
}

impl Entry {
    fn shown(&self) -> String {
        if self.dir {
            format!("{}/", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// The entries of `dir` whose names start with `prefix`. Names that are not UTF-8 cannot be
/// typed back, so they are left out.
fn matching_entries(dir: &Path, prefix: &str) -> std::io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)?.take(MAX_ENTRIES) {
        let Ok(entry) = entry else { continue };
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
            continue;
        }
        // Followed through symbolic links, as a shell does: a link to a directory is one.
        let dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
        out.push(Entry { name, dir });
    }
    Ok(out)
}

/// The longest prefix (whole characters) shared by every name.
fn common_prefix<'a>(mut names: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = names.next() else {
        return String::new();
    };
    let mut len = first.len();
    for n in names {
        len = first
            .char_indices()
            .zip(n.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(len);
    }
    first[..len].to_string()
}

/// Reads a report file for the preview: its bytes (what Enter imports, so the import is
/// exactly what was shown even if the file changes meanwhile) and the importer's reading of
/// them. Errors are the importer's sentences.
pub fn read_report(path: &Path) -> Result<(Report, Vec<u8>), String> {
    let bytes = crate::import::limits::read_report_file(path).map_err(|e| e.to_string())?;
    let name = path.display().to_string();
    let report = crate::import::import_bytes(&bytes, &name, &Aliases::builtin())
        .map_err(|e| e.to_string())?;
    Ok((report, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix_stops_at_whole_characters() {
        assert_eq!(
            common_prefix(["芜湖2020.txt", "芜湖2021.txt"].into_iter()),
            "芜湖202"
        );
        // 上 and 下 share their first UTF-8 byte; the prefix must not split it.
        assert_eq!(common_prefix(["上半年", "下半年"].into_iter()), "");
        assert_eq!(common_prefix(["abc"].into_iter()), "abc");
    }

    #[test]
    fn home_expands_only_at_the_start() {
        let h = Path::new("/home/li");
        assert_eq!(expand_home("~", Some(h)), PathBuf::from("/home/li"));
        assert_eq!(expand_home("~/a/b", Some(h)), PathBuf::from("/home/li/a/b"));
        assert_eq!(expand_home("a/~/b", Some(h)), PathBuf::from("a/~/b"));
        assert_eq!(expand_home("~x", Some(h)), PathBuf::from("~x"));
        assert_eq!(expand_home("~/a", None), PathBuf::from("~/a"));
    }
}
