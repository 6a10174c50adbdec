//! `update` driven by action sequences: navigation, tabs, screens, edits as effects, the input
//! line, and (with a real ledger on a temporary database) edits written before they are shown.

mod ui_fixture;

use duban::model::{Change, Status};
use duban::ui::action::Action;
use duban::ui::app::{update, Effect, InputKind, Screen, State};
use duban::ui::keymap::Keymap;
use duban::ui::theme::Theme;

fn state() -> State {
    State::new(
        ui_fixture::tasks(),
        ui_fixture::history(),
        Keymap::builtin(),
        Theme::mono(false),
        (80, 24),
    )
}

fn run(s: &mut State, actions: &[Action]) -> Vec<Effect> {
    let mut out = Vec::new();
    for a in actions {
        out.extend(update(s, a.clone()));
    }
    out
}

#[test]
fn detail_scrolls_to_the_bottom_and_stops_there() {
    let mut s = state();
    run(
        &mut s,
        &[
            Action::MoveDown,
            Action::MoveDown,
            Action::MoveDown,
            Action::Open,
        ],
    );
    assert!(matches!(
        s.screen(),
        Some(Screen::Detail {
            number: 14,
            scroll: 0
        })
    ));
    run(&mut s, &[Action::MoveDown]);
    assert!(
        matches!(
            s.screen(),
            Some(Screen::Detail {
                number: 14,
                scroll: 1
            })
        ),
        "{:?}",
        s.screen()
    );
}

#[test]
fn detail_scrolls_with_a_real_ledger_and_key_events() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().expect("tmp");
    let ledger = ui_fixture::ledger(dir.path());
    let opts = duban::ui::UiOptions {
        keymap: None,
        ascii: false,
        mouse: false,
        startup_message: None,
    };
    let mut s = duban::ui::initial_state(&ledger, &opts, None).expect("state");
    s.size = (80, 24);
    for c in ['j', 'j', 'j'] {
        let a = duban::ui::event::event_action(
            &s,
            Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            false,
        )
        .expect("action");
        duban::ui::effects::dispatch(&mut s, &ledger, a);
    }
    let a = duban::ui::event::event_action(
        &s,
        Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        false,
    )
    .expect("action");
    duban::ui::effects::dispatch(&mut s, &ledger, a);
    let a = duban::ui::event::event_action(
        &s,
        Event::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
        false,
    )
    .expect("action");
    duban::ui::effects::dispatch(&mut s, &ledger, a);
    assert!(
        matches!(
            s.screen(),
            Some(Screen::Detail {
                number: 14,
                scroll: 1
            })
        ),
        "{:?}",
        s.screen()
    );
}
