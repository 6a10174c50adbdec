//! A ratatui backend for slow links: it writes the same escape sequences as the crossterm
//! backend, but fewer of them. It knows where the terminal's cursor is after a wide glyph (so it
//! does not move the cursor before every character that follows a Chinese one, which is most of
//! the bytes of a CJK frame: research/tech-risks.md §7), merges style changes into one SGR
//! sequence, never sends colours when colour is off (crossterm's NO_COLOR handling turns a colour
//! change into `ESC[m`, which also cancels reverse video), brackets each frame in synchronized-
//! update marks, and sends each frame in one write. It never queries the terminal.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

pub struct SshBackend<W: Write> {
    out: W,
    /// Bytes of the frame being built; written to `out` in one go at the end of the frame.
    pending: Vec<u8>,
    /// Colours are sent at all.
    color: bool,
    /// Where the terminal's cursor is, when we know.
    cursor: Option<(u16, u16)>,
    cursor_visible: Option<bool>,
    /// The SGR state the terminal is in.
    fg: Color,
    bg: Color,
    modifier: Modifier,
    in_frame: bool,
    /// A fixed size (tests, benchmarks); otherwise the terminal's size from the kernel.
    fixed_size: Option<Size>,
    /// Bytes handed to `out` so far.
    pub written: usize,
}

impl<W: Write> SshBackend<W> {
    pub fn new(out: W, color: bool) -> SshBackend<W> {
        SshBackend {
            out,
            pending: Vec::with_capacity(16 * 1024),
            color,
            cursor: None,
            cursor_visible: None,
            fg: Color::Reset,
            bg: Color::Reset,
            modifier: Modifier::empty(),
            in_frame: false,
            fixed_size: None,
            written: 0,
        }
    }

    /// A backend of a fixed size that never asks the kernel (tests and benchmarks).
    pub fn with_size(out: W, color: bool, width: u16, height: u16) -> SshBackend<W> {
        let mut b = SshBackend::new(out, color);
        b.fixed_size = Some(Size { width, height });
        b
    }

    pub fn set_size(&mut self, width: u16, height: u16) {
        self.fixed_size = Some(Size { width, height });
    }

    pub fn writer(&self) -> &W {
        &self.out
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Starts a frame: output is held until `end_frame` and bracketed by synchronized-update
    /// marks, so the terminal shows the frame whole.
    pub fn begin_frame(&mut self) {
        self.pending.extend_from_slice(b"\x1b[?2026h");
        self.in_frame = true;
    }

    pub fn end_frame(&mut self) -> io::Result<()> {
        self.pending.extend_from_slice(b"\x1b[?2026l");
        self.in_frame = false;
        self.send()
    }

    fn send(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.out.write_all(&self.pending)?;
            self.written += self.pending.len();
            self.pending.clear();
        }
        self.out.flush()
    }

    fn move_to(&mut self, x: u16, y: u16) {
        match self.cursor {
            Some((cx, cy)) if cy == y && x > cx && x - cx <= 4 => {
                // Cursor forward: shorter than an absolute move for small gaps.
                let _ = write!(self.pending, "\x1b[{}C", x - cx);
            }
            _ => {
                let _ = write!(self.pending, "\x1b[{};{}H", y as u32 + 1, x as u32 + 1);
            }
        }
        self.cursor = Some((x, y));
    }

    fn color_code(c: Color, background: bool, out: &mut Vec<String>) {
        let base = if background { 40 } else { 30 };
        let bright = if background { 100 } else { 90 };
        let s = match c {
            Color::Reset => (base + 9).to_string(),
            Color::Black => base.to_string(),
            Color::Red => (base + 1).to_string(),
            Color::Green => (base + 2).to_string(),
            Color::Yellow => (base + 3).to_string(),
            Color::Blue => (base + 4).to_string(),
            Color::Magenta => (base + 5).to_string(),
            Color::Cyan => (base + 6).to_string(),
            Color::Gray => (base + 7).to_string(),
            Color::DarkGray => bright.to_string(),
            Color::LightRed => (bright + 1).to_string(),
            Color::LightGreen => (bright + 2).to_string(),
            Color::LightYellow => (bright + 3).to_string(),
            Color::LightBlue => (bright + 4).to_string(),
            Color::LightMagenta => (bright + 5).to_string(),
            Color::LightCyan => (bright + 6).to_string(),
            Color::White => (bright + 7).to_string(),
            Color::Indexed(i) => format!("{};5;{i}", base + 8),
            Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", base + 8),
        };
        out.push(s);
    }

    fn modifier_codes(m: Modifier, out: &mut Vec<String>) {
        for (flag, code) in [
            (Modifier::BOLD, "1"),
            (Modifier::DIM, "2"),
            (Modifier::ITALIC, "3"),
            (Modifier::UNDERLINED, "4"),
            (Modifier::SLOW_BLINK, "5"),
            (Modifier::RAPID_BLINK, "6"),
            (Modifier::REVERSED, "7"),
            (Modifier::HIDDEN, "8"),
            (Modifier::CROSSED_OUT, "9"),
        ] {
            if m.contains(flag) {
                out.push(code.to_string());
            }
        }
    }

    /// Brings the terminal's SGR state to (fg, bg, modifier) in one sequence.
    fn style_to(&mut self, fg: Color, bg: Color, modifier: Modifier) {
        let (fg, bg) = if self.color {
            (fg, bg)
        } else {
            (Color::Reset, Color::Reset)
        };
        if fg == self.fg && bg == self.bg && modifier == self.modifier {
            return;
        }
        let mut codes = Vec::new();
        if !(self.modifier - modifier).is_empty() {
            // Something to switch off: start from a reset (shorter than per-attribute offs).
            codes.push("0".to_string());
            Self::modifier_codes(modifier, &mut codes);
            if fg != Color::Reset {
                Self::color_code(fg, false, &mut codes);
            }
            if bg != Color::Reset {
                Self::color_code(bg, true, &mut codes);
            }
        } else {
            Self::modifier_codes(modifier - self.modifier, &mut codes);
            if fg != self.fg {
                Self::color_code(fg, false, &mut codes);
            }
            if bg != self.bg {
                Self::color_code(bg, true, &mut codes);
            }
        }
        let _ = write!(self.pending, "\x1b[{}m", codes.join(";"));
        self.fg = fg;
        self.bg = bg;
        self.modifier = modifier;
    }

    fn reset_style(&mut self) {
        self.style_to(Color::Reset, Color::Reset, Modifier::empty());
    }
}

impl<W: Write> Write for SshBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Raw writes (mode switches) may change anything: forget what we knew.
        self.cursor = None;
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.in_frame {
            return Ok(());
        }
        self.send()
    }
}

impl<W: Write> Backend for SshBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        for (x, y, cell) in content {
            if self.cursor != Some((x, y)) {
                self.move_to(x, y);
            }
            self.style_to(cell.fg, cell.bg, cell.modifier);
            let symbol = cell.symbol();
            let (symbol, w) = match symbol.width() {
                0 => (" ", 1),
                w => (symbol, w as u16),
            };
            self.pending.extend_from_slice(symbol.as_bytes());
            self.cursor = Some((x.saturating_add(w), y));
        }
        self.reset_style();
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(false) {
            self.pending.extend_from_slice(b"\x1b[?25l");
            self.cursor_visible = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(true) {
            self.pending.extend_from_slice(b"\x1b[?25h");
            self.cursor_visible = Some(true);
        }
        Ok(())
    }

    /// The cursor position as we last put it: never asked of the terminal (a query over SSH
    /// waits for a round trip, and some terminals never answer).
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        let (x, y) = self.cursor.unwrap_or((0, 0));
        Ok(Position { x, y })
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        if self.cursor != Some((x, y)) {
            let _ = write!(self.pending, "\x1b[{};{}H", y as u32 + 1, x as u32 + 1);
            self.cursor = Some((x, y));
        }
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.reset_style();
        let seq: &[u8] = match clear_type {
            ClearType::All => b"\x1b[2J",
            ClearType::AfterCursor => b"\x1b[J",
            ClearType::BeforeCursor => b"\x1b[1J",
            ClearType::CurrentLine => b"\x1b[2K",
            ClearType::UntilNewLine => b"\x1b[K",
        };
        self.pending.extend_from_slice(seq);
        if !self.in_frame {
            self.send()?;
        }
        Ok(())
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        for _ in 0..n {
            self.pending.push(b'\n');
        }
        self.cursor = None;
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        if let Some(s) = self.fixed_size {
            return Ok(s);
        }
        let (width, height) = crossterm::terminal::size()?;
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let size = self.size()?;
        Ok(WindowSize {
            columns_rows: size,
            pixels: Size {
                width: 0,
                height: 0,
            },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn frame(prev: &Buffer, next: &Buffer) -> Vec<u8> {
        let mut b = SshBackend::with_size(Vec::new(), true, 20, 1);
        b.draw(prev.diff(next).into_iter()).expect("draw");
        b.send().expect("send");
        b.out
    }

    #[test]
    fn no_cursor_move_after_a_wide_glyph() {
        let prev = Buffer::empty(Rect::new(0, 0, 20, 1));
        let mut next = prev.clone();
        next.set_string(0, 0, "中文ab字", Style::new());
        let out = String::from_utf8(frame(&prev, &next)).expect("utf8");
        assert_eq!(out, "\x1b[1;1H中文ab字");
    }

    #[test]
    fn colour_off_never_sends_colour_and_keeps_reverse() {
        let prev = Buffer::empty(Rect::new(0, 0, 20, 1));
        let mut next = prev.clone();
        next.set_string(
            0,
            0,
            "a",
            Style::new().fg(Color::Red).add_modifier(Modifier::REVERSED),
        );
        let mut b = SshBackend::with_size(Vec::new(), false, 20, 1);
        b.draw(prev.diff(&next).into_iter()).expect("draw");
        b.send().expect("send");
        assert_eq!(
            String::from_utf8(b.out).expect("utf8"),
            "\x1b[1;1H\x1b[7ma\x1b[0m"
        );
    }
}
