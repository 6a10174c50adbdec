//! The quarterly review on the real sample after the Q3 report: `r` walks the latest
//! period's tasks (updated first, then those the report left out), one key judges and moves
//! on, every judgement lands on the task that was on screen, leaving resumes. Keys go
//! through the keymap and the real key decoding (`apply_event`), edits through a ledger.

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use duban::ledger::Ledger;
use duban::model::Status;
use duban::ops::Op;
use duban::search::Index;
use duban::server::session::Session;
use duban::ui::app::{Screen, State};

const SAMPLE: &[u8] = include_bytes!("../../data/sample_2020h1_wuhu.txt");
const Q3: &[u8] = include_bytes!("../fixtures/q3_2020/report_labelled.txt");

/// The sample, then the Q3 report (10 of its tasks updated, one new), as the office has it.
pub fn after_q3() -> (tempfile::TempDir, Session) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = Ledger::open(&dir.path().join("db")).expect("open ledger");
    for (bytes, name) in [(SAMPLE, "sample.txt"), (Q3, "q3.txt")] {
        ledger
            .apply(Op::import(bytes.to_vec(), name, None, false))
            .expect("import");
    }
    (dir, Session::Local(ledger))
}

pub fn ui(session: &Session) -> State {
    let options = duban::ui::UiOptions {
        keymap: None,
        ascii: false,
        mouse: false,
        startup_message: None,
    };
    duban::ui::initial_state(session, &options, None).expect("state")
}

/// Types one key as the terminal delivers it (decoded, then dispatched with its effects).
pub struct Clerk<'a> {
    session: &'a Session,
    index: Index,
    keys: usize,
}

impl Clerk<'_> {
    pub fn key(&mut self, s: &mut State, code: KeyCode, mods: KeyModifiers) {
        self.keys += 1;
        let session = self.session;
        let index = &mut self.index;
        duban::ui::event::apply_event(
            s,
            TermEvent::Key(KeyEvent::new(code, mods)),
            false,
            |s, a| duban::ui::effects::dispatch(s, session, index, a),
        );
    }

    pub fn press(&mut self, s: &mut State, c: char) {
        self.key(s, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

pub fn clerk<'a>(session: &'a Session, s: &State) -> Clerk<'a> {
    Clerk {
        session,
        index: Index::build(&s.full_tasks()),
        keys: 0,
    }
}

fn on_screen(s: &State) -> Option<u32> {
    match s.screen() {
        Some(Screen::Review { number, .. }) => Some(*number),
        _ => None,
    }
}

pub fn message(s: &State) -> String {
    s.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

#[test]
fn the_start_screen_offers_the_review_of_the_latest_report() {
    let (_d, session) = after_q3();
    let s = ui(&session);
    let m = message(&s);
    assert!(
        m.contains("2020年第三季度") && m.contains("11 项有新进展") && m.contains("按 r 逐项复核"),
        "{m}"
    );
}

#[test]
fn reviewing_all_tasks_after_q3_takes_about_one_key_per_task() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    let before: Vec<(u32, Status)> = s.tasks.iter().map(|t| (t.number, t.status)).collect();

    c.press(&mut s, 'r');
    let review = s.review.clone().expect("a review started");
    assert_eq!(review.period, "2020年第三季度");
    assert_eq!(review.queue.len(), before.len(), "every task is walked");
    // The report's updated tasks come first, then those it left out.
    let updated: Vec<u32> = review.queue[..review.updated].to_vec();
    assert_eq!(updated.len(), 11);
    for n in &updated {
        assert_eq!(
            s.task(*n).unwrap().latest_period.as_deref(),
            Some("2020年第三季度")
        );
    }

    // A clerk's judgement per task: the suggestion where there is one and it differs, a
    // red light on the tasks the report left out without any progress, else keep.
    let mut accepted = Vec::new();
    let mut reds = Vec::new();
    let mut seen = Vec::new();
    while let Some(n) = on_screen(&s) {
        assert!(!seen.contains(&n), "task {n} came twice");
        seen.push(n);
        let t = s.task(n).expect("task").clone();
        match s.suggestion(n) {
            Some(sug) if sug.status != t.status => {
                accepted.push((n, sug.status));
                c.press(&mut s, 'a');
            }
            _ if t.latest_period.is_none() => {
                reds.push(n);
                c.press(&mut s, '4');
            }
            _ => c.key(&mut s, KeyCode::Char(' '), KeyModifiers::NONE),
        }
        assert!(c.keys < 2 * before.len() + 10, "the review never ends");
    }
    assert_eq!(seen.len(), before.len(), "each task judged once");
    let m = message(&s);
    assert!(m.contains("复核完成"), "{m}");
    assert!(s.screen().is_none(), "back on the list");

    let per_task = c.keys as f64 / before.len() as f64;
    assert!(
        per_task <= 1.5,
        "{} keys for {} tasks = {per_task:.2} a task",
        c.keys,
        before.len()
    );
    assert!(!accepted.is_empty(), "some suggestions were accepted");

    // What is on disk is what was judged on each screen.
    for (n, was) in before {
        let now = session.task(n).expect("task").status;
        let want = accepted
            .iter()
            .find(|(a, _)| *a == n)
            .map(|(_, st)| *st)
            .or_else(|| reds.contains(&n).then_some(Status::SeriouslyBehind))
            .unwrap_or(was);
        assert_eq!(now, want, "task {n}");
    }
}

#[test]
fn backspace_goes_back_and_the_next_key_judges_the_task_shown_then() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    c.press(&mut s, 'r');
    let first = on_screen(&s).expect("review screen");
    c.press(&mut s, '3');
    let second = on_screen(&s).expect("the next task");
    assert_ne!(first, second);
    assert!(
        message(&s).contains(&format!("#{first} ")),
        "{}",
        message(&s)
    );
    c.key(&mut s, KeyCode::Backspace, KeyModifiers::NONE);
    assert_eq!(on_screen(&s), Some(first), "back to the task judged");
    c.press(&mut s, '2');
    assert_eq!(session.task(first).unwrap().status, Status::OnTrack);
    assert_eq!(
        session.task(second).unwrap().status,
        Status::NotStarted,
        "the task shown next was not touched"
    );
    assert_eq!(
        on_screen(&s),
        Some(second),
        "on to the first task not judged"
    );
}

#[test]
fn leaving_keeps_the_place_and_r_resumes_it() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    c.press(&mut s, 'r');
    for _ in 0..3 {
        c.key(&mut s, KeyCode::Char(' '), KeyModifiers::NONE);
    }
    let fourth = on_screen(&s).expect("the fourth task");
    c.key(&mut s, KeyCode::Esc, KeyModifiers::NONE);
    assert!(s.screen().is_none(), "Esc leaves to the list");
    assert!(message(&s).contains("3/"), "{}", message(&s));
    assert_eq!(
        s.list_selected(),
        Some(fourth),
        "the list is on the task left"
    );
    c.press(&mut s, 'r');
    assert_eq!(on_screen(&s), Some(fourth), "resumed where it was left");
    assert_eq!(s.review.as_ref().unwrap().judged.len(), 3);
}

#[test]
fn esc_then_a_key_typed_together_in_review_leaves_first() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    c.press(&mut s, 'r');
    let shown = on_screen(&s).expect("review");
    // Esc 4 arriving in one read is Alt-4 to the terminal's decoder: it leaves, and 4 then
    // acts on the list's selected task — the one the review left, which the screen shows.
    c.key(&mut s, KeyCode::Char('4'), KeyModifiers::ALT);
    assert!(s.screen().is_none());
    assert_eq!(s.list_selected(), Some(shown));
    assert_eq!(session.task(shown).unwrap().status, Status::SeriouslyBehind);
}

#[test]
fn in_the_detail_brackets_step_through_the_list_and_q_goes_back() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    c.key(&mut s, KeyCode::Enter, KeyModifiers::NONE);
    let first = s.current_task().expect("a detail");
    c.press(&mut s, ']');
    let second = s.current_task().expect("a detail");
    assert!(second > first, "the next task of the list");
    assert!(matches!(s.screen(), Some(Screen::Detail { .. })));
    c.key(&mut s, KeyCode::Char('n'), KeyModifiers::CONTROL);
    c.press(&mut s, '[');
    assert_eq!(s.current_task(), Some(second));
    c.press(&mut s, '[');
    assert_eq!(s.current_task(), Some(first));
    c.press(&mut s, '[');
    assert_eq!(s.current_task(), Some(first), "nothing before the first");
    assert!(message(&s).contains("第一项"), "{}", message(&s));
    // A status key names the task it changed.
    c.press(&mut s, '3');
    assert!(
        message(&s).starts_with(&format!("已保存 #{first} 未启动 → 进度滞后")),
        "{}",
        message(&s)
    );
    c.press(&mut s, 'q');
    assert!(
        s.screen().is_none() && !s.quit,
        "q goes back from the detail"
    );
    c.press(&mut s, 'q');
    assert!(s.quit, "q on the list quits");
}

#[test]
fn a_review_kept_from_an_earlier_run_resumes_where_it_was_left() {
    let (_d, session) = after_q3();
    let mut s = ui(&session);
    let mut c = clerk(&session, &s);
    c.press(&mut s, 'r');
    for _ in 0..3 {
        c.key(&mut s, KeyCode::Char(' '), KeyModifiers::NONE);
    }
    let fourth = on_screen(&s).expect("the fourth task");
    c.key(&mut s, KeyCode::Esc, KeyModifiers::NONE);
    // What the UI keeps in the person's state folder, read back by the next run.
    let kept: duban::ui::app::Review =
        serde_json::from_str(&serde_json::to_string(s.review.as_ref().unwrap()).unwrap())
            .expect("round trip");

    let mut next = ui(&session);
    next.resume_review(Some(kept));
    let m = message(&next);
    assert!(m.contains("已判断 3/") && m.contains("按 r 继续"), "{m}");
    let mut c = clerk(&session, &next);
    c.press(&mut next, 'r');
    assert_eq!(on_screen(&next), Some(fourth));
}
