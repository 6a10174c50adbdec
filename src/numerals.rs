//! Numbers as reports write them: Arabic digits (`12`), full-width digits (`１２`), Chinese
//! numerals (`十二`, `一百零五`, `两千`) and years spelled digit by digit (`二〇二二`). The one
//! place duban reads a numeral; callers keep their own limits (a row number is at least 1, a
//! month at most 12).

/// The value of one digit in any of the scripts reports use: `0`–`9`, `０`–`９`, `〇`/`零`
/// and `一`–`九`. `两` is no digit: it stands only where a count does (`两百`, `两万`).
pub fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        '〇' | '零' => Some(0),
        _ => "一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32 + 1),
    }
}

/// A string of digits written one by one (`2022`, `２０２２`, `二〇二二`) as ASCII digits,
/// leading zeros kept; None if any character is no digit, or for an empty string.
pub fn ascii_digits(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    s.chars()
        .map(|c| digit(c).and_then(|d| char::from_digit(d, 10)))
        .collect()
}

/// The value of a numeral: Arabic or full-width digits of any length that fits a `u32`
/// (`1001`, `１２`), or a Chinese numeral with the units 十百千万 (`十二`, `二十`, `一百零五`,
/// `两千`, `三万五千`), or a single Chinese digit (`七`, `〇`). Chinese digits in a row with no
/// unit between them (`一二`) are no numeral here; years spelled that way are read by
/// [`ascii_digits`]. None for anything else, never a panic.
pub fn parse(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars()
        .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return positional(s);
    }
    chinese(s)
}

/// Digits read position by position; None past `u32::MAX`.
fn positional(s: &str) -> Option<u32> {
    s.chars().try_fold(0u32, |n, c| {
        n.checked_mul(10)?
            .checked_add(digit(c).filter(|_| !is_chinese(c))?)
    })
}

fn is_chinese(c: char) -> bool {
    !c.is_ascii_digit() && !('０'..='９').contains(&c)
}

/// The power of ten a unit character stands for within a 万 section.
fn small_unit(c: char) -> Option<u32> {
    match c {
        '十' => Some(10),
        '百' => Some(100),
        '千' => Some(1000),
        _ => None,
    }
}

/// A Chinese numeral: sections below 万, the higher one multiplied by 万.
fn chinese(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.iter().position(|&c| c == '万') {
        Some(at) => {
            let high = section(&chars[..at], false)?;
            if high == 0 {
                return None;
            }
            let low = if at + 1 == chars.len() {
                0
            } else {
                section(&chars[at + 1..], true)?
            };
            high.checked_mul(10_000)?.checked_add(low)
        }
        None => section(&chars, false),
    }
}

/// A numeral below 万 (`三千零五`, `十二`, `五`). Units go down strictly (`一百一十`, not
/// `十百`); a digit stands before a unit or last; `零` marks a skipped unit. `after_wan` allows
/// a leading `零` (`一万零五`).
fn section(chars: &[char], after_wan: bool) -> Option<u32> {
    if chars.is_empty() {
        return None;
    }
    if let [c] = chars {
        // A lone digit, `两` for two, or `十`.
        return match c {
            '两' => Some(2),
            '十' => Some(10),
            c => digit(*c).filter(|_| is_chinese(*c)),
        };
    }
    let mut total = 0u32;
    // The digit waiting for its unit, and the last unit used (units must go down).
    let mut pending: Option<u32> = None;
    let mut last_unit = u32::MAX;
    let mut zero_seen = false;
    for (i, &c) in chars.iter().enumerate() {
        if let Some(unit) = small_unit(c) {
            if unit >= last_unit {
                return None;
            }
            // `十二` is `一十二`; any other unit needs its digit.
            let d = match pending.take() {
                Some(d) => d,
                None if unit == 10 && i == 0 => 1,
                None => return None,
            };
            if d == 0 {
                return None;
            }
            total += d * unit;
            last_unit = unit;
            zero_seen = false;
            continue;
        }
        let d = match c {
            '两' => 2,
            c if is_chinese(c) => digit(c)?,
            _ => return None,
        };
        if pending.is_some() {
            // Two digits in a row: only `零` before a digit (`一百零五`).
            if pending != Some(0) || d == 0 {
                return None;
            }
        }
        if d == 0 {
            // `零` stands only after a unit (or at a 万 section's start) and before a digit.
            if zero_seen || (i == 0 && !after_wan) || i + 1 == chars.len() {
                return None;
            }
            zero_seen = true;
        } else if c == '两' && i + 1 == chars.len() && last_unit != u32::MAX {
            // `一百两` is no numeral: `两` counts units, it does not end a number.
            return None;
        }
        pending = Some(d);
    }
    Some(total + pending.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_and_full_width_digits() {
        assert_eq!(parse("12"), Some(12));
        assert_eq!(parse("1001"), Some(1001));
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse("１２"), Some(12));
        assert_eq!(parse("1２"), Some(12));
        assert_eq!(parse("4294967295"), Some(u32::MAX));
        assert_eq!(
            parse("4294967296"),
            None,
            "past u32 is no number, not a panic"
        );
        assert_eq!(parse("99999999999999999999"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("+5"), None);
        assert_eq!(parse("1.5"), None);
    }

    #[test]
    fn chinese_numerals() {
        for (s, n) in [
            ("一", 1),
            ("九", 9),
            ("〇", 0),
            ("零", 0),
            ("两", 2),
            ("十", 10),
            ("十二", 12),
            ("一十二", 12),
            ("二十", 20),
            ("二十三", 23),
            ("九十九", 99),
            ("一百", 100),
            ("一百零五", 105),
            ("一百一十", 110),
            ("两百", 200),
            ("三千零五", 3005),
            ("两千零二十", 2020),
            ("一万", 10_000),
            ("三万五千", 35_000),
            ("一万零五", 10_005),
            ("十二万三千四百五十六", 123_456),
        ] {
            assert_eq!(parse(s), Some(n), "{s}");
        }
    }

    #[test]
    fn malformed_chinese_numerals_are_none() {
        for s in [
            "一二",
            "十十",
            "百",
            "一百十",
            "十百",
            "一十百",
            "零五",
            "一百零",
            "一百零零五",
            "一百两",
            "万",
            "零万",
            "一万万",
            "十二月",
            "五a",
            "〇一",
            "两两",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }

    #[test]
    fn years_spelled_digit_by_digit() {
        assert_eq!(ascii_digits("二〇二二").as_deref(), Some("2022"));
        assert_eq!(ascii_digits("二零二三").as_deref(), Some("2023"));
        assert_eq!(ascii_digits("２０２１").as_deref(), Some("2021"));
        assert_eq!(ascii_digits("〇一").as_deref(), Some("01"));
        assert_eq!(ascii_digits("二十"), None);
        assert_eq!(ascii_digits(""), None);
    }
}
