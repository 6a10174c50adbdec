//! The language of every sentence a person reads: Chinese by default, English with
//! `--lang en` or `DUBAN_LANG=en` (never the locale: servers run in C or en_US whatever their
//! users read). Set once in `main`; ids (`behind`, `ecology`), JSON and numbers never change.
//!
//! A message is written once, both languages side by side, where it is used:
//!
//! ```
//! use duban::{lang::t, tr};
//! let n = 3;
//! let s: String = tr!("已导入 {n} 项任务", "imported {n} tasks"); // format!-style
//! assert_eq!(s, "已导入 3 项任务");
//! let s: &'static str = t("取消输入", "cancel the input"); // a fixed sentence
//! assert_eq!(s, "取消输入");
//! ```
//!
//! `grep -rn 'tr!(\|t("' src` lists the catalogue. Sentences used in several places, and the
//! long ones (the help screen's), live in this module as functions.

use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

static LANG: AtomicU8 = AtomicU8::new(0);

/// The language in force (Chinese until `set` says otherwise).
pub fn get() -> Lang {
    match LANG.load(Ordering::Relaxed) {
        1 => Lang::En,
        _ => Lang::Zh,
    }
}

/// Sets the process's language (in `main`, before anything is printed or parsed).
pub fn set(lang: Lang) {
    LANG.store(
        match lang {
            Lang::Zh => 0,
            Lang::En => 1,
        },
        Ordering::Relaxed,
    );
}

impl Lang {
    /// `zh`, `cn`, `chinese`, `中文` or `en`, `english`, `英文` (any case; `en_US.UTF-8` too).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let head = s.split(['_', '-', '.']).next().unwrap_or("");
        match head {
            "zh" | "cn" | "chinese" | "中文" | "汉语" => Some(Lang::Zh),
            "en" | "english" | "英文" | "英语" => Some(Lang::En),
            _ => None,
        }
    }

    /// From `--lang X` (or `--lang=X`) anywhere in `args`, else `DUBAN_LANG`, else Chinese.
    /// Read before clap parses, so that its help texts are in the right language too.
    pub fn from_args_and_env(args: &[std::ffi::OsString], env: Option<&str>) -> Lang {
        let mut from_args = None;
        let mut it = args.iter().filter_map(|a| a.to_str());
        while let Some(a) = it.next() {
            if a == "--" {
                break;
            }
            if a == "--lang" {
                from_args = it.next().and_then(Lang::parse);
            } else if let Some(v) = a.strip_prefix("--lang=") {
                from_args = Lang::parse(v);
            }
        }
        from_args
            .or_else(|| env.and_then(Lang::parse))
            .unwrap_or(Lang::Zh)
    }
}

/// The sentence in the language in force.
pub fn t(zh: &'static str, en: &'static str) -> &'static str {
    match get() {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// `format!` in the language in force: `tr!("中文 {x}", "English {x}", args…)`. Only the
/// chosen string is formatted; both take the same arguments.
#[macro_export]
macro_rules! tr {
    ($zh:literal, $en:literal $($rest:tt)*) => {
        match $crate::lang::get() {
            $crate::lang::Lang::Zh => format!($zh $($rest)*),
            $crate::lang::Lang::En => format!($en $($rest)*),
        }
    };
}

/// The CLI's one error prefix: `duban: 错误：` / `duban: error: `.
pub fn error_prefix() -> &'static str {
    t("duban: 错误：", "duban: error: ")
}

/// `1 task` / `2 tasks`, or `2 项任务`.
pub fn tasks(n: usize) -> String {
    match get() {
        Lang::Zh => format!("{n} 项任务"),
        Lang::En if n == 1 => "1 task".to_string(),
        Lang::En => format!("{n} tasks"),
    }
}

/// A list joined for reading: `、` in Chinese, `, ` in English.
pub fn join(items: &[String]) -> String {
    items.join(t("、", ", "))
}

/// Up to `max` items, then "… and N more" (等 N 项).
pub fn some_of<T: ToString>(items: &[T], max: usize) -> String {
    let shown: Vec<String> = items.iter().take(max).map(T::to_string).collect();
    let rest = items.len().saturating_sub(max);
    let mut s = join(&shown);
    if rest > 0 {
        s.push_str(&tr!("等，另有 {rest} 项", " and {rest} more"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<std::ffi::OsString> {
        a.iter().map(|s| s.into()).collect()
    }

    #[test]
    fn the_flag_wins_over_the_environment_and_the_locale_is_never_read() {
        assert_eq!(
            Lang::from_args_and_env(&args(&["duban", "--lang", "en", "list"]), Some("zh")),
            Lang::En
        );
        assert_eq!(
            Lang::from_args_and_env(&args(&["duban", "list", "--lang=zh"]), Some("en")),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_args_and_env(&args(&["duban"]), Some("en_US.UTF-8")),
            Lang::En
        );
        assert_eq!(Lang::from_args_and_env(&args(&["duban"]), None), Lang::Zh);
        assert_eq!(
            Lang::from_args_and_env(&args(&["duban", "note", "1", "--", "--lang", "en"]), None),
            Lang::Zh
        );
    }
}
