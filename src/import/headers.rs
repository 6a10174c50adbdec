//! Header words by column role, from `data/columns.toml`: what a table column or a paragraph
//! label holds, for every format and layout. The words are data; this module only reads them.

use serde::Deserialize;
use std::sync::OnceLock;

/// What a table column or a paragraph label holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Number,
    Goal,
    Progress,
    /// 牵头责任单位.
    Lead,
    /// 协同责任单位 / 配合单位, or 责任单位 next to a lead column.
    Co,
    /// 责任单位 as the only units column: the first-listed unit leads.
    Units,
    /// 备注: kept as the task's note.
    Notes,
    /// A column duban has no field for (完成时限, 责任领导…): kept as a note with its header.
    Other,
    /// Each row's report period (duban's own CSV: 报告期).
    Period,
    /// Written by duban's own exports and not read back (状态, 领域).
    Ignore,
}

impl Column {
    pub fn is_units(self) -> bool {
        matches!(self, Column::Lead | Column::Co | Column::Units)
    }

    /// Columns whose text becomes no field of the task but a note.
    pub fn is_note(self) -> bool {
        matches!(self, Column::Notes | Column::Other)
    }
}

#[derive(Debug, Deserialize)]
struct RoleEntry {
    name: Column,
    exact: Vec<String>,
    #[serde(default)]
    contains: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct File {
    role: Vec<RoleEntry>,
}

/// The vocabulary: exact header words, and key words tried in order for headers worded their
/// own way.
#[derive(Debug)]
pub struct Vocabulary {
    /// (word, role), longest word first so run-together headers take the longest name.
    exact: Vec<(String, Column)>,
    contains: Vec<(Column, Vec<String>)>,
}

#[derive(Debug, thiserror::Error)]
#[error("the column vocabulary is not valid: {0}")]
pub struct VocabularyError(String);

impl Vocabulary {
    pub fn parse(toml_text: &str) -> Result<Vocabulary, VocabularyError> {
        let file: File = toml::from_str(toml_text).map_err(|e| VocabularyError(e.to_string()))?;
        let mut exact = Vec::new();
        let mut contains = Vec::new();
        for r in file.role {
            for w in r.exact {
                exact.push((key(&w), r.name));
            }
            contains.push((r.name, r.contains.iter().map(|w| key(w)).collect()));
        }
        exact.retain(|(w, _)| !w.is_empty());
        exact.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        Ok(Vocabulary { exact, contains })
    }

    /// The shipped vocabulary (`data/columns.toml`), parsed once.
    pub fn builtin() -> &'static Vocabulary {
        static V: OnceLock<Vocabulary> = OnceLock::new();
        V.get_or_init(|| {
            Vocabulary::parse(include_str!("../../data/columns.toml"))
                .expect("the shipped column vocabulary parses (tested)")
        })
    }

    /// The role a cell names exactly (`序号`, `牵头单位`, `進展情況`).
    pub fn exact(&self, cell: &str) -> Option<Column> {
        // No header word is long: a line of text is refused before it is folded (every line
        // of a text report is asked).
        if cell.len() > MAX_HEADER_BYTES {
            return None;
        }
        let k = key(cell);
        self.exact.iter().find(|(w, _)| *w == k).map(|(_, c)| *c)
    }

    /// The role of a header worded its own way: the first role, in file order, with a key
    /// word inside `key`.
    pub fn containing(&self, key_text: &str) -> Option<Column> {
        self.contains
            .iter()
            .find(|(_, words)| words.iter().any(|w| key_text.contains(w.as_str())))
            .map(|(c, _)| *c)
    }

    /// Whether `key_text` holds one of `role`'s key words.
    pub fn mentions(&self, key_text: &str, role: Column) -> bool {
        self.contains
            .iter()
            .filter(|(c, _)| *c == role)
            .any(|(_, words)| words.iter().any(|w| key_text.contains(w.as_str())))
    }

    /// The exact words, longest first, with their roles.
    pub fn words(&self) -> impl Iterator<Item = (&str, Column)> {
        self.exact.iter().map(|(w, c)| (w.as_str(), *c))
    }

    /// The exact words of some roles, longest first (for building label patterns).
    pub fn words_of(&self, roles: &[Column]) -> Vec<&str> {
        self.words()
            .filter(|(_, c)| roles.contains(c))
            .map(|(w, _)| w)
            .collect()
    }
}

/// Longer than any header cell, spaces and brackets included.
const MAX_HEADER_BYTES: usize = 120;

/// A header cell as compared: traditional forms folded, whitespace, markdown emphasis,
/// colons and brackets dropped.
pub fn key(cell: &str) -> String {
    super::layout::fold(cell)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '#' | ':' | '\u{ff1a}' | '【' | '】'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_vocabulary_parses_and_names_every_role() {
        let v = Vocabulary::builtin();
        for (word, role) in [
            ("序号", Column::Number),
            ("内容与要求", Column::Goal),
            ("重点工作任务", Column::Goal),
            ("主要内容", Column::Goal),
            ("进展情况", Column::Progress),
            ("完成情况", Column::Progress),
            ("牵头单位", Column::Lead),
            ("配合单位", Column::Co),
            ("协办单位", Column::Co),
            ("责任单位", Column::Units),
            ("备注", Column::Notes),
            ("完成时限", Column::Other),
            ("责任领导", Column::Other),
            ("报告期", Column::Period),
            ("状态", Column::Ignore),
        ] {
            assert_eq!(v.exact(word), Some(role), "{word}");
        }
    }

    #[test]
    fn exact_words_ignore_spaces_colons_and_traditional_forms() {
        let v = Vocabulary::builtin();
        assert_eq!(v.exact(" 牽頭 單位:"), Some(Column::Lead));
        assert_eq!(v.exact("**进展情况**"), Some(Column::Progress));
        assert_eq!(v.exact("上半年进展"), None);
    }

    #[test]
    fn contained_words_follow_the_file_order() {
        let v = Vocabulary::builtin();
        assert_eq!(v.containing("牵头单位(部门)"), Some(Column::Lead));
        assert_eq!(v.containing("任务完成情况说明"), Some(Column::Progress));
        assert_eq!(v.containing("重点工作任务及目标"), Some(Column::Goal));
        assert_eq!(v.containing("分管市领导"), Some(Column::Other));
        assert_eq!(v.containing("天气"), None);
    }

    #[test]
    fn a_broken_vocabulary_is_an_error_not_a_panic() {
        assert!(Vocabulary::parse("[[role]]\nname = \"nonsense\"\nexact = []\n").is_err());
        assert!(Vocabulary::parse("not toml").is_err());
    }
}
