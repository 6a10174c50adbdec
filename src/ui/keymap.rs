//! Keymaps as data: `keymaps/default.toml` is built into the binary; `vim`, `emacs`, a
//! `--keymap PATH` file and the user's `keymap.toml` in the config directory are patches over
//! it that list only changes ("unbind" removes a key). A broken file never stops start-up: it
//! is skipped and reported in the status bar.

use crate::lang::t;
use crate::ui::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub const DEFAULT_TOML: &str = include_str!("../../keymaps/default.toml");
pub const VIM_TOML: &str = include_str!("../../keymaps/vim.toml");
pub const EMACS_TOML: &str = include_str!("../../keymaps/emacs.toml");

/// The shipped keymaps by name, for `--keymap NAME`.
pub const PRESETS: [(&str, &str); 3] = [
    ("default", DEFAULT_TOML),
    ("vim", VIM_TOML),
    ("emacs", EMACS_TOML),
];

/// The file name of the user's patch inside the config directory.
pub const USER_FILE: &str = "keymap.toml";

/// Which keys are live: one mode per kind of screen, plus the one-line input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    List,
    Detail,
    Units,
    Help,
    Input,
    /// The preview of a report file before it is imported.
    Import,
    /// Review mode: one task of the latest period at a time, one key judges it.
    Review,
}

impl Mode {
    pub const ALL: [Mode; 7] = [
        Mode::List,
        Mode::Detail,
        Mode::Review,
        Mode::Units,
        Mode::Help,
        Mode::Input,
        Mode::Import,
    ];

    pub fn section(self) -> &'static str {
        match self {
            Mode::List => "list",
            Mode::Detail => "detail",
            Mode::Units => "units",
            Mode::Help => "help",
            Mode::Input => "input",
            Mode::Import => "import",
            Mode::Review => "review",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Mode::List => t("任务列表", "Task list (任务列表)"),
            Mode::Detail => t("任务详情", "Task detail (任务详情)"),
            Mode::Units => t("责任单位", "Units view (责任单位)"),
            Mode::Help => t("帮助", "Help"),
            Mode::Input => t(
                "输入行（备注、搜索、文件路径）",
                "Note, search and file path input (备注/搜索/文件)",
            ),
            Mode::Import => t("导入预览", "Import preview (导入预览)"),
            Mode::Review => t("复核", "Review (复核)"),
        }
    }
}

/// A section of a keymap file: `[global]` applies in every mode except the input line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Section {
    Global,
    Mode(Mode),
}

impl Section {
    fn parse(name: &str) -> Option<Section> {
        match name {
            "global" | "keys" => Some(Section::Global),
            _ => Mode::ALL
                .into_iter()
                .find(|m| m.section() == name)
                .map(Section::Mode),
        }
    }
}

/// A key with its modifiers, normalised so that a file's `"S"` matches the terminal's
/// Shift+s and `"Shift-Tab"` matches BackTab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let mut code = code;
        match code {
            KeyCode::Char(c) => {
                if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_lowercase() {
                    code = KeyCode::Char(c.to_ascii_uppercase());
                }
                if mods.contains(KeyModifiers::CONTROL) && c.is_ascii_uppercase() {
                    code = KeyCode::Char(c.to_ascii_lowercase());
                }
                mods.remove(KeyModifiers::SHIFT);
            }
            KeyCode::BackTab => mods.remove(KeyModifiers::SHIFT),
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                code = KeyCode::BackTab;
                mods.remove(KeyModifiers::SHIFT);
            }
            _ => {}
        }
        Key { code, mods }
    }

    pub fn plain(code: KeyCode) -> Key {
        Key::new(code, KeyModifiers::NONE)
    }

    pub fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub fn ctrl(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    pub fn from_event(ev: &KeyEvent) -> Key {
        Key::new(ev.code, ev.modifiers)
    }

    /// Parses a keymap file's key: `j`, `G`, `?`, `Enter`, `Shift-Tab`, `Ctrl-c`, `Alt-v`,
    /// `C-n`, `M-<`, `PageDown`, `F1`, `Space`.
    pub fn parse(spec: &str) -> Result<Key, String> {
        if spec.chars().count() == 1 {
            let c = spec.chars().next().unwrap_or(' ');
            return Ok(Key::char(c));
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = spec;
        loop {
            let lower = rest.to_ascii_lowercase();
            let found = [
                ("ctrl-", KeyModifiers::CONTROL),
                ("control-", KeyModifiers::CONTROL),
                ("c-", KeyModifiers::CONTROL),
                ("alt-", KeyModifiers::ALT),
                ("meta-", KeyModifiers::ALT),
                ("m-", KeyModifiers::ALT),
                ("shift-", KeyModifiers::SHIFT),
                ("s-", KeyModifiers::SHIFT),
            ]
            .into_iter()
            .find(|(p, _)| lower.starts_with(p) && rest.len() > p.len());
            match found {
                Some((p, m)) => {
                    mods |= m;
                    rest = &rest[p.len()..];
                }
                None => break,
            }
        }
        let code = if rest.chars().count() == 1 {
            KeyCode::Char(rest.chars().next().unwrap_or(' '))
        } else {
            match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "ret" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" | "bs" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "space" => KeyCode::Char(' '),
                f if f.starts_with('f') && f.len() <= 3 => match f[1..].parse::<u8>() {
                    Ok(n @ 1..=12) => KeyCode::F(n),
                    _ => return Err(crate::tr!("不认识的键“{spec}”", "unknown key '{spec}'")),
                },
                _ => {
                    return Err(crate::tr!(
                        "不认识的键“{spec}”（可写 j、G、Enter、Esc、Tab、Shift-Tab、Ctrl-c、Alt-v、PageDown、F1、Space）",
                        "unknown key '{spec}' (try j, G, Enter, Esc, Tab, Shift-Tab, Ctrl-c, Alt-v, PageDown, F1, Space)"
                    ))
                }
            }
        };
        Ok(Key::new(code, mods))
    }

    /// A short order for listing: plain characters first, then named keys, then modified ones.
    fn rank(&self) -> (u8, String) {
        let group = match (self.mods.is_empty(), self.code) {
            (true, KeyCode::Char(_)) => 0,
            (true, _) => 1,
            (false, _) => 2,
        };
        (group, self.to_string())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One parsed keymap file: (section, key, action) in file order.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    entries: Vec<(Section, Key, Action)>,
}

/// Parses a keymap file. Every problem is listed (with the section and key), so a user can fix
/// them all at once.
pub fn parse_patch(text: &str) -> Result<Patch, Vec<String>> {
    let table: toml::Table =
        toml::from_str(text).map_err(|e| vec![e.to_string().trim().replace('\n', " ")])?;
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for (section_name, value) in &table {
        let Some(section) = Section::parse(section_name) else {
            errors.push(crate::tr!(
                "不认识的段 [{section_name}]（可用 [global]、[list]、[detail]、[units]、[help]、[import]、[input]）",
                "unknown section [{section_name}] (use [global], [list], [detail], [units], [help], [import] or [input])"
            ));
            continue;
        };
        let Some(keys) = value.as_table() else {
            errors.push(crate::tr!(
                "“{section_name}”应写成段，如 [{section_name}]",
                "'{section_name}' must be a section like [{section_name}]"
            ));
            continue;
        };
        for (key_spec, action) in keys {
            let key = match Key::parse(key_spec) {
                Ok(k) => k,
                Err(e) => {
                    errors.push(format!("[{section_name}] {e}"));
                    continue;
                }
            };
            let Some(name) = action.as_str() else {
                errors.push(crate::tr!(
                    "[{section_name}] \"{key_spec}\"：动作须是带引号的名称，如 \"move_down\"",
                    "[{section_name}] \"{key_spec}\": the action must be a quoted name like \"move_down\""
                ));
                continue;
            };
            match Action::from_name(name) {
                Some(a) => entries.push((section, key, a)),
                None => errors.push(crate::tr!(
                    "[{section_name}] \"{key_spec}\" = \"{name}\"：不认识的动作（帮助页 ? 列出全部动作；\"unbind\" 解除一个键）",
                    "[{section_name}] \"{key_spec}\" = \"{name}\": unknown action (the help screen, ?, lists them; \"unbind\" removes a key)"
                )),
            }
        }
    }
    if errors.is_empty() {
        Ok(Patch { entries })
    } else {
        Err(errors)
    }
}

/// The keys in force.
#[derive(Debug, Clone)]
pub struct Keymap {
    /// Where the keys came from, for the help screen (`default + vim + ~/.config/duban/keymap.toml`).
    pub source: String,
    /// What could not be loaded (shown in the status bar at start and on the help screen).
    pub problems: Vec<String>,
    sections: HashMap<Section, HashMap<Key, Action>>,
    /// `effective` per mode, recomputed after each patch (hints and help read it every frame).
    live: HashMap<Mode, Vec<(Key, Action)>>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap::builtin()
    }
}

impl Keymap {
    /// The keys of `keymaps/default.toml`, as built into the binary.
    pub fn builtin() -> Keymap {
        let mut k = Keymap {
            source: "default".into(),
            problems: Vec::new(),
            sections: HashMap::new(),
            live: HashMap::new(),
        };
        // The shipped file is parsed in a test; should it ever fail, the UI still starts with
        // no keys but Ctrl-C, rather than not at all.
        if let Ok(p) = parse_patch(DEFAULT_TOML) {
            k.apply(&p);
        }
        k
    }

    pub fn apply(&mut self, patch: &Patch) {
        for (section, key, action) in &patch.entries {
            self.sections
                .entry(*section)
                .or_default()
                .insert(*key, action.clone());
        }
        self.live = Mode::ALL
            .into_iter()
            .map(|m| (m, self.compute_live(m)))
            .collect();
    }

    /// The action a key does in a mode: the mode's own section first, then `[global]`
    /// (except in the input line, where unbound printable keys are text).
    pub fn action(&self, mode: Mode, key: Key) -> Option<Action> {
        let own = self
            .sections
            .get(&Section::Mode(mode))
            .and_then(|m| m.get(&key));
        let found = match own {
            Some(a) => Some(a),
            None if mode != Mode::Input => self
                .sections
                .get(&Section::Global)
                .and_then(|m| m.get(&key)),
            None => None,
        };
        found.filter(|a| **a != Action::NoOp).cloned()
    }

    /// Every live (key, action) of a mode, keys in listing order (plain characters first).
    pub fn effective(&self, mode: Mode) -> &[(Key, Action)] {
        self.live.get(&mode).map(Vec::as_slice).unwrap_or(&[])
    }

    fn compute_live(&self, mode: Mode) -> Vec<(Key, Action)> {
        let mut candidates: Vec<Key> = Vec::new();
        for section in [Section::Mode(mode), Section::Global] {
            if let Some(m) = self.sections.get(&section) {
                candidates.extend(m.keys().copied());
            }
        }
        candidates.sort_by_cached_key(Key::rank);
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|k| self.action(mode, k).map(|a| (k, a)))
            .collect()
    }

    /// Every key that does `action` in `mode`, best first.
    pub fn keys(&self, mode: Mode, action: &Action) -> Vec<Key> {
        self.effective(mode)
            .iter()
            .filter(|(_, a)| a == action)
            .map(|(k, _)| *k)
            .collect()
    }

    /// The first key for an action, as text (for hints), or None when it is unbound.
    pub fn hint(&self, mode: Mode, action: &Action) -> Option<String> {
        self.keys(mode, action).first().map(Key::to_string)
    }

    /// What the help screen lists for a mode: each bound action with its keys.
    pub fn bindings(&self, mode: Mode) -> Vec<(Action, Vec<Key>)> {
        let live = self.effective(mode);
        Action::BINDABLE
            .iter()
            .filter(|a| **a != Action::NoOp)
            .map(|a| {
                let keys: Vec<Key> = live
                    .iter()
                    .filter(|(_, b)| b == a)
                    .map(|(k, _)| *k)
                    .collect();
                (a.clone(), keys)
            })
            .filter(|(_, keys)| !keys.is_empty())
            .collect()
    }

    /// Loads the keys for `--keymap` (a preset name or a file) and then the user's patch file,
    /// if it exists. Returns the keymap and the problems to show in the status bar.
    pub fn load(choice: Option<&str>, user_file: Option<&Path>) -> (Keymap, Vec<String>) {
        let mut keymap = Keymap::builtin();
        let mut problems = Vec::new();
        let mut sources = vec!["default".to_string()];
        match choice.map(str::trim).filter(|c| !c.is_empty()) {
            None | Some("default") => {}
            Some(name) => {
                if let Some((_, text)) = PRESETS.iter().find(|(n, _)| *n == name) {
                    match parse_patch(text) {
                        Ok(p) => {
                            keymap.apply(&p);
                            sources.push(name.to_string());
                        }
                        Err(e) => problems.push(crate::tr!(
                            "键位 {name} 未使用，按默认键位：{}",
                            "keymap {name} not used, default keys in force: {}",
                            e.join("; ")
                        )),
                    }
                } else {
                    let path = PathBuf::from(name);
                    match read_patch(&path) {
                        Ok(p) => {
                            keymap.apply(&p);
                            sources.push(path.display().to_string());
                        }
                        Err(e) => problems.push(crate::tr!(
                            "键位文件未使用，按默认键位（内置：default、vim、emacs）：{e}",
                            "keymap not used, default keys in force (built-in: default, vim, emacs): {e}"
                        )),
                    }
                }
            }
        }
        if let Some(path) = user_file.filter(|p| p.exists()) {
            match read_patch(path) {
                Ok(p) => {
                    keymap.apply(&p);
                    sources.push(path.display().to_string());
                }
                Err(e) => problems.push(crate::tr!(
                    "你的键位文件未使用：{e}",
                    "your keymap file is not used: {e}"
                )),
            }
        }
        keymap.source = sources.join(" + ");
        keymap.problems = problems.clone();
        (keymap, problems)
    }
}

/// The user's keymap patch: `keymap.toml` in the platform config directory.
pub fn user_file() -> Option<PathBuf> {
    crate::paths::config_dir().map(|d| d.join(USER_FILE))
}

fn read_patch(path: &Path) -> Result<Patch, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        crate::tr!(
            "{}：读不了（{e}）",
            "{}: cannot read it ({e})",
            path.display()
        )
    })?;
    parse_patch(&text).map_err(|errs| {
        crate::tr!(
            "{}：{}",
            "{}: {}",
            path.display(),
            errs.join(crate::lang::t("；", "; "))
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_print_back() {
        for spec in [
            "j",
            "G",
            "?",
            "Enter",
            "Esc",
            "Shift-Tab",
            "Ctrl-c",
            "Alt-v",
            "PgDn",
            "F1",
            "Space",
            "/",
        ] {
            let k = Key::parse(spec).expect(spec);
            assert_eq!(Key::parse(&k.to_string()), Ok(k), "{spec}");
        }
        assert_eq!(Key::parse("S-Tab"), Ok(Key::plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("C-n"), Ok(Key::ctrl('n')));
        assert_eq!(Key::parse("Shift-s"), Ok(Key::char('S')));
        assert!(Key::parse("Ctl-x").is_err());
    }

    #[test]
    fn terminal_shift_letters_match_the_file() {
        let ev = KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Key::char('S'));
        let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Key::plain(KeyCode::BackTab));
    }
}
