//! The report period named by a document's title (`2020年上半年市政府重点工作…`).

use super::SourceLine;
use regex::Regex;
use std::sync::OnceLock;

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"((?:19|20)\d{2})\s*年\s*(上半年|下半年|全年|年度|前三季度|第?[一二三四1-4]季度|[1-9一二三四五六七八九十]{1,2}\s*[-—~至到]\s*[1-9一二三四五六七八九十]{1,3}\s*月(?:份)?|[1-9]{1,2}月(?:份|底|末)?)")
            .expect("period pattern is valid")
    })
}

/// The first period named in the first lines of the document (its title), e.g. `2020年上半年`.
pub fn from_title(lines: &[SourceLine<'_>]) -> Option<String> {
    lines.iter().take(40).find_map(|l| {
        pattern().captures(l.text).map(|c| {
            let year = &c[1];
            let part: String = c[2].chars().filter(|ch| !ch.is_whitespace()).collect();
            format!("{year}年{part}")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<SourceLine<'_>> {
        crate::import::source_lines(text)
    }

    #[test]
    fn period_comes_from_the_title() {
        let l = lines("房天下\n\n2020年上半年市政府重点工作进展情况督查通报\n");
        assert_eq!(from_title(&l).as_deref(), Some("2020年上半年"));
        let l = lines("2021年第三季度重点工作任务进展情况\n");
        assert_eq!(from_title(&l).as_deref(), Some("2021年第三季度"));
        let l = lines("2022年1-9月重点工作\n");
        assert_eq!(from_title(&l).as_deref(), Some("2022年1-9月"));
        assert_eq!(from_title(&lines("重点工作\n")), None);
    }
}
