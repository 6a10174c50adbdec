//! Keymaps as data: every shipped file parses, the default has PRODUCT.md's keys, a user file
//! lists only changes and can unbind, a broken file is reported and the defaults are used, and
//! the help screen follows the keys actually loaded.

use crossterm::event::KeyCode;
use duban::ui::action::Action;
use duban::ui::keymap::{parse_patch, Key, Keymap, Mode, PRESETS};

fn key(spec: &str) -> Key {
    Key::parse(spec).expect(spec)
}

#[test]
fn every_shipped_keymap_parses() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/keymaps");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("keymaps dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        if let Err(e) = parse_patch(&text) {
            panic!("{} does not parse: {e:?}", path.display());
        }
        seen += 1;
    }
    assert!(seen >= 3, "default, vim and emacs are shipped");
    for (name, text) in PRESETS {
        assert!(parse_patch(text).is_ok(), "built-in {name}");
        let (_, problems) = Keymap::load(Some(name), None);
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}

#[test]
fn default_keymap_has_the_product_keys() {
    let k = Keymap::builtin();
    let want = [
        ("j", Action::MoveDown),
        ("Down", Action::MoveDown),
        ("k", Action::MoveUp),
        ("Up", Action::MoveUp),
        ("g", Action::Top),
        ("G", Action::Bottom),
        ("PgDn", Action::PageDown),
        ("PgUp", Action::PageUp),
        ("Tab", Action::NextTab),
        ("Shift-Tab", Action::PrevTab),
        ("Enter", Action::Open),
        ("Esc", Action::Back),
        ("/", Action::Search),
        ("s", Action::CycleStatus),
        ("S", Action::CycleStatusBack),
        ("1", Action::SetNotStarted),
        ("2", Action::SetOnTrack),
        ("3", Action::SetBehind),
        ("4", Action::SetSeriouslyBehind),
        ("5", Action::SetDone),
        ("n", Action::AddNote),
        ("u", Action::Undo),
        ("U", Action::Units),
        ("?", Action::Help),
        ("q", Action::Close),
    ];
    for (spec, action) in want {
        assert_eq!(
            k.action(Mode::List, key(spec)),
            Some(action.clone()),
            "{spec}"
        );
        assert_eq!(
            k.action(Mode::Detail, key(spec)),
            Some(action),
            "{spec} in detail"
        );
    }
    // In the input line, letters are text, not commands.
    assert_eq!(k.action(Mode::Input, key("q")), None);
    assert_eq!(k.action(Mode::Input, key("Enter")), Some(Action::Submit));
    assert_eq!(k.action(Mode::Input, key("Esc")), Some(Action::Cancel));
}

#[test]
fn presets_add_their_habits() {
    let (vim, _) = Keymap::load(Some("vim"), None);
    assert_eq!(vim.action(Mode::List, key("l")), Some(Action::Open));
    assert_eq!(
        vim.action(Mode::List, key("Ctrl-d")),
        Some(Action::PageDown)
    );
    assert_eq!(
        vim.action(Mode::List, key("j")),
        Some(Action::MoveDown),
        "still a patch over default"
    );
    let (emacs, _) = Keymap::load(Some("emacs"), None);
    assert_eq!(
        emacs.action(Mode::List, key("Ctrl-n")),
        Some(Action::MoveDown)
    );
    assert_eq!(emacs.action(Mode::List, key("Alt->")), Some(Action::Bottom));
    assert_eq!(
        emacs.action(Mode::Input, key("Ctrl-a")),
        Some(Action::CursorHome)
    );
    assert_eq!(
        emacs.action(Mode::Input, key("Ctrl-k")),
        Some(Action::KillToEnd)
    );
    assert!(emacs.source.contains("emacs"));
}

#[test]
fn a_user_file_lists_only_changes_and_can_unbind() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("keymap.toml");
    std::fs::write(
        &file,
        "[global]\n\"q\" = \"unbind\"\n\"x\" = \"quit\"\n\n[detail]\n\"Space\" = \"page_down\"\n",
    )
    .expect("write");
    let (k, problems) = Keymap::load(None, Some(&file));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(k.action(Mode::List, key("q")), None);
    assert_eq!(k.action(Mode::List, key("x")), Some(Action::Quit));
    assert_eq!(k.action(Mode::Detail, key("Space")), Some(Action::PageDown));
    assert_eq!(k.action(Mode::List, key("Space")), None);
    assert_eq!(
        k.action(Mode::List, key("j")),
        Some(Action::MoveDown),
        "untouched keys stay"
    );
    assert!(k.source.ends_with("keymap.toml"));
    assert_eq!(k.hint(Mode::List, &Action::Quit), Some("x".into()));
}

#[test]
fn a_broken_user_file_is_reported_and_the_defaults_are_used() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("keymap.toml");
    std::fs::write(
        &file,
        "[global]\n\"q\" = \"unbind\"\n\"j\" = \"mvoe_down\"\n[lsit]\n\"k\" = \"move_up\"\n",
    )
    .expect("write");
    let (k, problems) = Keymap::load(None, Some(&file));
    assert_eq!(problems.len(), 1);
    let p = &problems[0];
    assert!(p.contains("mvoe_down") && p.contains("[lsit]"), "{p}");
    assert_eq!(
        k.action(Mode::List, key("q")),
        Some(Action::Close),
        "nothing of the broken file applies"
    );
    std::fs::write(&file, "this is not toml = = =").expect("write");
    let (_, problems) = Keymap::load(None, Some(&file));
    assert_eq!(problems.len(), 1, "{problems:?}");
    std::fs::write(&file, [0xff, 0xfe, 0x00]).expect("write");
    let (k, problems) = Keymap::load(Some("vim"), Some(&file));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        k.action(Mode::List, key("l")),
        Some(Action::Open),
        "the preset still applies"
    );
}

#[test]
fn an_unknown_keymap_name_is_reported() {
    let (k, problems) = Keymap::load(Some("vi"), None);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("vi") && problems[0].contains("default、vim、emacs"),
        "{problems:?}"
    );
    assert_eq!(k.action(Mode::List, key("j")), Some(Action::MoveDown));
}

#[test]
fn keys_normalise_like_the_terminal_reports_them() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    let shift_s = KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT);
    assert_eq!(Key::from_event(&shift_s), key("S"));
    let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(Key::from_event(&backtab), key("Shift-Tab"));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(Key::from_event(&ctrl_c), key("Ctrl-c"));
    let alt_gt = KeyEvent::new(KeyCode::Char('>'), KeyModifiers::ALT | KeyModifiers::SHIFT);
    assert_eq!(Key::from_event(&alt_gt), key("Alt->"));
    assert_eq!(key("M-<"), key("Alt-<"));
}

#[test]
fn help_is_generated_from_the_loaded_keymap() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("keymap.toml");
    std::fs::write(&file, "[global]\n\"F2\" = \"units\"\n\"U\" = \"unbind\"\n").expect("write");
    let (k, _) = Keymap::load(None, Some(&file));
    let theme = duban::ui::theme::Theme::mono(false);
    let text: String = duban::ui::view::help::lines(&k, 100, &theme)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    let units_line = text
        .lines()
        .find(|l| l.contains("单位视图"))
        .expect("units line");
    assert!(
        units_line.contains("F2") && !units_line.contains(" U "),
        "{units_line}"
    );
    assert!(text.contains("当前键位：default + "), "{text}");
}
