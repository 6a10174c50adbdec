//! The edits besides status from the screen, through a ledger: a note rewritten, another
//! picked with Tab, one removed by emptying it (each kept in history, each undone by `u`),
//! a goal corrected, a task moved to another domain, the 通报 written to a path typed.

use crate::ui_review::{after_q3, clerk, message, ui, Clerk};
use crossterm::event::{KeyCode, KeyModifiers};
use duban::model::{Change, Domain};
use duban::ui::app::State;

fn type_text(c: &mut Clerk<'_>, s: &mut State, text: &str) {
    for ch in text.chars() {
        c.press(s, ch);
    }
}

fn enter(c: &mut Clerk<'_>, s: &mut State) {
    c.key(s, KeyCode::Enter, KeyModifiers::NONE);
}

fn clear_line(c: &mut Clerk<'_>, s: &mut State) {
    c.key(s, KeyCode::Char('u'), KeyModifiers::CONTROL);
}

#[test]
fn notes_are_rewritten_picked_with_tab_and_removed_by_emptying_them() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    // Task 1's detail: two notes added.
    enter(&mut c, &mut s);
    for note in ["约谈牵头单位", "要求月底前整改"] {
        c.press(&mut s, 'n');
        type_text(&mut c, &mut s, note);
        enter(&mut c, &mut s);
    }
    let texts = |n| -> Vec<String> {
        session
            .task(n)
            .unwrap()
            .notes
            .iter()
            .map(|x| x.text.clone())
            .collect()
    };
    assert_eq!(texts(1), ["约谈牵头单位", "要求月底前整改"]);

    // e opens the newest note; Tab goes to the one before; its text is rewritten.
    c.press(&mut s, 'e');
    assert_eq!(s.input.as_ref().unwrap().text, "要求月底前整改");
    c.key(&mut s, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(s.input.as_ref().unwrap().text, "约谈牵头单位");
    type_text(&mut c, &mut s, "（已约谈）");
    enter(&mut c, &mut s);
    assert_eq!(texts(1), ["约谈牵头单位（已约谈）", "要求月底前整改"]);
    assert!(message(&s).starts_with("已保存 #1 "), "{}", message(&s));

    // Emptied and Enter: the newest note is removed; the history keeps what it said.
    c.press(&mut s, 'e');
    clear_line(&mut c, &mut s);
    enter(&mut c, &mut s);
    assert_eq!(texts(1), ["约谈牵头单位（已约谈）"]);
    let history = session.all_history(Some(1)).unwrap();
    assert!(
        history.iter().any(
            |e| matches!(&e.change, Change::NoteRemoved { text, .. } if text == "要求月底前整改")
        ),
        "{history:?}"
    );

    // u brings the removed note back, then undoes the rewrite.
    c.press(&mut s, 'u');
    assert_eq!(texts(1), ["约谈牵头单位（已约谈）", "要求月底前整改"]);
    c.press(&mut s, 'u');
    assert_eq!(texts(1), ["约谈牵头单位", "要求月底前整改"]);
}

#[test]
fn a_goal_is_corrected_and_a_task_moved_from_the_screen() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    enter(&mut c, &mut s);
    let number = s.current_task().unwrap();
    let before = session.task(number).unwrap();

    c.press(&mut s, 'E');
    assert_eq!(s.input.as_ref().unwrap().text, before.goal);
    clear_line(&mut c, &mut s);
    type_text(&mut c, &mut s, "更正后的目标：新建改造公厕47座。");
    enter(&mut c, &mut s);
    assert_eq!(
        session.task(number).unwrap().goal,
        "更正后的目标：新建改造公厕47座。"
    );

    // m, then a domain by its number in the tabs; a wrong answer keeps the line open.
    let to = *Domain::ALL.iter().find(|d| **d != before.domain).unwrap();
    let k = Domain::ALL.iter().position(|d| *d == to).unwrap() + 1;
    c.press(&mut s, 'm');
    type_text(&mut c, &mut s, "交通");
    enter(&mut c, &mut s);
    assert!(message(&s).contains("不认识的领域"), "{}", message(&s));
    assert!(s.input.is_some(), "still asking");
    clear_line(&mut c, &mut s);
    type_text(&mut c, &mut s, &k.to_string());
    enter(&mut c, &mut s);
    assert_eq!(session.task(number).unwrap().domain, to);
    assert_eq!(s.task(number).unwrap().domain, to, "the screen follows");
    // u moves it back.
    c.press(&mut s, 'u');
    assert_eq!(session.task(number).unwrap().domain, before.domain);
}

#[test]
fn x_writes_the_tongbao_to_the_path_typed() {
    let (dir, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    c.press(&mut s, 'x');
    let offered = s.input.as_ref().unwrap().text.clone();
    assert!(offered.ends_with("2020年第三季度.xlsx"), "{offered}");
    let path = dir.path().join("通报.xlsx");
    clear_line(&mut c, &mut s);
    type_text(&mut c, &mut s, path.to_str().unwrap());
    enter(&mut c, &mut s);
    assert!(message(&s).starts_with("已导出通报"), "{}", message(&s));
    let bytes = std::fs::read(&path).expect("the workbook was written");
    assert!(bytes.starts_with(b"PK"), "an xlsx (zip) file");
    // A path that cannot be written says so and writes nothing.
    c.press(&mut s, 'x');
    clear_line(&mut c, &mut s);
    type_text(&mut c, &mut s, "/nonexistent-dir/通报.xlsx");
    enter(&mut c, &mut s);
    assert!(message(&s).starts_with("通报没有导出到"), "{}", message(&s));
}
