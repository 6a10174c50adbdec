//! How things look: colours (or none, for `NO_COLOR` and monochrome terminals) and glyphs
//! (or ASCII stand-ins, for terminals that draw box and ambiguous-width characters double-wide).
//! Colour is never the only signal: status also has a glyph and a label, selection a marker
//! and reverse video.

use crate::model::{Light, Status};
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Colours are drawn (false under `NO_COLOR`).
    pub color: bool,
    /// Only ASCII in borders, markers, arrows and status glyphs.
    pub ascii: bool,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme {
            color: true,
            ascii: false,
        }
    }
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (https://no-color.org).
    pub fn from_env(ascii: bool) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme {
            color: !no_color,
            ascii,
        }
    }

    pub fn mono(ascii: bool) -> Theme {
        Theme {
            color: false,
            ascii,
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// The style of a status light: its colour, and bold for red so that it stands out in
    /// monochrome too.
    pub fn light(&self, light: Light) -> Style {
        match light {
            Light::Grey => self.fg(Color::DarkGray),
            Light::Green => self.fg(Color::Green),
            Light::Yellow => self.fg(Color::Yellow),
            Light::Red => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Light::Blue => self.fg(Color::Cyan),
        }
    }

    pub fn status(&self, status: Status) -> Style {
        self.light(status.light())
    }

    pub fn glyph(&self, status: Status) -> &'static str {
        if self.ascii {
            status.ascii_glyph()
        } else {
            status.glyph()
        }
    }

    /// The selected row's marker.
    pub fn marker(&self) -> &'static str {
        if self.ascii {
            ">"
        } else {
            "▶"
        }
    }

    /// Selection: reverse video (kept by terminals under `NO_COLOR`) plus bold.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// Characters a search matched: bold and underlined (visible without colour and on the
    /// reverse-video selection), yellow when colours are on.
    pub fn matched(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
        if self.color {
            s.fg(Color::Yellow)
        } else {
            s
        }
    }

    /// Headings and section titles.
    pub fn heading(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    /// Secondary text (column headers, hints, times).
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    /// A sentence the latest period added (its line also starts with `+`).
    pub fn added(&self) -> Style {
        self.fg(Color::Green)
    }

    /// A sentence the latest period dropped (its line also starts with `-`).
    pub fn removed(&self) -> Style {
        self.fg(Color::Red)
    }

    /// A figure whose value changed between two periods: reverse video and bold, so it
    /// shows without colour too.
    pub fn changed(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn separator(&self) -> &'static str {
        if self.ascii {
            "|"
        } else {
            "│"
        }
    }

    pub fn rule(&self) -> char {
        if self.ascii {
            '-'
        } else {
            '─'
        }
    }

    pub fn ellipsis(&self) -> &'static str {
        if self.ascii {
            "~"
        } else {
            "…"
        }
    }

    pub fn arrow(&self) -> &'static str {
        if self.ascii {
            "->"
        } else {
            "→"
        }
    }
}
