//! The one-line input (a note, the search, a report's path): a small line editor measured
//! in display columns, and what Enter and Esc do with its text.

use super::{Effect, State};
use crate::text;
use crate::ui::action::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Note(u32),
    /// Note `.1` (1-based) of task `.0`, its text being edited.
    EditNote(u32, usize),
    Goal(u32),
    /// The domain to move task `.0` to.
    Move(u32),
    /// Where to write the 通报 workbook.
    ExportPath,
    Search,
    /// The path of a report file to import (Tab completes it).
    ImportPath,
}

/// The one-line input. `cursor` is a byte offset on a character boundary; the screen column
/// is `text::width` of what comes before it, so Chinese characters count two columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub kind: InputKind,
    pub text: String,
    pub cursor: usize,
    /// The search in force when the input opened, restored on cancel.
    pub previous: Option<String>,
}

impl Input {
    pub fn new(kind: InputKind, text: String, previous: Option<String>) -> Input {
        let cursor = text.len();
        Input {
            kind,
            text,
            cursor,
            previous,
        }
    }

    /// The cursor's column inside the text.
    pub fn cursor_col(&self) -> usize {
        text::width(&self.text[..self.cursor])
    }

    pub(super) fn insert(&mut self, s: &str) {
        let s: String = s
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                }
            })
            .filter(|c| !c.is_control())
            .collect();
        self.text.insert_str(self.cursor, &s);
        self.cursor += s.len();
    }

    pub(super) fn prev_boundary(&self) -> usize {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map(|(i, _)| i)
            .unwrap_or(0)
    }

    pub(super) fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .chars()
            .next()
            .map(|c| self.cursor + c.len_utf8())
            .unwrap_or(self.cursor)
    }

    pub(super) fn edit(&mut self, action: &Action) -> bool {
        match action {
            Action::DeleteBack => {
                let p = self.prev_boundary();
                self.text.replace_range(p..self.cursor, "");
                self.cursor = p;
            }
            Action::DeleteForward => {
                let n = self.next_boundary();
                self.text.replace_range(self.cursor..n, "");
            }
            Action::DeleteWordBack => {
                let before = &self.text[..self.cursor];
                let trimmed = before.trim_end();
                let start = trimmed
                    .char_indices()
                    .rev()
                    .find(|(_, c)| c.is_whitespace() || "，。；：、,.;:".contains(*c))
                    .map(|(i, c)| i + c.len_utf8())
                    .unwrap_or(0);
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
            }
            Action::KillToEnd => self.text.truncate(self.cursor),
            Action::ClearInput => {
                self.text.clear();
                self.cursor = 0;
            }
            Action::CursorLeft => self.cursor = self.prev_boundary(),
            Action::CursorRight => self.cursor = self.next_boundary(),
            Action::CursorHome => self.cursor = 0,
            Action::CursorEnd => self.cursor = self.text.len(),
            Action::Insert(s) => self.insert(s),
            _ => return false,
        }
        true
    }
}

impl State {
    pub(super) fn input_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(mut input) = self.input.take() else {
            return Vec::new();
        };
        if input.kind == InputKind::ImportPath {
            if let Some(effects) = self.import_path_action(&input, &action) {
                return effects;
            }
            if input.edit(&action) {
                self.completion = None;
            }
            self.input = Some(input);
            return Vec::new();
        }
        match action {
            Action::Submit => {
                if let Some(effects) = self.submit_more(&input) {
                    return effects;
                }
                let text = input.text.trim().to_string();
                match input.kind {
                    InputKind::Note(number) => {
                        if text.is_empty() {
                            self.info(crate::lang::t(
                                "备注为空，未保存",
                                "the note is empty: nothing saved",
                            ));
                            return Vec::new();
                        }
                        return vec![Effect::AddNote { number, text }];
                    }
                    InputKind::Search => {
                        self.submit_search(text);
                        return Vec::new();
                    }
                    _ => return Vec::new(),
                }
            }
            Action::Complete if self.next_note_in_editor(&input) => return Vec::new(),
            Action::Cancel => {
                match input.kind {
                    InputKind::Note(n) => self.info(crate::tr!(
                        "已放弃 #{n} 的备注",
                        "note on task {n} discarded"
                    )),
                    InputKind::Search => {
                        self.set_search(input.previous.clone());
                        self.fix_scroll();
                    }
                    InputKind::EditNote(n, _) | InputKind::Goal(n) | InputKind::Move(n) => {
                        self.info(crate::tr!("#{n} 未作修改", "#{n}: nothing changed"))
                    }
                    InputKind::ImportPath | InputKind::ExportPath => {}
                }
                return Vec::new();
            }
            other => {
                if input.edit(&other) && input.kind == InputKind::Search {
                    let t = input.text.trim();
                    self.set_search((!t.is_empty()).then(|| t.to_string()));
                    self.input = Some(input);
                    self.fix_scroll();
                    return Vec::new();
                }
            }
        }
        self.input = Some(input);
        Vec::new()
    }
}
