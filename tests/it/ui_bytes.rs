//! Bytes written to the terminal per frame on the sample's 116 Chinese tasks at 80×24: the
//! selection moving one row must cost under 400 bytes (research/tech-risks.md §7 measured 731
//! with a plain List). Prints every figure with `--nocapture`; `cargo bench --bench ui` prints
//! them too, with the start-up time.

use crate::common::ui_fixture;

use duban::search::Index;
use duban::server::session::Session;
use duban::ui::action::Action;
use duban::ui::effects::dispatch;
use duban::ui::UiOptions;
use ui_fixture::measure::{Ssh, Stock};

fn options() -> UiOptions {
    UiOptions {
        keymap: None,
        ascii: false,
        mouse: false,
        startup_message: None,
    }
}

#[test]
fn one_row_move_costs_under_400_bytes() {
    let dir = tempfile::tempdir().expect("tmp");
    let ledger = Session::Local(ui_fixture::sample_ledger(dir.path()));
    for color in [true, false] {
        let mut state = duban::ui::initial_state(&ledger, &options(), None).expect("state");
        state.theme.color = color;
        state.size = (80, 24);
        // The start-up message (the review's offer) goes with the first key; a move alone
        // is measured.
        state.message = None;
        let mut index = Index::build(&state.full_tasks());
        let mut ssh = Ssh::new(80, 24, color);
        let mut stock = Stock::new(80, 24);
        let first = (ssh.frame(&state).len(), stock.frame(&state).len());
        dispatch(&mut state, &ledger, &mut index, Action::MoveDown);
        let one = (ssh.frame(&state).len(), stock.frame(&state).len());
        dispatch(&mut state, &ledger, &mut index, Action::PageDown);
        let page = (ssh.frame(&state).len(), stock.frame(&state).len());
        // Move down until the list scrolls by one line.
        let offset = state.offset;
        let line = loop {
            dispatch(&mut state, &ledger, &mut index, Action::MoveDown);
            let bytes = (ssh.frame(&state).len(), stock.frame(&state).len());
            if state.offset != offset {
                break bytes;
            }
        };
        println!(
            "80x24 sample, colour {color}: bytes (ours / stock crossterm): first frame {} / {}, one-row move {} / {}, page down {} / {}, scroll one line {} / {}",
            first.0, first.1, one.0, one.1, page.0, page.1, line.0, line.1
        );
        assert!(one.0 < 400, "one-row move wrote {} bytes", one.0);
    }
}

#[test]
fn a_frame_with_nothing_changed_writes_only_the_frame_marks() {
    let dir = tempfile::tempdir().expect("tmp");
    let ledger = Session::Local(ui_fixture::sample_ledger(dir.path()));
    let mut state = duban::ui::initial_state(&ledger, &options(), None).expect("state");
    state.size = (80, 24);
    let mut ssh = Ssh::new(80, 24, true);
    ssh.frame(&state);
    let again = ssh.frame(&state);
    assert_eq!(again, b"\x1b[?2026h\x1b[?2026l");
}
