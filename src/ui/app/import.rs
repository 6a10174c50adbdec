//! Importing a report from the UI (`i`): a path typed in the input line (Tab completes it),
//! a preview of what the importer read (nothing written), then Enter imports exactly the
//! previewed bytes through the session and the tasks it names are put in place at once; Esc
//! leaves without writing. Reading the file and the import run as effects, off `update`.

use super::{keep_visible, movement, Effect, Input, InputKind, Screen, State};
use crate::import::Report;
use crate::ui::action::{Action, ImportDone, Imported, Previewed, ReportBytes};
use crate::ui::files::Completion;
use crate::ui::text;
use crate::ui::view;
use std::sync::Arc;

/// An import to run: the previewed bytes, through the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    pub id: u64,
    pub bytes: ReportBytes,
    /// The file, as history and messages name it.
    pub source: String,
    /// The newest history event the UI had when it asked (later ones are the import's),
    /// when the UI holds the whole history; None when it reads histories on demand.
    pub after_seq: Option<u64>,
}

/// The file being previewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPreview {
    pub id: u64,
    /// The path as typed.
    pub path: String,
    pub stage: Stage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The worker is reading and parsing the file.
    Reading,
    /// The file cannot be imported: the importer's sentence. Nothing was written.
    Failed(String),
    /// The importer's reading; `importing` once Enter sent it to the session.
    Ready {
        report: Arc<Report>,
        bytes: ReportBytes,
        importing: bool,
    },
}

/// What the preview's scrolling body holds, in order: the rows, then (when the importer
/// could not place some lines) a heading and those lines.
pub fn body_len(report: &Report) -> usize {
    report.rows.len()
        + if report.unplaced.is_empty() {
            0
        } else {
            report.unplaced.len() + 1
        }
}

/// The heading line between the rows and the unplaced lines, if there is one (not
/// selectable).
pub fn heading_index(report: &Report) -> Option<usize> {
    (!report.unplaced.is_empty()).then_some(report.rows.len())
}

/// The file name alone, for messages (the preview's title shows the whole path).
pub fn file_name(path: &str) -> String {
    let p = std::path::Path::new(path);
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string());
    text::clean(&name)
}

impl State {
    /// `i`: opens the path input (with the directory of the last import typed in).
    pub(super) fn start_import(&mut self) {
        if self.read_only {
            self.error(crate::lang::t(
                "导入需要编辑权限：你只能查看此数据库，未导入任何内容（可编辑的人列在数据库旁的 access.toml 中）",
                "importing needs edit rights: you may only read this database, so nothing was imported (editors are listed in access.toml beside it)",
            ));
            return;
        }
        self.completion = None;
        let start = self.last_import_dir.clone().unwrap_or_default();
        self.input = Some(Input::new(InputKind::ImportPath, start, None));
    }

    /// The path input's own keys: Tab asks for a completion; Enter opens the preview.
    /// Returns None for keys that are plain editing.
    pub(super) fn import_path_action(
        &mut self,
        input: &Input,
        action: &Action,
    ) -> Option<Vec<Effect>> {
        match action {
            Action::Complete => {
                self.input = Some(input.clone());
                Some(vec![Effect::Complete(input.text.clone())])
            }
            Action::Submit => {
                self.completion = None;
                Some(self.open_preview(input.text.trim().to_string()))
            }
            Action::Cancel => {
                self.completion = None;
                self.info(crate::lang::t(
                    "已取消导入，未写入任何内容",
                    "import cancelled: nothing was written",
                ));
                Some(Vec::new())
            }
            _ => None,
        }
    }

    fn open_preview(&mut self, path: String) -> Vec<Effect> {
        if path.is_empty() {
            self.info(crate::lang::t(
                "没有输入文件路径，未导入",
                "no file given: nothing was imported",
            ));
            return Vec::new();
        }
        self.jobs += 1;
        let id = self.jobs;
        self.import = Some(ImportPreview {
            id,
            path: path.clone(),
            stage: Stage::Reading,
        });
        self.stack.push(Screen::Import {
            selected: 0,
            offset: 0,
        });
        vec![Effect::Preview { id, path }]
    }

    /// Tab's answer: the completed text, and the choices or the reason to show.
    pub(super) fn on_completed(&mut self, c: Completion) {
        let Some(input) = self
            .input
            .as_mut()
            .filter(|i| i.kind == InputKind::ImportPath && i.text == c.text)
        else {
            return;
        };
        input.text = c.completed.clone();
        input.cursor = input.text.len();
        self.completion = (c.note.is_some() || !c.candidates.is_empty()).then_some(c);
    }

    /// The file was read: the preview shows, or the importer's reason why it cannot.
    pub(super) fn on_previewed(&mut self, p: Previewed) {
        let Some(preview) = self
            .import
            .as_mut()
            .filter(|i| i.id == p.id && i.stage == Stage::Reading)
        else {
            return;
        };
        match p.result {
            Ok((report, bytes)) => {
                preview.stage = Stage::Ready {
                    report,
                    bytes,
                    importing: false,
                };
                // The next `i` starts in this file's directory (not in a mistyped one).
                let path = &preview.path;
                self.last_import_dir = path.rfind('/').map(|i| path[..=i].to_string());
            }
            Err(e) => {
                let e = text::clean(&e);
                preview.stage = Stage::Failed(e.clone());
                self.error(e);
            }
        }
        self.fix_scroll();
    }

    /// Keys on the preview: scroll, import (submit), cancel.
    pub(super) fn import_action(&mut self, action: Action) -> Vec<Effect> {
        if let Some((delta, page)) = movement(&action, self.import_rows()) {
            self.move_import(delta, page);
            return Vec::new();
        }
        match action {
            Action::Submit => return self.confirm_import(),
            Action::Cancel | Action::Back => self.cancel_import(),
            Action::Help => self.stack.push(Screen::Help { scroll: 0 }),
            _ => {}
        }
        Vec::new()
    }

    fn import_rows(&self) -> usize {
        view::layout::import_rows(self.size)
    }

    fn confirm_import(&mut self) -> Vec<Effect> {
        if self.read_only {
            self.start_import();
            return Vec::new();
        }
        let after_seq = self
            .history_complete
            .then(|| self.history.last().map(|e| e.seq).unwrap_or(0));
        let Some(preview) = self.import.as_mut() else {
            return Vec::new();
        };
        let name = file_name(&preview.path);
        let job = match &mut preview.stage {
            Stage::Reading => {
                self.info(crate::tr!(
                    "仍在读取 {name}：预览出现后按 Enter 导入",
                    "still reading {name}: Enter imports once the preview shows"
                ));
                return Vec::new();
            }
            Stage::Failed(e) => {
                let e = e.clone();
                self.error(crate::tr!(
                    "没有可导入的内容：{e}",
                    "nothing to import: {e}"
                ));
                return Vec::new();
            }
            Stage::Ready {
                importing: true, ..
            } => {
                self.info(crate::tr!("正在导入 {name}…", "already importing {name}…"));
                return Vec::new();
            }
            Stage::Ready {
                report,
                bytes,
                importing,
            } => {
                *importing = true;
                ImportJob {
                    id: preview.id,
                    bytes: bytes.clone(),
                    source: report.source.clone(),
                    after_seq,
                }
            }
        };
        self.info(crate::tr!("正在导入 {name}…", "importing {name}…"));
        vec![Effect::Import(job)]
    }

    fn cancel_import(&mut self) {
        let importing = matches!(
            self.import.as_ref().map(|p| &p.stage),
            Some(Stage::Ready {
                importing: true,
                ..
            })
        );
        if importing {
            self.info(crate::lang::t(
                "导入正在写入，现在无法中止；完成后状态栏会提示",
                "the import is being written and cannot be stopped now; the status bar says when it is done",
            ));
            return;
        }
        self.close_preview();
        self.info(crate::lang::t(
            "已取消导入，未写入任何内容",
            "import cancelled: nothing was written",
        ));
    }

    fn close_preview(&mut self) {
        self.import = None;
        self.stack.retain(|s| !matches!(s, Screen::Import { .. }));
        self.fix_scroll();
    }

    fn move_import(&mut self, delta: isize, page: bool) {
        let Some(Stage::Ready { report, .. }) = self.import.as_ref().map(|p| &p.stage) else {
            return;
        };
        let total = body_len(report);
        let heading = heading_index(report);
        let rows = self.import_rows();
        if total == 0 {
            return;
        }
        if let Some(Screen::Import { selected, offset }) = self.stack.last_mut() {
            let mut idx = (*selected as isize)
                .saturating_add(delta)
                .clamp(0, total as isize - 1) as usize;
            // The heading is skipped in the direction of the move.
            if Some(idx) == heading {
                idx = if (delta > 0 || idx == 0) && idx + 1 < total {
                    idx + 1
                } else {
                    idx.saturating_sub(1)
                };
            }
            if page {
                *offset = (*offset as isize + delta).max(0) as usize;
            }
            *offset = keep_visible(*offset, idx, rows, total);
            *selected = idx;
        }
    }

    /// Keeps the preview's selection inside its body and visible (after a resize, or when
    /// the report arrives).
    pub(super) fn fix_import_scroll(&mut self) {
        let total = match self.import.as_ref().map(|p| &p.stage) {
            Some(Stage::Ready { report, .. }) => body_len(report),
            _ => 0,
        };
        let rows = self.import_rows();
        for screen in self.stack.iter_mut() {
            if let Screen::Import { selected, offset } = screen {
                *selected = (*selected).min(total.saturating_sub(1));
                *offset = keep_visible(*offset, *selected, rows, total);
            }
        }
    }

    /// The import's outcome: the tasks it named are put in place as the session read them
    /// back, its events join the history, and the status bar says what was done.
    pub(super) fn on_imported(&mut self, imported: Imported) {
        let Imported { id, source, result } = imported;
        let name = file_name(&source);
        let ours = self.import.as_ref().is_some_and(|p| p.id == id);
        match result {
            Ok(done) => {
                let unplaced = match self.import.as_ref().map(|p| &p.stage) {
                    Some(Stage::Ready { report, .. }) if ours => report.unplaced.len(),
                    _ => 0,
                };
                let text = done_message(&name, &done, unplaced, self.size.0 as usize);
                self.apply_import(done);
                if ours {
                    self.close_preview();
                }
                self.ok(text);
            }
            Err(e) => {
                if let Some(Stage::Ready { importing, .. }) =
                    self.import.as_mut().filter(|_| ours).map(|p| &mut p.stage)
                {
                    *importing = false;
                }
                self.error(crate::tr!(
                    "未导入（{name}）：{}",
                    "NOT imported ({name}): {}",
                    text::clean(&e)
                ));
            }
        }
    }

    fn apply_import(&mut self, done: ImportDone) {
        self.put_tasks(done.tasks);
        for event in done.events {
            self.record(event);
        }
        self.tasks_changed();
        self.fix_scroll();
    }
}

/// `imported 报告.txt as period 2020年上半年: 116 new, 0 updated, 0 kept absent`, without
/// the file's name, then without `imported as`, when that would not fit `width` columns
/// (the counts matter more).
fn done_message(name: &str, done: &ImportDone, unplaced: usize, width: usize) -> String {
    let s = &done.summary;
    let mut what = crate::tr!(
        "报告期 {}：新增 {} 项，更新 {} 项，{} 项未出现（保留）",
        "period {}: {} new, {} updated, {} kept absent",
        text::clean(&s.period),
        s.added.len(),
        s.updated.len(),
        s.absent.len()
    );
    if s.replaced_sample {
        what.push_str(crate::lang::t("，已替换示例数据", ", sample replaced"));
    }
    // Rows whose number belongs to a task with another goal are left out by the ledger:
    // said, so nobody thinks they were imported.
    let conflicts = s.matching.conflicts().count();
    if conflicts > 0 {
        let s = if conflicts == 1 { "" } else { "s" };
        what.push_str(&crate::tr!(
            "，{conflicts} 项冲突未导入",
            ", {conflicts} conflict{s} left out"
        ));
    }
    if unplaced > 0 {
        let s = if unplaced == 1 { "" } else { "s" };
        what.push_str(&crate::tr!(
            " · {unplaced} 行无法归位",
            " · {unplaced} line{s} not placed"
        ));
    }
    let full = crate::tr!("已导入 {name}，{what}", "imported {name} as {what}");
    let short = crate::tr!("已导入，{what}", "imported as {what}");
    if text::width(&full) <= width {
        full
    } else if text::width(&short) <= width {
        short
    } else {
        what
    }
}
