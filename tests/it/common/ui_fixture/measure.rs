//! Measuring what the UI costs over a slow link: bytes written to the terminal per frame, with
//! our backend and with ratatui's stock crossterm backend, both over an in-memory writer.

use duban::ui::app::State;
use duban::ui::backend::SshBackend;
use duban::ui::view;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A writer whose bytes can be read while the terminal owns it.
#[derive(Clone, Default)]
pub struct Sink(pub Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("sink").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Sink {
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().expect("sink"))
    }
}

pub struct Ssh {
    pub term: Terminal<SshBackend<Sink>>,
    pub sink: Sink,
}

impl Ssh {
    pub fn new(width: u16, height: u16, color: bool) -> Ssh {
        let sink = Sink::default();
        let term = Terminal::new(SshBackend::with_size(sink.clone(), color, width, height))
            .expect("terminal");
        Ssh { term, sink }
    }

    /// Draws a frame as the app does; returns the bytes written.
    pub fn frame(&mut self, state: &State) -> Vec<u8> {
        self.sink.take();
        duban::ui::event::draw(&mut self.term, state).expect("draw");
        self.sink.take()
    }
}

pub struct Stock {
    pub term: Terminal<CrosstermBackend<Sink>>,
    pub sink: Sink,
}

impl Stock {
    pub fn new(width: u16, height: u16) -> Stock {
        let sink = Sink::default();
        let term = Terminal::with_options(
            CrosstermBackend::new(sink.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
            },
        )
        .expect("terminal");
        Stock { term, sink }
    }

    pub fn frame(&mut self, state: &State) -> Vec<u8> {
        self.sink.take();
        self.term
            .draw(|f| {
                let area = f.area();
                if let Some(p) = view::render(state, area, f.buffer_mut()) {
                    f.set_cursor_position(p);
                }
            })
            .expect("draw");
        self.sink.take()
    }
}
