//! The task list's filter (`f`) and order (`o`) after the Q3 report: the tasks it updated,
//! those it left out, the lagging ones; the most serious first, by lead unit, the updated
//! first. The updated tasks are marked in the list.

use crate::ui_review::{after_q3, clerk, message, ui};
use duban::model::Status;
use duban::ui::app::{ListFilter, ListOrder};

#[test]
fn f_shows_the_updated_the_left_out_and_the_lagging_tasks() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    let all = s.list_tasks().len();
    let updated: Vec<u32> = s
        .tasks
        .iter()
        .filter(|t| t.latest_period.as_deref() == Some("2020年第三季度"))
        .map(|t| t.number)
        .collect();
    assert_eq!(updated.len(), 11);
    for t in &s.tasks {
        assert_eq!(
            s.updated_by_latest(t),
            updated.contains(&t.number),
            "#{}",
            t.number
        );
    }

    c.press(&mut s, 'f');
    assert_eq!(s.filter, ListFilter::Reported);
    let shown: Vec<u32> = s.list_tasks().iter().map(|t| t.number).collect();
    assert_eq!(shown, updated);
    assert!(
        message(&s).contains("本期有更新（11 项）"),
        "{}",
        message(&s)
    );

    c.press(&mut s, 'f');
    assert_eq!(
        s.list_tasks().len(),
        all - 11,
        "the tasks the report left out"
    );
    assert!(s.list_tasks().iter().all(|t| !updated.contains(&t.number)));

    // Lagging: two tasks judged red and yellow, then only they show.
    c.press(&mut s, 'f');
    assert!(s.list_tasks().is_empty());
    c.press(&mut s, 'f');
    assert_eq!(s.filter, ListFilter::All);
    c.press(&mut s, 'j');
    c.press(&mut s, '4');
    c.press(&mut s, 'j');
    c.press(&mut s, '3');
    for _ in 0..3 {
        c.press(&mut s, 'f');
    }
    assert_eq!(s.filter, ListFilter::Lagging);
    let lagging: Vec<Status> = s.list_tasks().iter().map(|t| t.status).collect();
    assert_eq!(lagging, [Status::SeriouslyBehind, Status::Behind]);
}

#[test]
fn o_puts_the_most_serious_first_then_by_lead_unit_then_the_updated_first() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    // Task 5 red, task 9 yellow.
    for _ in 0..4 {
        c.press(&mut s, 'j');
    }
    c.press(&mut s, '4');
    for _ in 0..4 {
        c.press(&mut s, 'j');
    }
    c.press(&mut s, '3');
    c.press(&mut s, 'o');
    assert_eq!(s.order, ListOrder::Status);
    let first: Vec<u32> = s.list_tasks().iter().take(2).map(|t| t.number).collect();
    assert_eq!(first, [5, 9]);
    assert_eq!(
        s.list_selected(),
        Some(9),
        "the selection stays on its task"
    );

    c.press(&mut s, 'o');
    assert_eq!(s.order, ListOrder::Lead);
    let leads: Vec<String> = s
        .list_tasks()
        .iter()
        .filter_map(|t| t.lead_units.first().map(|u| u.canonical.clone()))
        .collect();
    let mut sorted = leads.clone();
    sorted.sort();
    assert_eq!(leads, sorted);

    c.press(&mut s, 'o');
    assert_eq!(s.order, ListOrder::Reported);
    let list = s.list_tasks();
    assert!(list.iter().take(11).all(|t| s.updated_by_latest(t)));
    assert!(list.iter().skip(11).all(|t| !s.updated_by_latest(t)));
}

#[test]
fn the_units_view_finds_units_by_part_of_a_name_or_pinyin() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    c.press(&mut s, 'U');
    let all = s.unit_rows().len();
    for typed in ["住建局", "zhujian", "zjj"] {
        c.press(&mut s, '/');
        c.key(
            &mut s,
            crossterm::event::KeyCode::Char('u'),
            crossterm::event::KeyModifiers::CONTROL,
        );
        for ch in typed.chars() {
            c.press(&mut s, ch);
        }
        let names: Vec<String> = s.unit_rows().into_iter().map(|r| r.unit).collect();
        assert!(
            names.iter().any(|n| n == "市住房和城乡建设局"),
            "{typed}: {names:?}"
        );
        assert!(names.len() < all, "{typed} filters: {names:?}");
        c.key(
            &mut s,
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        );
    }
}
