//! Unit tests on small hand-made tasks; behaviour on the real sample is in tests/search.rs.

use super::*;
use crate::model::{Domain, DomainDecision, Note, Period, Status, Task, Unit};

pub(super) fn task(number: u32, goal: &str, lead: &[&str], co: &[&str], progress: &[&str]) -> Task {
    Task {
        number,
        section: None,
        goal: goal.to_string(),
        goal_edited: false,
        lead_units: lead.iter().map(|u| Unit::plain(u)).collect(),
        co_units: co.iter().map(|u| Unit::plain(u)).collect(),
        domain: Domain::Ecology,
        domain_decision: DomainDecision {
            rule: "test".into(),
            reason: String::new(),
            manual: false,
        },
        status: Status::OnTrack,
        notes: Vec::new(),
        periods: vec![Period {
            name: "2020年上半年".into(),
            paragraphs: progress.iter().map(|p| p.to_string()).collect(),
        }],
    }
}

fn tasks() -> Vec<Task> {
    vec![
        task(
            1,
            "加大黑臭水体整治力度",
            &["市住建局"],
            &["市水务局"],
            &["市区建成区累计79条水体完成整治。"],
        ),
        task(
            2,
            "扎实打好污染防治攻坚战",
            &["市生态环境局"],
            &["各县(市)区政府"],
            &["推动生态环保督察整改，南陵县黑臭水体已全部开工整治。"],
        ),
        task(
            3,
            "促进数字经济集聚发展，推进人工智能、5G和实体经济的深度融合",
            &["市经信局"],
            &[],
            &["新建5G基站1175处，完成率87.24%。"],
        ),
        task(
            4,
            "生活中的态度决定环境",
            &["市文明办"],
            &["市生态环境局"],
            &["绿色发展。"],
        ),
        task(
            52,
            "推进银行业改革",
            &["市金融办"],
            &[],
            &["生态环境保护督察反馈问题整改。"],
        ),
    ]
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

#[test]
fn a_whole_substring_in_the_goal_ranks_first() {
    let ts = tasks();
    let index = Index::build(&ts);
    let r = search(&index, "黑臭水体");
    assert_eq!(numbers(&r), vec![1, 2]);
    assert_eq!(r.hits[0].field, Field::Goal);
    assert_eq!(shown_hl(&ts, &r.hits[0]), vec![2, 3, 4, 5]);
    assert_eq!(r.hits[0].goal_highlights(), vec![2, 3, 4, 5]);
    assert_eq!(r.hits[1].field, Field::Progress);
}

#[test]
fn substring_beats_scattered_and_goal_or_unit_beats_progress() {
    let ts = tasks();
    let index = Index::build(&ts);
    let r = search(&index, "生态环境");
    // Units 市生态环境局 (2 lead, 4 co) are whole substrings in a unit; 52 has it in the
    // progress; 4's goal has it scattered (生…态…环境), last.
    assert_eq!(numbers(&r), vec![2, 4, 52]);
    assert_eq!(r.hits[0].field, Field::Unit);
    assert_eq!(shown_text(&ts, &r.hits[0]), "市生态环境局");
    assert_eq!(shown_hl(&ts, &r.hits[0]), vec![1, 2, 3, 4]);
    assert_eq!(r.hits[2].field, Field::Progress);
    // Without units, the scattered goal hit comes after the whole progress hit.
    let r = search(&index, "goal:生态环境");
    assert_eq!(numbers(&r), vec![4]);
    assert_eq!(shown_hl(&ts, &r.hits[0]), vec![0, 4, 8, 9]);
}

#[test]
fn pinyin_full_initials_and_mixed() {
    let ts = tasks();
    let index = Index::build(&ts);
    for q in ["heichou", "hcst", "heichoushuiti", "hcshuiti"] {
        let r = search(&index, q);
        assert_eq!(r.hits.first().map(|h| h.number), Some(1), "{q}");
        assert_eq!(shown_hl(&ts, &r.hits[0]).first(), Some(&2), "{q}");
    }
    let r = search(&index, "shengtaihj");
    assert_eq!(shown_text(&ts, &r.hits[0]), "市生态环境局");
    let r = search(&index, "lvse");
    assert_eq!(numbers(&r), vec![4]);
    let r = search(&index, "lu");
    assert!(numbers(&r).contains(&4));
    let r = search(&index, "wcl");
    assert_eq!(numbers(&r), vec![3]);
}

#[test]
fn unit_prefix_looks_only_at_units() {
    let ts = tasks();
    let index = Index::build(&ts);
    assert_eq!(numbers(&search(&index, "@生态环境局")), vec![2, 4]);
    assert_eq!(numbers(&search(&index, "unit:生态环境局")), vec![2, 4]);
    assert_eq!(numbers(&search(&index, "@sthjj")), vec![2, 4]);
    // Lead before co.
    assert_eq!(search(&index, "@生态环境局").hits[0].number, 2);
    // No scattered hits for units: 市住建局 does not match 市局.
    assert!(search(&index, "@市建局").is_empty());
}

#[test]
fn number_prefix_and_plain_number() {
    let ts = tasks();
    let index = Index::build(&ts);
    let r = search(&index, "#52");
    assert_eq!(numbers(&r), vec![52]);
    assert_eq!(r.hits[0].field, Field::Number);
    assert_eq!(shown_hl(&ts, &r.hits[0]), vec![0, 1]);
    assert!(search(&index, "#5").is_empty());
    // A plain number: the task of that number first, then text containing it.
    let r = search(&index, "52");
    assert_eq!(r.hits[0].number, 52);
}

#[test]
fn status_and_domain_filter() {
    let mut ts = tasks();
    ts[1].status = Status::Behind;
    ts[3].status = Status::Behind;
    ts[4].domain = Domain::Reform;
    let index = Index::build(&ts);
    let r = search(&index, "status:behind");
    assert_eq!(numbers(&r), vec![2, 4]);
    assert_eq!(r.hits[0].field, Field::Status);
    assert_eq!(numbers(&search(&index, "status:滞后")), vec![2, 4]);
    assert_eq!(numbers(&search(&index, "domain:改革")), vec![52]);
    assert_eq!(numbers(&search(&index, "domain:reform 银行")), vec![52]);
    assert!(search(&index, "status:done").is_empty());
}

#[test]
fn words_combine_with_and() {
    let ts = tasks();
    let index = Index::build(&ts);
    assert_eq!(numbers(&search(&index, "黑臭 住建")), vec![1]);
    assert_eq!(numbers(&search(&index, "黑臭 @生态")), vec![2]);
    let r = search(&index, "黑臭 整治");
    assert_eq!(r.hits[0].number, 1);
}

#[test]
fn highlights_are_char_indices_in_mixed_text() {
    let ts = tasks();
    let index = Index::build(&ts);
    let r = search(&index, "5g基站");
    assert_eq!(numbers(&r), vec![3]);
    let h = &r.hits[0];
    assert_eq!(h.field, Field::Progress);
    let chars: Vec<char> = shown_text(&ts, h).chars().collect();
    let lit: String = shown_hl(&ts, h).iter().map(|&i| chars[i]).collect();
    assert_eq!(lit, "5G基站");
    assert_eq!(shown_hl(&ts, h), vec![2, 3, 4, 5]);
    let r = search(&index, "87.24%");
    let h = &r.hits[0];
    let chars: Vec<char> = shown_text(&ts, h).chars().collect();
    let lit: String = shown_hl(&ts, h).iter().map(|&i| chars[i]).collect();
    assert_eq!(lit, "87.24%");
}

#[test]
fn notes_are_searched_and_update_reindexes() {
    let mut ts = tasks();
    let mut index = Index::build(&ts);
    assert!(search(&index, "约谈").is_empty());
    ts[2].notes.push(Note {
        at: chrono::Utc::now(),
        user: "u".into(),
        text: "已约谈牵头单位".into(),
    });
    ts[2].status = Status::SeriouslyBehind;
    index.update(&ts[2]);
    let r = search(&index, "约谈");
    assert_eq!(numbers(&r), vec![3]);
    assert_eq!(r.hits[0].field, Field::Note);
    assert_eq!(numbers(&search(&index, "status:seriously_behind")), vec![3]);
    assert_eq!(index.len(), 5);
    assert!(index.remove(3));
    assert!(search(&index, "约谈").is_empty());
    assert_eq!(index.len(), 4);
    assert_eq!(numbers(&search(&index, "#52")), vec![52]);
}

#[test]
fn narrowing_gives_the_same_results_as_a_full_search() {
    let ts = tasks();
    let index = Index::build(&ts);
    let cancel = AtomicBool::new(false);
    let mut prev = index.search(&Query::parse(""), &cancel).unwrap();
    assert_eq!(prev.len(), 5);
    for text in [
        "h",
        "he",
        "hei",
        "heic",
        "heichou",
        "heichou 整",
        "heichou 整治",
    ] {
        let q = Query::parse(text);
        let narrowed = index.search_within(&q, &prev, &cancel).unwrap();
        let full = index.search(&q, &cancel).unwrap();
        // From (nearly) all tasks a full search runs instead.
        assert_eq!(narrowed.narrowed, prev.len() * 4 <= 5 * 3, "{text}");
        assert_eq!(narrowed.hits, full.hits, "{text}");
        prev = narrowed;
    }
    // Not a refinement: a full search.
    let r = index
        .search_within(&Query::parse("#52"), &prev, &cancel)
        .unwrap();
    assert!(!r.narrowed);
    assert_eq!(numbers(&r), vec![52]);
}

#[test]
fn a_cancelled_search_returns_none() {
    let ts = tasks();
    let index = Index::build(&ts);
    assert!(index
        .search(&Query::parse("黑臭"), &AtomicBool::new(true))
        .is_none());
}

#[test]
fn empty_results_suggest_units() {
    let ts = tasks();
    let index = Index::build(&ts);
    let r = search(&index, "@生态局");
    assert!(r.is_empty());
    assert_eq!(
        r.suggestions.first().map(String::as_str),
        Some("市生态环境局")
    );
    assert_eq!(
        index
            .suggest_units("@shengtai", 3)
            .first()
            .map(String::as_str),
        Some("市生态环境局")
    );
    assert_eq!(
        index.suggest_units("环保局", 3).first().map(String::as_str),
        Some("市生态环境局")
    );
    assert!(index.suggest_units("", 3).is_empty());
}

#[test]
fn empty_query_lists_every_task_in_number_order() {
    let ts = tasks();
    let index = Index::build(&ts);
    assert_eq!(numbers(&search(&index, "")), vec![1, 2, 3, 4, 52]);
}

#[test]
fn snippets_cut_long_paragraphs_around_the_hit() {
    let long = format!("{}黑臭水体{}", "甲".repeat(100), "乙".repeat(100));
    let ts = [task(9, "目标", &["市某局"], &[], &[long.as_str()])];
    let index = Index::build(&ts);
    let r = search(&index, "黑臭水体");
    let h = &r.hits[0];
    assert!(shown_text(&ts, h).starts_with('…') && shown_text(&ts, h).ends_with('…'));
    assert_eq!(shown_text(&ts, h).chars().count(), SNIPPET_WIDTH + 2);
    let chars: Vec<char> = shown_text(&ts, h).chars().collect();
    let lit: String = shown_hl(&ts, h).iter().map(|&i| chars[i]).collect();
    assert_eq!(lit, "黑臭水体");
}

#[test]
fn json_has_the_contract_fields() {
    let ts = tasks();
    let index = Index::build(&ts);
    let r = search(&index, "黑臭水体");
    let v = results_json("黑臭水体", &r, &ts, 1);
    assert_eq!(v["query"], "黑臭水体");
    assert_eq!(v["total"], 2);
    let first = &v["results"][0];
    assert_eq!(first["number"], 1);
    assert_eq!(first["field"], "goal");
    assert_eq!(first["status"], "on_track");
    assert_eq!(first["domain"], "ecology");
    assert_eq!(first["lead_units"][0], "市住建局");
    assert_eq!(first["highlights"], serde_json::json!([2, 3, 4, 5]));
    assert!(first["score"].as_i64().is_some());
    assert_eq!(v["results"].as_array().map(Vec::len), Some(1));
    let empty = results_json("@生态局", &search(&index, "@生态局"), &ts, 0);
    assert_eq!(empty["suggestions"][0], "市生态环境局");
}

#[test]
fn searcher_answers_the_newest_text() {
    let (searcher, rx) = Searcher::with_channel(Index::build(&tasks()));
    for t in ["h", "he", "hei", "heichou"] {
        searcher.submit(t);
    }
    let mut last = None;
    while let Ok(o) = rx.recv_timeout(std::time::Duration::from_secs(10)) {
        let done = o.text == "heichou";
        last = Some(o);
        if done {
            break;
        }
    }
    let o = last.expect("a result");
    assert_eq!(o.text, "heichou");
    assert_eq!(o.results.hits[0].number, 1);
    let mut t = tasks().remove(4);
    t.status = Status::Behind;
    searcher.update(&t);
    searcher.submit("status:behind");
    let o = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(
        o.results.hits.iter().map(|h| h.number).collect::<Vec<_>>(),
        vec![52]
    );
}

#[test]
fn many_edits_compact_the_arenas_and_keep_results_right() {
    let mut ts = tasks();
    let mut index = Index::build(&ts);
    let units: Vec<(String, u32)> = index
        .unit_names()
        .map(|(n, c)| (n.to_string(), c))
        .collect();
    let long = "进展".repeat(5_000);
    for k in 0..60 {
        ts[2].notes = vec![Note {
            at: chrono::Utc::now(),
            user: "u".into(),
            text: format!("{long}第{k}次约谈"),
        }];
        index.update(&ts[2]);
    }
    assert!(index.heap_bytes() < 2_000_000, "{}", index.heap_bytes());
    assert_eq!(numbers(&search(&index, "第59次约谈")), vec![3]);
    assert!(search(&index, "第58次约谈").is_empty());
    assert_eq!(numbers(&search(&index, "黑臭水体")), vec![1, 2]);
    assert_eq!(numbers(&search(&index, "#52")), vec![52]);
    let after: Vec<(String, u32)> = index
        .unit_names()
        .map(|(n, c)| (n.to_string(), c))
        .collect();
    assert_eq!(after, units);
}

#[test]
fn odd_input_neither_panics_nor_lies() {
    let mut ts = tasks();
    // A task with nothing but a number, one with a character beyond the BMP, a duplicate.
    let mut bare = task(7, "", &[], &[], &[]);
    bare.periods.clear();
    ts.push(bare);
    ts.push(task(8, "𠮷野家门店整治", &["市商务局"], &[], &["𠮷字"]));
    ts.push(task(
        1,
        "加大黑臭水体整治力度（第二份）",
        &["市住建局"],
        &[],
        &[],
    ));
    let index = Index::build(&ts);
    assert_eq!(index.len(), 7);
    assert_eq!(numbers(&search(&index, "#7")), vec![7]);
    assert_eq!(search(&index, "7").hits[0].number, 7);
    assert_eq!(numbers(&search(&index, "𠮷野")), vec![8]);
    assert_eq!(numbers(&search(&index, "第二份")), vec![1]);
    for q in [
        "#",
        "#0",
        "#99999999999",
        "@",
        "status:",
        "domain:x",
        "（",
        "a",
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        &"黑".repeat(300),
        "\u{3000}",
        "goal: note: progress:",
    ] {
        let r = search(&index, q);
        for h in &r.hits {
            let t = ts
                .iter()
                .rev()
                .find(|t| t.number == h.number)
                .expect("task");
            let (text, hl) = h.text_and_highlights(t);
            assert!(hl.iter().all(|&i| i < text.chars().count()), "{q}");
        }
    }
    // A hit read against a task that changed since: highlights stay inside the text.
    let r = search(&index, "整治");
    let h = r.hits.iter().find(|h| h.number == 1).expect("task 1");
    let mut shorter = ts[0].clone();
    shorter.goal = "加大".into();
    let (text, hl) = h.text_and_highlights(&shorter);
    assert!(hl.iter().all(|&i| i < text.chars().count()));
}

#[test]
fn characters_beyond_the_bmp_match_and_highlight_as_one_character() {
    // 𠀃 (ji) and 𠀅 (hai) are CJK extension B: two UTF-16 units each.
    let ts = vec![
        task(1, "推进𠀃𠀅治理工程", &["市𠀁局"], &[], &["黑臭𠀃水体整治"]),
        task(2, "推进治理工程", &["市住建局"], &[], &[]),
    ];
    let index = Index::build(&ts);
    let r = search(&index, "治理");
    // Same score; the shorter goal first.
    assert_eq!(numbers(&r), vec![2, 1]);
    assert_eq!(shown_hl(&ts, &r.hits[1]), vec![4, 5]);
    for (q, hl) in [("jihai", vec![2, 3]), ("tjjh", vec![0, 1, 2, 3])] {
        let r = search(&index, q);
        assert_eq!(numbers(&r), vec![1], "{q}");
        assert_eq!(shown_hl(&ts, &r.hits[0]), hl, "{q}");
    }
    // Scattered: 推…𠀃…治.
    let r = search(&index, "推𠀃治");
    assert_eq!(shown_hl(&ts, &r.hits[0]), vec![0, 2, 4]);
    // In the progress, after the goal and unit: positions count from the paragraph.
    let r = search(&index, "水体");
    assert_eq!(r.hits[0].field, Field::Progress);
    assert_eq!(shown_hl(&ts, &r.hits[0]), vec![3, 4]);
    let r = search(&index, "@𠀁");
    assert_eq!(shown_text(&ts, &r.hits[0]), "市𠀁局");
    assert_eq!(shown_hl(&ts, &r.hits[0]), vec![1]);
}

#[test]
fn one_task_added_after_the_build_does_not_double_the_index() {
    // 2,048 tasks fill the signature words exactly: the next task needs a new word per bit.
    let base = tasks();
    let ts: Vec<Task> = (0..2048u32)
        .map(|n| {
            let mut t = base[n as usize % base.len()].clone();
            t.number = n + 1;
            t
        })
        .collect();
    let mut index = Index::build(&ts);
    let built = index.heap_bytes();
    let mut t = base[0].clone();
    t.number = 5000;
    index.update(&t);
    assert_eq!(numbers(&search(&index, "#5000")), vec![5000]);
    assert!(
        index.heap_bytes() < built + built / 4,
        "{} after {built}",
        index.heap_bytes()
    );
}
