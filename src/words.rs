//! Events in words: the one place a history event becomes text, for the CLI's history, the
//! detail screen's history and the live notices of others' edits. In the office's words
//! first (`状态 未启动 → 进度滞后`); text from reports and people is cleaned of control
//! characters here.

use crate::model::{Change, Event};
use crate::text::clean;
use crate::tr;

/// What an event did: `状态 未启动 → 正常推进 (note)`; an undo is `撤销 (undo) 正常推进 →
/// 未启动`, a note `备注: …` (edited `备注 已修改: … → …`, removed `备注 已删除: …`, its adding
/// undone `撤销 备注: …`), an import `导入 2020年第三季度 (from report.txt)`. `arrow` is
/// `→`, or `->` on ASCII terminals.
pub fn change(event: &Event, arrow: &str) -> String {
    let mut s = match &event.change {
        Change::Status {
            from,
            to,
            undo: false,
        } => format!("状态 {} {arrow} {}", from.label(), to.label()),
        Change::Status {
            from,
            to,
            undo: true,
        } => format!("撤销 {} {arrow} {}", from.label(), to.label()),
        Change::Note { text } => format!("备注: {}", clean(text)),
        Change::NoteEdited {
            from,
            to,
            undo: false,
            ..
        } => format!("备注 已修改: {} {arrow} {}", clean(from), clean(to)),
        Change::NoteEdited {
            from,
            to,
            undo: true,
            ..
        } => format!("撤销 备注修改: {} {arrow} {}", clean(from), clean(to)),
        Change::NoteRemoved {
            text, undo: false, ..
        } => format!("备注 已删除: {}", clean(text)),
        Change::NoteRemoved {
            text, undo: true, ..
        } => format!("撤销 备注: {}", clean(text)),
        Change::NoteRestored { text, .. } => format!("撤销 备注删除: {}", clean(text)),
        Change::Move {
            from,
            to,
            undo: false,
        } => format!("领域 {} {arrow} {}", from.label(), to.label()),
        Change::Move {
            from,
            to,
            undo: true,
        } => format!("撤销 领域调整 {} {arrow} {}", from.label(), to.label()),
        Change::Goal { undo: false, .. } => "目标 修改".to_string(),
        Change::Goal { undo: true, .. } => "撤销 目标修改".to_string(),
        Change::PeriodRenamed { from, to } => {
            format!("报告期 {} {arrow} {}", clean(from), clean(to))
        }
        Change::Import { period, source } => {
            // The file's name, not its whole path.
            let file = source.rsplit(['/', '\\']).next().unwrap_or(source);
            if file.is_empty() {
                format!("导入 {}", clean(period))
            } else if source == crate::ledger::SAMPLE_NAME {
                tr!(
                    "导入 {}（内置示例）",
                    "导入 {} (from the built-in sample)",
                    clean(period)
                )
            } else {
                tr!(
                    "导入 {}（来自 {}）",
                    "导入 {} (from {})",
                    clean(period),
                    clean(file)
                )
            }
        }
    };
    if let Some(n) = event.note.as_deref().filter(|n| !n.is_empty()) {
        // An undo's own note says nothing the words do not.
        if !matches!(event.change, Change::Status { undo: true, .. } if n == "撤销") {
            s.push_str(" (");
            s.push_str(&clean(n));
            s.push(')');
        }
    }
    s
}

/// Who did what to which task: `li #14 状态 未启动 → 进度滞后`.
pub fn who_did(event: &Event, arrow: &str) -> String {
    format!(
        "{} #{} {}",
        clean(&event.user),
        event.task,
        change(event, arrow)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn event(change: Change, note: Option<&str>) -> Event {
        Event {
            seq: 1,
            task: 14,
            at: chrono::Utc::now(),
            user: "li\x1b[31m".into(),
            change,
            note: note.map(str::to_string),
        }
    }

    #[test]
    fn words_say_what_changed_and_carry_no_control_sequences() {
        let e = event(
            Change::Status {
                from: Status::NotStarted,
                to: Status::Behind,
                undo: false,
            },
            Some("约谈\x07"),
        );
        assert_eq!(change(&e, "→"), "状态 未启动 → 进度滞后 (约谈␇)");
        assert!(!who_did(&e, "->").contains('\x1b'));
        let undo = event(
            Change::Status {
                from: Status::Behind,
                to: Status::NotStarted,
                undo: true,
            },
            Some("撤销"),
        );
        assert_eq!(change(&undo, "->"), "撤销 进度滞后 -> 未启动");
        let import = event(
            Change::Import {
                period: "2020年第三季度".into(),
                source: "/home/li/报告/q3.docx".into(),
            },
            None,
        );
        assert_eq!(change(&import, "→"), "导入 2020年第三季度（来自 q3.docx）");
    }

    #[test]
    fn note_goal_and_domain_edits_and_their_undos_are_worded_in_chinese() {
        use crate::model::Domain;
        let written = chrono::Utc::now();
        let note = |c: Change| change(&event(c, None), "→");
        assert_eq!(
            note(Change::NoteEdited {
                index: 1,
                author: "li".into(),
                written,
                from: "约谈".into(),
                to: "已约谈\x07".into(),
                undo: false,
            }),
            "备注 已修改: 约谈 → 已约谈␇"
        );
        assert_eq!(
            note(Change::NoteRemoved {
                index: 2,
                author: "li".into(),
                written,
                text: "约谈".into(),
                undo: false,
            }),
            "备注 已删除: 约谈"
        );
        assert_eq!(
            note(Change::NoteRemoved {
                index: 2,
                author: "li".into(),
                written,
                text: "约谈".into(),
                undo: true,
            }),
            "撤销 备注: 约谈"
        );
        assert_eq!(
            note(Change::NoteRestored {
                index: 2,
                author: "li".into(),
                written,
                text: "约谈".into(),
            }),
            "撤销 备注删除: 约谈"
        );
        assert_eq!(
            note(Change::Move {
                from: Domain::Reform,
                to: Domain::Ecology,
                undo: true,
            }),
            "撤销 领域调整 改革 → 生态"
        );
        assert_eq!(
            note(Change::Goal {
                from: "b".into(),
                to: "a".into(),
                undo: true,
            }),
            "撤销 目标修改"
        );
    }
}
