//! The edits besides status and a new note, from the screen: rewriting or removing a note
//! (`e`; Tab picks another note, an emptied note is removed), correcting a goal (`E`),
//! moving a task to another domain (`m`), and writing the 通报 workbook (`x`, to a path
//! typed). Each opens the one-line input; Enter sends one operation, which the history
//! keeps and `u` undoes.

use super::{Effect, Input, InputKind, State};
use crate::model::Domain;
use crate::text;
use crate::ui::action::Action;

impl State {
    /// `e`, `E`, `m` on task `number`, `x` anywhere. None when `action` is none of them.
    pub(super) fn more_edit_action(
        &mut self,
        number: Option<u32>,
        action: &Action,
    ) -> Option<Vec<Effect>> {
        match action {
            Action::ExportTongbao => {
                let name = match self.latest_report_period() {
                    Some(p) => format!("~/通报_{}.xlsx", text::clean(&p)),
                    None => "~/通报.xlsx".to_string(),
                };
                self.input = Some(Input::new(InputKind::ExportPath, name, None));
                Some(Vec::new())
            }
            Action::EditNote | Action::EditGoal | Action::MoveTask => {
                let Some((number, _)) = self.edit_target(number) else {
                    return Some(Vec::new());
                };
                match action {
                    Action::EditNote => self.open_note_edit(number, None),
                    Action::EditGoal => {
                        let goal = self
                            .task(number)
                            .map(|t| t.goal.clone())
                            .unwrap_or_default();
                        self.input = Some(Input::new(InputKind::Goal(number), goal, None));
                    }
                    _ => {
                        self.input = Some(Input::new(InputKind::Move(number), String::new(), None))
                    }
                }
                Some(Vec::new())
            }
            _ => None,
        }
    }

    /// Opens note `index` (1-based; None: the newest) of task `number` for editing, its text
    /// in the input; the whole task must be here (its detail read).
    pub(super) fn open_note_edit(&mut self, number: u32, index: Option<usize>) {
        let Some(task) = self.detail(number) else {
            self.want_detail(number);
            self.info(crate::tr!(
                "正在读取 #{number} 的备注，稍候再按一次",
                "still reading the notes of #{number}: press again in a moment"
            ));
            return;
        };
        let count = task.notes.len();
        if count == 0 {
            self.info(crate::tr!(
                "#{number} 还没有备注：按 n 添加",
                "#{number} has no note yet: n adds one"
            ));
            return;
        }
        let index = index.unwrap_or(count).clamp(1, count);
        let text = task.notes[index - 1].text.clone();
        // The text shown is kept (`previous`): the edit is refused if someone changed the
        // note meanwhile, rather than overwriting what they wrote.
        self.input = Some(Input::new(
            InputKind::EditNote(number, index),
            text.clone(),
            Some(text),
        ));
    }

    /// Enter in the inputs opened here. Returns the effects (the edit), or None when the
    /// input is not one of these.
    pub(super) fn submit_more(&mut self, input: &Input) -> Option<Vec<Effect>> {
        let text = input.text.trim().to_string();
        Some(match input.kind {
            InputKind::EditNote(number, index) => {
                let seen = input.previous.clone();
                if text.is_empty() {
                    vec![Effect::RemoveNote {
                        number,
                        index,
                        seen,
                    }]
                } else if Some(&text) == seen.as_ref() {
                    self.info(crate::tr!(
                        "#{number} 第 {index} 条备注没有改动",
                        "note {index} on #{number} is unchanged"
                    ));
                    Vec::new()
                } else {
                    vec![Effect::EditNote {
                        number,
                        index,
                        text,
                        seen,
                    }]
                }
            }
            InputKind::Goal(number) => {
                let unchanged = self.task(number).is_some_and(|t| t.goal.trim() == text);
                if text.is_empty() || unchanged {
                    self.info(crate::tr!(
                        "#{number} 的目标没有改动",
                        "the goal of #{number} is unchanged"
                    ));
                    Vec::new()
                } else {
                    vec![Effect::EditGoal { number, goal: text }]
                }
            }
            InputKind::Move(number) => match domain_typed(&text) {
                Some(domain) if self.task(number).is_some_and(|t| t.domain == domain) => {
                    self.info(crate::tr!(
                        "#{number} 已在 {} 领域，未作修改",
                        "#{number} is already in {}: nothing changed",
                        domain.label()
                    ));
                    Vec::new()
                }
                Some(domain) => vec![Effect::MoveTask { number, domain }],
                None => {
                    self.error(crate::tr!(
                        "不认识的领域“{}”：请输入 1–4 或 {}",
                        "unknown domain \"{}\": type 1–4 or {}",
                        text::clean(&text),
                        domain_choices()
                    ));
                    // Left open to type again.
                    self.input = Some(input.clone());
                    Vec::new()
                }
            },
            InputKind::ExportPath => {
                if text.is_empty() {
                    self.info(crate::lang::t(
                        "没有输入文件路径，未导出",
                        "no file given: nothing was exported",
                    ));
                    Vec::new()
                } else {
                    self.info(crate::tr!(
                        "正在导出通报到 {}…",
                        "exporting the report to {}…",
                        text::clean(&text)
                    ));
                    vec![Effect::Export { path: text }]
                }
            }
            _ => return None,
        })
    }

    /// Tab in the note editor: the previous note of the same task (wrapping round).
    pub(super) fn next_note_in_editor(&mut self, input: &Input) -> bool {
        let InputKind::EditNote(number, index) = input.kind else {
            return false;
        };
        let count = self.detail(number).map_or(0, |t| t.notes.len());
        if count > 0 {
            let prev = if index <= 1 { count } else { index - 1 };
            self.open_note_edit(number, Some(prev));
        }
        true
    }

    /// What the input line says before the text for these inputs.
    pub fn more_prompt(&self, kind: InputKind) -> Option<String> {
        Some(match kind {
            InputKind::EditNote(number, index) => {
                let count = self.detail(number).map_or(index, |t| t.notes.len());
                crate::tr!(
                    "#{number} 备注 {index}/{count}（Tab 换一条，清空后 Enter 删除）：",
                    "#{number} note {index}/{count} (Tab: another note, emptied + Enter removes): "
                )
            }
            InputKind::Goal(number) => crate::tr!("#{number} 目标：", "#{number} goal: "),
            InputKind::Move(number) => crate::tr!(
                "#{number} 移到领域（{}）：",
                "move #{number} to domain ({}): ",
                domain_choices()
            ),
            InputKind::ExportPath => {
                crate::lang::t("导出通报（xlsx）到：", "export the report (xlsx) to: ").to_string()
            }
            _ => return None,
        })
    }
}

/// `1 生态 · 2 民生 · 3 创新 · 4 改革`.
fn domain_choices() -> String {
    Domain::ALL
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{} {}", i + 1, d.label()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The domain typed: its number in the tabs' order, its label or its id.
fn domain_typed(text: &str) -> Option<Domain> {
    let t = text.trim();
    if let Ok(i) = t.parse::<usize>() {
        return i.checked_sub(1).and_then(|i| Domain::ALL.get(i).copied());
    }
    Domain::ALL
        .iter()
        .copied()
        .find(|d| d.label() == t || d.id().eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_is_typed_by_number_label_or_id() {
        assert_eq!(domain_typed("1"), Some(Domain::ALL[0]));
        assert_eq!(domain_typed(" 4 "), Some(Domain::ALL[3]));
        assert_eq!(domain_typed("民生"), Some(Domain::ALL[1]));
        assert_eq!(domain_typed(Domain::ALL[2].id()), Some(Domain::ALL[2]));
        assert_eq!(domain_typed("5"), None);
        assert_eq!(domain_typed("0"), None);
        assert_eq!(domain_typed("交通"), None);
    }
}
