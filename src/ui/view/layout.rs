//! Where each part of a screen goes, shared by the views (to draw) and by `update` (to know
//! how many rows a page is). Parts give way from the least needed as the terminal shrinks.

use ratatui::layout::Rect;

/// A list screen: title (tabs), column header, body rows, status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListLayout {
    pub title: Rect,
    pub header: Rect,
    pub body: Rect,
    pub status: Rect,
}

/// A scrolling text screen (task detail, help): title, body, status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLayout {
    pub title: Rect,
    pub body: Rect,
    pub status: Rect,
}

fn rows(area: Rect, y: u16, h: u16) -> Rect {
    Rect::new(area.x, area.y.saturating_add(y), area.width, h)
}

pub fn list(area: Rect) -> ListLayout {
    let (title, header, status) = match area.height {
        0 | 1 => (0, 0, 0),
        2 => (0, 0, 1),
        3 => (1, 0, 1),
        4 | 5 => (1, 1, 1),
        _ => (2, 1, 1),
    };
    let body = area.height - title - header - status;
    ListLayout {
        title: rows(area, 0, title),
        header: rows(area, title, header),
        body: rows(area, title + header, body),
        status: rows(area, title + header + body, status),
    }
}

pub fn text(area: Rect) -> TextLayout {
    let (title, status) = match area.height {
        0 | 1 => (0, 0),
        2 => (0, 1),
        _ => (1, 1),
    };
    let body = area.height - title - status;
    TextLayout {
        title: rows(area, 0, title),
        body: rows(area, title, body),
        status: rows(area, title + body, status),
    }
}

/// Rows of a list body at this terminal size (columns, rows).
pub fn list_rows(size: (u16, u16)) -> usize {
    list(Rect::new(0, 0, size.0, size.1)).body.height as usize
}

/// Rows of a detail or help body at this terminal size.
pub fn detail_rows(size: (u16, u16)) -> usize {
    text(Rect::new(0, 0, size.0, size.1)).body.height as usize
}

/// The import preview: title, one line about the file, the column header, the scrolling
/// body (rows, then the lines not placed), status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLayout {
    pub title: Rect,
    pub info: Rect,
    pub header: Rect,
    pub body: Rect,
    pub status: Rect,
}

pub fn import(area: Rect) -> ImportLayout {
    let t = text(area);
    let b = t.body;
    // The body keeps at least one line; the file line goes before the column header.
    let (info, header) = match b.height {
        0 | 1 => (0, 0),
        2 => (1, 0),
        _ => (1, 1),
    };
    ImportLayout {
        title: t.title,
        info: rows(b, 0, info),
        header: rows(b, info, header),
        body: rows(b, info + header, b.height - info - header),
        status: t.status,
    }
}

/// Lines of the import preview's body at this terminal size.
pub fn import_rows(size: (u16, u16)) -> usize {
    import(Rect::new(0, 0, size.0, size.1)).body.height as usize
}
