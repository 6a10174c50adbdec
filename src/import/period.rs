//! The report period a document is about (`2020年上半年`, `2021年一季度`, `2023年1-9月`),
//! from its title, else named after a date in it, else after the file. The period words are
//! the names of `data/schedule.toml` (the one list, shared with 序时进度) plus month forms.

use crate::suggest::Schedule;
use regex::Regex;
use serde::Serialize;
use std::sync::OnceLock;

/// Where a report's period name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodSource {
    /// The title names the period.
    Title,
    /// The title names none: named after the first date in the document.
    Date,
    /// Neither: named after the file.
    FileName,
    /// Given by the person importing (`--period`).
    Given,
}

/// The period of a report and where its name came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodName {
    pub name: String,
    pub source: PeriodSource,
}

/// Lines longer than this are prose, not a title: progress text says `上半年` too.
const TITLE_CHARS: usize = 60;

/// The shipped schedule, parsed once: its period names are the period words.
fn schedule() -> &'static Schedule {
    static S: OnceLock<Schedule> = OnceLock::new();
    S.get_or_init(Schedule::builtin)
}

/// Period words: schedule names (longest first, so `第一季度` wins over `一季度`) and month
/// forms (`1-9月`, `6月底`, `截至6月`).
fn words() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let mut names: Vec<String> = schedule()
            .periods
            .iter()
            .flat_map(|p| p.names.iter().cloned())
            .collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let names = names
            .iter()
            .map(|n| regex::escape(n))
            .collect::<Vec<_>>()
            .join("|");
        const N: &str = "[0-9]{1,2}|十[一二]?|[一二三四五六七八九]";
        Regex::new(&format!(
            r"(?:截[至止]\s*)?((?:{N})\s*[-—–~～至到]\s*(?:{N})\s*月(?:份)?|[1-4一二三四]\s*[-—–~～至到]\s*[1-4一二三四]\s*季度|(?:{N})\s*月(?:份|底|末)?|{names})"
        ))
        .expect("period words are escaped")
    })
}

fn year_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"((?:19|20)\d{2})\s*年\s*(度)?").expect("year pattern"))
}

/// The rest of a date after its year: `7月12日`.
fn day_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^\d{1,2}\s*月\s*\d{1,2}\s*日").expect("day pattern"))
}

fn date_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-/.](\d{1,2})[-/.](\d{1,2})\b)")
            .expect("date pattern")
    })
}

/// A period word as duban names it: ranges with `-` (`1—9月`, `1至9月` → `1-9月`), quarter
/// ranges as the schedule's first name for the same share of the year (`1-3季度` →
/// `前三季度`), so the same period from two reports has one name.
fn canonical(word: &str) -> String {
    let word: String = word
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if matches!(c, '—' | '–' | '~' | '～' | '至' | '到') {
                '-'
            } else {
                c
            }
        })
        .collect();
    if let Some(range) = word.strip_suffix("季度").filter(|r| r.contains('-')) {
        let end = range.rsplit('-').next().unwrap_or("");
        // Quarters beyond the fourth (a typo) are the whole year, as a fourth is.
        let quarters = crate::numerals::parse(end).unwrap_or(4).clamp(1, 4);
        let elapsed = f64::from(quarters) * 25.0;
        if let Some(name) = schedule()
            .periods
            .iter()
            .find(|p| p.elapsed == elapsed)
            .and_then(|p| p.names.first())
        {
            return name.clone();
        }
    }
    word
}

/// Years written in Chinese numerals (`二〇二二年`) as digits, so they are found like
/// `2022年`.
fn with_digit_years(line: &str) -> std::borrow::Cow<'_, str> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"([〇零一二三四五六七八九]{4})(\s*年)").expect("year"));
    re.replace_all(line, |c: &regex::Captures<'_>| {
        // The pattern admits digits only, so the spelled year always reads.
        let digits = crate::numerals::ascii_digits(&c[1]).unwrap_or_default();
        format!("{digits}{}", &c[2])
    })
}

/// The year that ends `text` (`…2022年`, `…2022 年度`), if any.
fn adjacent_year(text: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"((?:19|20)\d{2})\s*年\s*度?\s*$").expect("year"))
        .captures(text)
        .map(|c| c[1].to_string())
}

/// The last day of a month (February as 28 or 29 both count).
fn last_day(month: u32, day: u32) -> bool {
    match month {
        2 => day >= 28,
        4 | 6 | 9 | 11 => day == 30,
        _ => day == 31,
    }
}

/// How specific a period word is: quarters, halves and months say more than the whole
/// year, which many titles name for the plan (`2021年度重点工作…一季度进展`). The schedule
/// marks the whole year's names.
fn whole_year(word: &str) -> bool {
    schedule()
        .periods
        .iter()
        .any(|p| p.whole_year && p.names.iter().any(|n| n == word))
}

/// A period that ends with the year (`全年`, `四季度`, `下半年`, `12月`): its report is
/// written early the next year.
fn ends_the_year(word: &str) -> bool {
    schedule().elapsed(word).is_some_and(|e| e >= 100.0)
}

/// The period a document's title names, if any: `<year>年<word>` (the year from the title,
/// else from the document's first date), or the word alone when no year is to be found.
pub fn from_title<'a>(lines: impl IntoIterator<Item = &'a str> + Clone) -> Option<String> {
    let titles = || {
        lines
            .clone()
            .into_iter()
            .take(40)
            .map(str::trim)
            .filter(|l| !l.is_empty() && l.chars().count() <= TITLE_CHARS && !l.contains('。'))
    };
    let mut year: Option<String> = None;
    let mut best: Option<String> = None;
    let mut fallback_whole: Option<String> = None;
    for line in titles() {
        let line = with_digit_years(line);
        let line = line.as_ref();
        for y in year_re().captures_iter(line) {
            let after = &line[y.get(0).map_or(0, |g| g.end())..];
            if day_re().is_match(after) {
                // A date's year: the date rule below decides (a year-end report is dated
                // the next January).
                continue;
            }
            year.get_or_insert_with(|| y[1].to_string());
            if y.get(2).is_some() {
                // `2021年度`: the whole year, unless a more specific word comes.
                fallback_whole.get_or_insert_with(|| "年度".to_string());
            }
        }
        for m in words().captures_iter(line) {
            let mut word = canonical(&m[1]);
            // `6月30日` is a date, not the period `6月` — but `截至6月30日` is the end of June.
            let after = &line[m.get(0).map_or(0, |g| g.end())..];
            if after.starts_with('日') {
                continue;
            }
            if after.trim_start().starts_with(|c: char| c.is_ascii_digit()) {
                let day: String = after
                    .trim_start()
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let rest = &after.trim_start()[day.len()..];
                let month: Option<u32> = word.strip_suffix('月').and_then(|n| n.parse().ok());
                let until = m[0].starts_with('截');
                match (month, day.parse::<u32>()) {
                    (Some(month), Ok(day))
                        if until && rest.starts_with('日') && last_day(month, day) =>
                    {
                        word = format!("{month}月底");
                    }
                    _ => continue,
                }
            }
            if word.ends_with('月')
                && line[..m.get(0).map_or(0, |g| g.start())].ends_with(|c: char| c.is_ascii_digit())
            {
                // `2021年12月` is caught with its year; `312月` is no month.
                if !line[..m.get(0).map_or(0, |g| g.start())]
                    .trim_end()
                    .ends_with('年')
                {
                    continue;
                }
            }
            // A year written right before the word is its year (`根据2021年政府工作报告,现将
            // 2022年上半年情况通报`).
            let before = &line[..m.get(0).map_or(0, |g| g.start())];
            let own_year = adjacent_year(before);
            if whole_year(&word) {
                fallback_whole.get_or_insert(word);
            } else if best.is_none() {
                if own_year.is_some() {
                    year = own_year;
                }
                best = Some(word);
            }
        }
        if best.is_some() && year.is_some() {
            break;
        }
    }
    let word = best.or(fallback_whole)?;
    let year = year.or_else(|| {
        let all: Vec<&str> = lines.clone().into_iter().take(400).collect();
        first_date(all.iter().copied()).map(|(y, m, _)| {
            // A year-end report is written early next year.
            if ends_the_year(&word) && m <= 3 {
                return (y - 1).to_string();
            }
            y.to_string()
        })
    });
    Some(match year {
        Some(y) if word == "年度" => format!("{y}年度"),
        Some(y) => format!("{y}年{word}"),
        None => word,
    })
}

/// The first date in the text: (year, month, day).
fn first_date<'a>(lines: impl IntoIterator<Item = &'a str>) -> Option<(u32, u32, u32)> {
    lines.into_iter().find_map(|l| {
        date_re().captures_iter(l).find_map(|c| {
            let y: u32 = c[1].parse().ok()?;
            let m: u32 = c.get(2).or(c.get(4))?.as_str().parse().ok()?;
            let d: u32 = c.get(3).or(c.get(5))?.as_str().parse().ok()?;
            ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
        })
    })
}

/// The period of a report: named by its title; else after the first date in it
/// (`2022年7月12日`); else after the file (`report` for `/tmp/report.docx`).
pub fn name<'a>(lines: impl IntoIterator<Item = &'a str> + Clone, source: &str) -> PeriodName {
    if let Some(name) = from_title(lines.clone()) {
        return PeriodName {
            name,
            source: PeriodSource::Title,
        };
    }
    if let Some((y, m, d)) = first_date(lines.into_iter().take(400)) {
        return PeriodName {
            name: format!("{y}年{m}月{d}日"),
            source: PeriodSource::Date,
        };
    }
    let path = std::path::Path::new(source);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "导入".to_string());
    PeriodName {
        name: stem,
        source: PeriodSource::FileName,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(text: &str) -> Option<String> {
        from_title(text.lines())
    }

    #[test]
    fn period_comes_from_the_title() {
        assert_eq!(
            title("房天下\n\n2020年上半年市政府重点工作进展情况督查通报\n").as_deref(),
            Some("2020年上半年")
        );
        assert_eq!(
            title("2021年第三季度重点工作任务进展情况\n").as_deref(),
            Some("2021年第三季度")
        );
        assert_eq!(
            title("2022年1-9月重点工作\n").as_deref(),
            Some("2022年1-9月")
        );
        assert_eq!(title("重点工作\n"), None);
    }

    #[test]
    fn the_words_people_use_for_periods() {
        for (t, want) in [
            ("2021年首季度重点工作推进情况", "2021年首季度"),
            ("2021年一季度重点工作推进情况", "2021年一季度"),
            ("2022年年中重点任务督查", "2022年年中"),
            ("2020年前三季度重点工作完成情况", "2020年前三季度"),
            ("2023年1—9月重点工作进展", "2023年1-9月"),
            ("2019年全年重点工作完成情况", "2019年全年"),
            ("2019年年底重点工作完成情况", "2019年年底"),
            ("2019年度重点工作完成情况", "2019年度"),
            ("2021年重点工作任务进展情况(截至6月底)", "2021年6月底"),
            ("截至2021年8月底重点工作进展", "2021年8月底"),
            ("2021年重点工作截至9月推进情况", "2021年9月"),
            ("2021年1至9月重点工作进展", "2021年1-9月"),
            ("2023年1～9月重点工作推进情况", "2023年1-9月"),
            (
                "根据2021年政府工作报告,现将2022年上半年情况通报",
                "2022年上半年",
            ),
            ("滁州市二〇二三年上半年重点工作推进情况表", "2023年上半年"),
            ("2022年1-3季度重点工作推进情况", "2022年前三季度"),
            ("2022年重点工作推进情况(截至9月30日)", "2022年9月底"),
            // The plan's year and the quarter the report is about.
            (
                "2021年度市政府重点工作任务第一季度推进情况",
                "2021年第一季度",
            ),
        ] {
            assert_eq!(title(t).as_deref(), Some(want), "{t}");
        }
    }

    #[test]
    fn a_title_without_a_year_takes_the_year_of_the_documents_date() {
        assert_eq!(
            title("一季度重点工作推进情况\n市政府督查室\n2021年4月10日\n").as_deref(),
            Some("2021年一季度")
        );
        // A year-end report is dated early the next year.
        assert_eq!(
            title("全年重点工作完成情况\n2022年1月15日\n").as_deref(),
            Some("2021年全年")
        );
    }

    #[test]
    fn a_period_that_ends_the_year_is_reported_on_early_the_next() {
        // Every period the schedule counts as the whole year's end, not only 全年 and 四季度.
        for (t, want) in [
            ("全年重点工作完成情况\n2022年1月15日\n", "2021年全年"),
            ("第四季度重点工作完成情况\n2022年2月3日\n", "2021年第四季度"),
            ("下半年重点工作完成情况\n2022年1月15日\n", "2021年下半年"),
            ("1-12月重点工作完成情况\n2022年1月15日\n", "2021年1-12月"),
            // A period within the year is reported on in the same year.
            ("1-2月重点工作推进情况\n2022年3月5日\n", "2022年1-2月"),
        ] {
            assert_eq!(title(t).as_deref(), Some(want), "{t}");
        }
    }

    #[test]
    fn period_words_are_the_schedules_names() {
        // Every name of data/schedule.toml is a period word of a title.
        for p in &schedule().periods {
            for n in &p.names {
                let t = format!("2021年{n}重点工作推进情况");
                let got = title(&t);
                let want = if n == "年度" {
                    "2021年度".to_string()
                } else {
                    format!("2021年{n}")
                };
                assert_eq!(got, Some(want), "{t}");
            }
        }
        // Quarter ranges take the first name of the schedule's period of the same length.
        assert_eq!(canonical("1-2季度"), "上半年");
        assert_eq!(canonical("一至四季度"), "全年");
        assert_eq!(canonical("1-1季度"), "一季度");
    }

    #[test]
    fn without_a_period_the_name_comes_from_a_date_then_the_file() {
        let p = name("重点工作推进情况\n2022年7月12日\n".lines(), "r.docx");
        assert_eq!(
            (p.name.as_str(), p.source),
            ("2022年7月12日", PeriodSource::Date)
        );
        let p = name("截至2021年6月30日,重点工作推进情况".lines(), "r.docx");
        assert_eq!(p.name, "2021年6月30日");
        let p = name("重点工作推进情况\n".lines(), "/tmp/报告 甲.docx");
        assert_eq!(
            (p.name.as_str(), p.source),
            ("报告 甲", PeriodSource::FileName)
        );
    }

    #[test]
    fn long_progress_lines_do_not_name_the_period() {
        let text = "重点工作推进情况\n1.推进老旧小区改造。上半年完成改造小区32个,惠及居民1.2万户,完成投资3.5亿元,占年度计划的64%,进度符合预期要求。\n";
        assert_eq!(title(text), None);
    }
}
