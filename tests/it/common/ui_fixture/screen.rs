//! Drawing the UI on ratatui's `TestBackend` and reading the screen back as text, for
//! snapshots and screen assertions.

use duban::ui::app::State;
use duban::ui::view;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

/// One frame of `s` at `w`×`h`, with the cursor where the view puts it.
pub fn draw(s: &State, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| {
        let area = f.area();
        if let Some(p) = view::render(s, area, f.buffer_mut()) {
            f.set_cursor_position(p);
        }
    })
    .expect("draw");
    t
}

/// The screen as plain lines: each wide glyph once (its hidden second cell skipped), each
/// line ended by `|` so trailing blanks show in snapshots.
pub fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            skip = duban::ui::text::width(sym).saturating_sub(1);
        }
        out.push_str("|\n");
    }
    out
}
