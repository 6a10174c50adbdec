//! Search on the built-in sample (116 tasks), as the UI and `duban search` will use it.

use crate::support::corpus;
use duban::model::{Status, Task};
use duban::search::{results_json, Field, Hit, Index, Place, Query, Results, Searcher};
use std::sync::atomic::AtomicBool;

fn sample() -> Vec<Task> {
    corpus::sample_tasks().expect("the built-in sample imports")
}

fn search(index: &Index, q: &str) -> Results {
    index
        .search(&Query::parse(q), &AtomicBool::new(false))
        .expect("not cancelled")
}

fn numbers(r: &Results) -> Vec<u32> {
    r.hits.iter().map(|h| h.number).collect()
}

fn shown_text(ts: &[Task], h: &Hit) -> String {
    let t = ts
        .iter()
        .find(|t| t.number == h.number)
        .expect("the hit's task");
    h.text(t).into_owned()
}

fn shown_hl(ts: &[Task], h: &Hit) -> Vec<usize> {
    let t = ts
        .iter()
        .find(|t| t.number == h.number)
        .expect("the hit's task");
    h.highlights(t)
}

/// The characters a hit highlights, read back from its text.
fn lit(text: &str, highlights: &[usize]) -> String {
    let chars: Vec<char> = text.chars().collect();
    highlights.iter().map(|&i| chars[i]).collect()
}

#[test]
fn black_smelly_water_puts_task_14_first() {
    let ts = sample();
    let index = Index::build(&ts);
    let r = search(&index, "黑臭水体");
    assert_eq!(r.hits[0].number, 14);
    assert_eq!(r.hits[0].field, Field::Goal);
    assert_eq!(
        lit(&shown_text(&ts, &r.hits[0]), &shown_hl(&ts, &r.hits[0])),
        "黑臭水体"
    );
    assert_eq!(r.hits[0].goal_highlights(), shown_hl(&ts, &r.hits[0]));
    // The others mention it in their progress only.
    assert!(r.hits[1..].iter().all(|h| h.field == Field::Progress));
    for h in &r.hits {
        assert_eq!(
            lit(&shown_text(&ts, h), &shown_hl(&ts, h)),
            "黑臭水体",
            "task {}",
            h.number
        );
    }
}

#[test]
fn unit_filter_lists_exactly_the_tasks_the_unit_leads_or_joins() {
    let tasks = sample();
    let index = Index::build(&tasks);
    let unit = "市生态环境局";
    let mut expected: Vec<u32> = tasks
        .iter()
        .filter(|t| {
            t.lead_units
                .iter()
                .chain(&t.co_units)
                .any(|u| u.written.contains("生态环境局") || u.canonical.contains("生态环境局"))
        })
        .map(|t| t.number)
        .collect();
    expected.sort();
    assert!(expected.len() >= 3, "{expected:?}");
    assert!(tasks.iter().any(|t| t.leads(unit)));
    for q in [
        "@生态环境局",
        "unit:生态环境局",
        "@shengtaihuanjingju",
        "@sthjj",
    ] {
        let r = search(&index, q);
        let mut got = numbers(&r);
        // Lead tasks before co tasks.
        let first_co = r
            .hits
            .iter()
            .position(|h| !tasks.iter().any(|t| t.number == h.number && t.leads(unit)));
        if let Some(i) = first_co {
            assert!(r.hits[i..]
                .iter()
                .all(|h| !tasks.iter().any(|t| t.number == h.number && t.leads(unit))));
        }
        got.sort();
        assert_eq!(got, expected, "{q}");
        assert!(r.hits.iter().all(|h| h.field == Field::Unit));
    }
}

#[test]
fn pinyin_finds_task_14() {
    let ts = sample();
    let index = Index::build(&ts);
    for q in ["heichou", "hcst", "heichoushuiti", "hcshuiti", "heichous"] {
        let r = search(&index, q);
        assert_eq!(r.hits.first().map(|h| h.number), Some(14), "{q}");
        let h = &r.hits[0];
        assert!(
            lit(&shown_text(&ts, h), &shown_hl(&ts, h)).starts_with("黑臭"),
            "{q}"
        );
    }
}

#[test]
fn number_prefix_gives_that_task() {
    let ts = sample();
    let index = Index::build(&ts);
    let r = search(&index, "#52");
    assert_eq!(numbers(&r), vec![52]);
    assert_eq!(r.hits[0].field, Field::Number);
    assert!(search(&index, "#999").is_empty());
    assert_eq!(search(&index, "52").hits[0].number, 52);
}

#[test]
fn status_behind_lists_the_two_tasks_set_behind() {
    let mut tasks = sample();
    let mut index = Index::build(&tasks);
    assert!(search(&index, "status:behind").is_empty());
    for t in tasks
        .iter_mut()
        .filter(|t| t.number == 14 || t.number == 52)
    {
        t.status = Status::Behind;
        index.update(t);
    }
    for q in [
        "status:behind",
        "status:滞后",
        "status:进度滞后",
        "status:3",
    ] {
        assert_eq!(numbers(&search(&index, q)), vec![14, 52], "{q}");
    }
    assert_eq!(numbers(&search(&index, "status:behind 黑臭")), vec![14]);
    assert_eq!(index.len(), tasks.len());
}

#[test]
fn domain_filter_takes_id_or_label() {
    let tasks = sample();
    let index = Index::build(&tasks);
    let mut expected: Vec<u32> = tasks
        .iter()
        .filter(|t| t.domain == duban::model::Domain::Reform)
        .map(|t| t.number)
        .collect();
    expected.sort();
    assert_eq!(numbers(&search(&index, "domain:reform")), expected);
    assert_eq!(numbers(&search(&index, "domain:改革")), expected);
}

#[test]
fn ranking_whole_before_scattered_goal_before_progress_then_score_then_shorter() {
    let ts = sample();
    let index = Index::build(&ts);
    let r = search(&index, "污水处理");
    // Task 4 has 污水收集处理 only (scattered): after every whole hit.
    let four = r.hits.iter().position(|h| h.number == 4).expect("task 4");
    assert_eq!(four, r.hits.len() - 1);
    assert_eq!(
        lit(
            &shown_text(&ts, &r.hits[four]),
            &shown_hl(&ts, &r.hits[four])
        ),
        "污水处理"
    );
    // Goal or unit hits come before progress hits among whole hits.
    let r = search(&index, "芜湖");
    let first_progress = r.hits.iter().position(|h| h.field == Field::Progress);
    if let Some(i) = first_progress {
        assert!(r.hits[..i]
            .iter()
            .all(|h| matches!(h.field, Field::Goal | Field::Unit)));
        assert!(r.hits[i..]
            .iter()
            .all(|h| !matches!(h.field, Field::Goal | Field::Unit)));
    }
    // Equal scores: shorter text first.
    for w in r.hits.windows(2) {
        assert!(w[0].score >= w[1].score);
        if w[0].score == w[1].score && w[0].field == w[1].field && w[0].field == Field::Goal {
            assert!(
                shown_text(&ts, &w[0]).chars().count() <= shown_text(&ts, &w[1]).chars().count()
            );
        }
    }
}

#[test]
fn highlights_are_char_indices_in_mixed_chinese_and_ascii() {
    let ts = sample();
    let index = Index::build(&ts);
    let r = search(&index, "5G和");
    assert_eq!(r.hits[0].number, 52);
    let h = &r.hits[0];
    assert_eq!(lit(&shown_text(&ts, h), &shown_hl(&ts, h)), "5G和");
    let goal: Vec<char> = shown_text(&ts, h).chars().collect();
    let at = goal.iter().position(|&c| c == '5').expect("5 in the goal");
    assert_eq!(shown_hl(&ts, h), vec![at, at + 1, at + 2]);
    // In a progress snippet with digits, a dot and a percent sign.
    let r = search(&index, "完工率87.24%");
    assert_eq!(r.hits.len(), 1);
    let h = &r.hits[0];
    assert_eq!(h.field, Field::Progress);
    assert_eq!(lit(&shown_text(&ts, h), &shown_hl(&ts, h)), "完工率87.24%");
    // Pinyin highlights cover the characters, not the letters.
    let r = search(&index, "wangongl");
    let h = r
        .hits
        .iter()
        .find(|h| shown_text(&ts, h).contains("完工率87.24%"))
        .expect("完工率 by pinyin");
    assert_eq!(lit(&shown_text(&ts, h), &shown_hl(&ts, h)), "完工率");
}

#[test]
fn lv_and_lu_both_read_lv() {
    let ts = sample();
    let index = Index::build(&ts);
    for q in ["wanchenglv", "wanchenglu", "wcl"] {
        let r = search(&index, q);
        assert!(
            r.hits
                .iter()
                .any(|h| lit(&shown_text(&ts, h), &shown_hl(&ts, h)) == "完成率"),
            "{q}"
        );
    }
}

#[test]
fn nothing_found_suggests_units() {
    let ts = sample();
    let index = Index::build(&ts);
    let r = search(&index, "@生态局");
    assert!(r.is_empty());
    assert_eq!(
        r.suggestions.first().map(String::as_str),
        Some("市生态环境局")
    );
    let r = search(&index, "@zhujianju");
    assert!(!r.is_empty(), "pinyin of 住建局");
    assert!(!index.suggest_units("@环保", 3).is_empty());
}

#[test]
fn typing_letter_by_letter_narrows_to_the_same_results() {
    let ts = sample();
    let index = Index::build(&ts);
    let cancel = AtomicBool::new(false);
    for text in [
        "heichoushuiti",
        "@shengtaihj",
        "黑臭水体 整治",
        "status:behind 污水",
        "完成率87",
    ] {
        let mut prev = index.search(&Query::parse(""), &cancel).unwrap();
        let mut typed = String::new();
        for c in text.chars() {
            typed.push(c);
            let q = Query::parse(&typed);
            let narrowed = index.search_within(&q, &prev, &cancel).unwrap();
            let full = index.search(&q, &cancel).unwrap();
            assert_eq!(narrowed.hits, full.hits, "{typed}");
            prev = narrowed;
        }
    }
}

#[test]
fn json_for_the_cli() {
    let tasks = sample();
    let index = Index::build(&tasks);
    let r = search(&index, "黑臭水体");
    let v = results_json("黑臭水体", &r, &tasks, 2);
    assert_eq!(v["query"], "黑臭水体");
    assert_eq!(v["total"], r.hits.len());
    let results = v["results"].as_array().expect("results array");
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["number"], 14);
    assert_eq!(results[0]["field"], "goal");
    assert!(results[0]["goal"]
        .as_str()
        .is_some_and(|g| g.contains("黑臭水体")));
    for key in [
        "score",
        "status",
        "domain",
        "lead_units",
        "co_units",
        "highlights",
    ] {
        assert!(!results[0][key].is_null(), "{key}");
    }
    let none = results_json("@生态局", &search(&index, "@生态局"), &tasks, 0);
    assert_eq!(none["total"], 0);
    assert_eq!(none["suggestions"][0], "市生态环境局");
}

#[test]
fn searcher_returns_the_last_text_typed() {
    let (searcher, rx) = Searcher::with_channel(Index::build(&sample()));
    let mut typed = String::new();
    for c in "hcst".chars() {
        typed.push(c);
        searcher.submit(&typed);
    }
    let outcome = loop {
        // However long the machine takes: the worker answers or hangs up (an error).
        let o = rx.recv().expect("a result");
        if o.text == "hcst" {
            break o;
        }
    };
    assert_eq!(outcome.results.hits[0].number, 14);
}

/// A word for `run` (Chinese characters) as someone might type it: per character the whole
/// syllable or its initial (zh/ch/sh or one letter), the last one possibly cut short.
fn typed_pinyin(run: &[char], rng: &mut crate::support::synth::Rng) -> Option<String> {
    use pinyin::ToPinyin;
    let mut out = String::new();
    for (k, c) in run.iter().enumerate() {
        let p = c.to_pinyin()?.plain().replace('ü', "v");
        let initial = if ["zh", "ch", "sh"].iter().any(|i| p.starts_with(i)) {
            &p[..2]
        } else {
            &p[..1]
        };
        let last = k + 1 == run.len();
        match rng.below(3) {
            0 => out.push_str(initial),
            1 if last => out.push_str(&p[..1 + rng.below(p.len())]),
            _ => out.push_str(&p),
        }
    }
    Some(out)
}

#[test]
fn every_word_taken_from_a_task_finds_that_task() {
    let pools = corpus::sample_pools().expect("sample pools");
    let mut ts = corpus::generate(&pools, 3000, 11);
    ts.extend(sample().into_iter().map(|mut t| {
        t.number += 10_000;
        t
    }));
    let index = Index::build(&ts);
    let mut rng = crate::support::synth::Rng::new(5);
    let (mut direct, mut scattered, mut pinyin) = (0, 0, 0);
    for _ in 0..400 {
        let t = &ts[rng.below(ts.len())];
        let texts: Vec<&str> = std::iter::once(t.goal.as_str())
            .chain(
                t.periods
                    .iter()
                    .flat_map(|p| p.paragraphs.iter().map(String::as_str)),
            )
            .collect();
        let text: Vec<char> = texts[rng.below(texts.len())].chars().collect();
        if text.len() < 8 {
            continue;
        }
        let at = rng.below(text.len() - 6);
        let len = 1 + rng.below(5);
        let run = &text[at..at + len];
        let mut queries = Vec::new();
        if run.iter().all(|c| !c.is_whitespace()) {
            queries.push(run.iter().collect::<String>());
            direct += 1;
            // Characters in order with gaps, within the window a scattered hit may span.
            let picked: String = text[at..at + 6].iter().step_by(2).collect();
            if !picked.contains(char::is_whitespace) {
                queries.push(picked);
                scattered += 1;
            }
        }
        if run.iter().all(|&c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            if let Some(p) = typed_pinyin(run, &mut rng) {
                queries.push(p);
                pinyin += 1;
            }
        }
        for q in queries {
            let r = search(&index, &q);
            assert!(
                r.hits.iter().any(|h| h.number == t.number),
                "'{q}' taken from task {} did not find it",
                t.number
            );
        }
    }
    assert!(
        direct > 100 && scattered > 50 && pinyin > 50,
        "{direct} {scattered} {pinyin}"
    );
}

#[test]
fn a_hit_says_where_it_is() {
    let ts = sample();
    let index = Index::build(&ts);
    let task = |n: u32| ts.iter().find(|t| t.number == n).expect("task");
    // A progress hit names its period and paragraph.
    let r = search(&index, "完工率87.24%");
    let h = &r.hits[0];
    match h.place(task(h.number)) {
        Some(Place::Progress { period, paragraph }) => {
            let p = &task(h.number).periods[period].paragraphs[paragraph];
            assert!(p.contains("完工率87.24%"));
            assert_eq!(h.field_text(task(h.number)), p.as_str());
        }
        other => panic!("{other:?}"),
    }
    // The canonical name from the alias file is searched too: 市住建局 is written in task
    // 14, 市住房和城乡建设局 is its canonical name.
    let r = search(&index, "@住房和城乡建设局");
    let h = r.hits.iter().find(|h| h.number == 14).expect("task 14");
    assert_eq!(
        h.place(task(14)),
        Some(Place::Unit {
            lead: true,
            index: 0,
            canonical: true
        })
    );
    assert_eq!(shown_text(&ts, h), "市住房和城乡建设局");
    assert_eq!(h.goal_highlights(), Vec::<usize>::new());
}

/// The sample with 14 and 52 set 进度滞后 and 85 严重滞后, and its index.
fn lagging_sample() -> (Vec<Task>, Index) {
    let mut tasks = sample();
    for t in tasks.iter_mut() {
        t.status = match t.number {
            14 | 52 => Status::Behind,
            85 => Status::SeriouslyBehind,
            9 => Status::Done,
            _ => t.status,
        };
    }
    let index = Index::build(&tasks);
    (tasks, index)
}

fn in_domain(tasks: &[Task], d: duban::model::Domain) -> Vec<u32> {
    let mut n: Vec<u32> = tasks
        .iter()
        .filter(|t| t.domain == d)
        .map(|t| t.number)
        .collect();
    n.sort();
    n
}

#[test]
fn a_status_word_typed_alone_filters_by_it() {
    let (_tasks, index) = lagging_sample();
    // 滞后 is every lagging task, 进度滞后 and 严重滞后 alike; the README promises it.
    for q in ["滞后", "status:滞后", "status:behind,seriously_behind"] {
        assert_eq!(numbers(&search(&index, q)), vec![14, 52, 85], "{q}");
    }
    assert_eq!(numbers(&search(&index, "进度滞后")), vec![14, 52]);
    assert_eq!(numbers(&search(&index, "behind")), vec![14, 52]);
    assert_eq!(numbers(&search(&index, "严重滞后")), vec![85]);
    assert_eq!(numbers(&search(&index, "seriously_behind")), vec![85]);
    assert_eq!(numbers(&search(&index, "已完成")), vec![9]);
    assert_eq!(numbers(&search(&index, "done")), vec![9]);
    let r = search(&index, "滞后");
    assert!(r.hits.iter().all(|h| h.field == Field::Status));
    assert!(r.query.warnings.is_empty());
    // Everything else in the sample is still 未启动.
    assert_eq!(search(&index, "未启动").hits.len(), 116 - 4);
    assert!(search(&index, "正常推进").is_empty());
}

#[test]
fn a_domain_word_typed_alone_filters_by_it() {
    let (tasks, index) = lagging_sample();
    use duban::model::Domain;
    for d in Domain::ALL {
        let expected = in_domain(&tasks, d);
        assert!(!expected.is_empty());
        assert_eq!(
            numbers(&search(&index, d.label())),
            expected,
            "{}",
            d.label()
        );
        assert_eq!(numbers(&search(&index, d.id())), expected, "{}", d.id());
    }
}

#[test]
fn a_status_or_domain_word_combines_with_other_words() {
    let (tasks, index) = lagging_sample();
    use duban::model::Domain;
    // 14 (黑臭水体) is the lagging task of 生态, 85 and 52 are elsewhere.
    let lagging_ecology: Vec<u32> = [14, 52, 85]
        .into_iter()
        .filter(|n| in_domain(&tasks, Domain::Ecology).contains(n))
        .collect();
    assert_eq!(numbers(&search(&index, "滞后 生态")), lagging_ecology);
    assert_eq!(numbers(&search(&index, "生态 滞后")), lagging_ecology);
    assert_eq!(numbers(&search(&index, "滞后 黑臭")), vec![14]);
    assert_eq!(numbers(&search(&index, "黑臭 严重滞后")), Vec::<u32>::new());
    let r = search(&index, "滞后 黑臭");
    assert_eq!(
        r.hits[0].field,
        Field::Goal,
        "the word's hit is what is shown"
    );
}

#[test]
fn a_quoted_status_word_is_searched_as_text() {
    let (mut tasks, mut index) = lagging_sample();
    for t in tasks.iter_mut().filter(|t| t.number == 3) {
        t.goal = format!("{}(上年进度滞后)", t.goal);
        index.update(t);
    }
    for q in ["\"滞后\"", "“滞后”", "goal:滞后"] {
        assert_eq!(numbers(&search(&index, q)), vec![3], "{q}");
    }
    // Words that only contain a name are words, not filters.
    assert!(search(&index, "完成")
        .hits
        .iter()
        .all(|h| h.field != Field::Status));
}

#[test]
fn search_on_the_command_line_filters_by_a_status_word_and_prints_unit_names() {
    use crate::common::*;
    let (_d, db) = temp_db();
    duban(&db, &["import", SEED]).ok();
    duban(&db, &["set", "14", "进度滞后"]).ok();
    duban(&db, &["set", "85", "严重滞后"]).ok();
    // A result row: the number, then the status's glyph.
    let rows = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| {
                let mut w = l.split_whitespace();
                w.next().is_some_and(|n| n.parse::<u32>().is_ok())
                    && w.next()
                        .is_some_and(|g| Status::ALL.iter().any(|s| s.glyph() == g))
            })
            .map(str::to_string)
            .collect()
    };
    let r = duban(&db, &["search", "滞后"]);
    r.ok();
    let rows_of_lagging = rows(&r.stdout);
    let rows = |o: &str| rows(o);
    let lagging = rows_of_lagging;
    assert_eq!(lagging.len(), 2, "{}", r.stdout);
    assert!(lagging[0].trim_start().starts_with("14 "), "{}", r.stdout);
    assert!(lagging[1].trim_start().starts_with("85 "), "{}", r.stdout);
    // Each result names its lead units.
    assert!(lagging[0].contains("市住建局"), "{}", r.stdout);
    assert!(lagging[1].contains("市文旅局"), "{}", r.stdout);
    let json = duban(&db, &["search", "滞后", "--json"]);
    json.ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v["total"], 2);
    // A search for a unit that co-operates on a task names that unit on the row.
    let r = duban(&db, &["search", "@市农业农村局"]);
    r.ok();
    let found = rows(&r.stdout);
    assert!(found.len() > 2, "{}", r.stdout);
    assert!(
        found.iter().any(|l| l.contains("(配合:市农业农村局)")),
        "{}",
        r.stdout
    );
    assert!(
        found.iter().all(|l| l.contains("市农业农村局")),
        "{}",
        r.stdout
    );
}
