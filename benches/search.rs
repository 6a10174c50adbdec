//! Search latency on 100,000 generated tasks (the sample's goals, progress sentences and units
//! recombined), per query: ours from scratch (median, worst), ours per keystroke while the
//! query is typed letter by letter (narrowing from the previous results), and a
//! straightforward single-threaded nucleo-matcher full scan as the reference. Also the index's
//! heap size, measured with a counting allocator, against the UTF-8 bytes of the text it
//! indexes. Targets (issue 10): median < 16 ms, no keystroke > 50 ms, never slower than
//! nucleo, index ≤ 2× the bytes of its text. Nothing here asserts a time; after the criterion
//! group, its medians are printed per query (criterion's own lines show means).
//!
//! `DUBAN_BENCH_TASKS=N` changes the corpus size; `DUBAN_BENCH_TABLE=0` skips the table.

#[path = "support/mod.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use duban::model::Task;
use duban::search::{Index, Query, Results};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};
use support::corpus;

/// Counts live heap bytes, to measure what the index holds.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                let now = LIVE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// (id, kind, query as typed in duban, the same words for nucleo without our prefixes)
const QUERIES: &[(&str, &str, &str, &str)] = &[
    ("unit", "unit name", "市生态环境局", "市生态环境局"),
    ("unit_filter", "unit filter", "@住建局", "住建局"),
    ("kw_heichou", "keyword", "黑臭水体", "黑臭水体"),
    ("kw_wushui", "keyword", "污水处理", "污水处理"),
    ("kw_5g", "keyword, ASCII", "5G", "5g"),
    ("py_hcst", "pinyin initials", "hcst", "hcst"),
    ("py_sthj", "pinyin initials", "sthj", "sthj"),
    ("py_heichou", "full pinyin", "heichou", "heichou"),
    (
        "py_full",
        "full pinyin",
        "shengtaihuanjing",
        "shengtaihuanjing",
    ),
    ("py_mix", "pinyin mix", "shengtaihj", "shengtaihj"),
    ("one_char", "one character", "水", "水"),
    ("almost_all", "almost everything", "工作", "工作"),
    ("nothing", "nothing", "量子计算机", "量子计算机"),
    ("number", "number", "#52", "52"),
    ("two_words", "two words", "污水 整治", "污水 整治"),
];

fn nucleo_haystacks(tasks: &[Task]) -> Vec<(u32, Utf32String)> {
    tasks
        .iter()
        .map(|t| {
            let mut s = t.goal.clone();
            for u in t.lead_units.iter().chain(&t.co_units) {
                s.push('\n');
                s.push_str(&u.written);
                if u.canonical != u.written {
                    s.push('\n');
                    s.push_str(&u.canonical);
                }
            }
            for n in &t.notes {
                s.push('\n');
                s.push_str(&n.text);
            }
            for p in t.periods.iter().flat_map(|p| &p.paragraphs) {
                s.push('\n');
                s.push_str(p);
            }
            (t.number, Utf32String::from(s.to_ascii_lowercase()))
        })
        .collect()
}

/// The reference: score every task with nucleo (text lowercased once, Respect/Never, which
/// the research found ~10x faster on Han text than its case-folding path), sort by score.
fn nucleo_scan(hay: &[(u32, Utf32String)], q: &str, m: &mut Matcher) -> usize {
    let pattern = Pattern::parse(q, CaseMatching::Respect, Normalization::Never);
    let mut hits: Vec<(u32, u32)> = hay
        .iter()
        .filter_map(|(n, h)| pattern.score(h.slice(..), m).map(|s| (s, *n)))
        .collect();
    hits.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    hits.len()
}

/// UTF-8 bytes of the text the index reads, each piece once, nothing between pieces: per
/// task the goal, each lead and co unit's written name and its canonical name when that
/// differs, the notes, and every period's progress paragraphs (the pieces the index
/// joins; the number, status and domain are not counted).
fn indexed_text_bytes(tasks: &[Task]) -> usize {
    tasks
        .iter()
        .map(|t| {
            let units: usize = t
                .lead_units
                .iter()
                .chain(&t.co_units)
                .map(|u| {
                    let canonical = if u.canonical != u.written {
                        u.canonical.len()
                    } else {
                        0
                    };
                    u.written.len() + canonical
                })
                .sum();
            let notes: usize = t.notes.iter().map(|n| n.text.len()).sum();
            let progress: usize = t
                .periods
                .iter()
                .flat_map(|p| &p.paragraphs)
                .map(String::len)
                .sum();
            t.goal.len() + units + notes + progress
        })
        .sum()
}

/// Where criterion writes its estimates (as criterion finds it: `CRITERION_HOME`, else the
/// target directory's `criterion`).
fn criterion_home() -> PathBuf {
    std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR").map(|d| PathBuf::from(d).join("criterion"))
        })
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// Criterion's median (ms) for one benchmark of the group, if this run wrote it.
fn criterion_median(group: &str, bench: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_home()
        .join(group)
        .join(bench.replace('/', "_"))
        .join("new")
        .join("estimates.json");
    let fresh = std::fs::metadata(&path).ok()?.modified().ok()? >= since;
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    let ns = v["median"]["point_estimate"].as_f64()?;
    fresh.then_some(ns / 1e6)
}

/// The group's medians, ours beside nucleo's, from criterion's estimates.
fn print_medians(group: &str, since: SystemTime) {
    println!(
        "
{group}: criterion medians (ms)
"
    );
    println!("| query | ours | nucleo | nucleo / ours |");
    println!("|---|---:|---:|---:|");
    let show = |x: Option<f64>| x.map_or("–".to_string(), |x| format!("{x:.2}"));
    for &(id, _, q, _) in QUERIES {
        let ours = criterion_median(group, &format!("ours/{id}"), since);
        let nucleo = criterion_median(group, &format!("nucleo/{id}"), since);
        let ratio = match (ours, nucleo) {
            (Some(o), Some(n)) => format!("{:.1}x", n / o.max(1e-9)),
            _ => "–".to_string(),
        };
        println!("| `{q}` | {} | {} | {ratio} |", show(ours), show(nucleo));
    }
    println!();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn tasks() -> Vec<Task> {
    let n: usize = std::env::var("DUBAN_BENCH_TASKS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let pools = corpus::sample_pools().expect("the built-in sample imports");
    corpus::generate(&pools, n, 7)
}

/// Keystroke latencies while typing `q` one character at a time, each search narrowing from
/// the previous results (the UI's path), starting from the full list.
fn typing(index: &Index, q: &str, all: &Results) -> Vec<(String, Duration, usize)> {
    let cancel = AtomicBool::new(false);
    let mut prev: Option<Results> = None;
    let mut typed = String::new();
    let mut out = Vec::new();
    for c in q.chars() {
        typed.push(c);
        let query = Query::parse(&typed);
        let t = Instant::now();
        let r = index
            .search_within(&query, prev.as_ref().unwrap_or(all), &cancel)
            .expect("not cancelled");
        out.push((typed.clone(), t.elapsed(), r.hits.len()));
        prev = Some(r);
    }
    out
}

fn table(tasks: &[Task], index: &Index, hay: &[(u32, Utf32String)]) {
    let cancel = AtomicBool::new(false);
    let mut m = Matcher::new(Config::DEFAULT);
    let all = index.search(&Query::parse(""), &cancel).expect("full list");
    println!(
        "\n{} tasks, {} threads. Times in ms. 'typing worst' is the slowest keystroke (median of 5 runs) while typing the query letter by letter.\n",
        tasks.len(),
        rayon::current_num_threads()
    );
    println!("| query | kind | hits | ours median | ours worst | typing worst (at) | nucleo hits | nucleo median | nucleo / ours |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for &(_, kind, q, nq) in QUERIES {
        let query = Query::parse(q);
        let mut ours = Vec::new();
        let mut hits = 0;
        for _ in 0..11 {
            let t = Instant::now();
            let r = index.search(&query, &cancel).expect("not cancelled");
            ours.push(t.elapsed());
            hits = r.hits.len();
            black_box(r);
        }
        let worst = *ours.iter().max().unwrap_or(&Duration::ZERO);
        let med = median(&mut ours);
        let runs: Vec<_> = (0..5).map(|_| typing(index, q, &all)).collect();
        let (at, typing_worst) = (0..runs[0].len())
            .map(|k| {
                let mut v: Vec<Duration> = runs.iter().map(|r| r[k].1).collect();
                (runs[0][k].0.clone(), median(&mut v))
            })
            .max_by_key(|(_, d)| *d)
            .unwrap_or_default();
        let mut nuc = Vec::new();
        let mut nhits = 0;
        for _ in 0..5 {
            let t = Instant::now();
            nhits = nucleo_scan(hay, nq, &mut m);
            nuc.push(t.elapsed());
        }
        let nmed = median(&mut nuc);
        println!(
            "| `{q}` | {kind} | {hits} | {:.1} | {:.1} | {:.1} (`{at}`) | {nhits} | {:.1} | {:.0}x |",
            ms(med),
            ms(worst),
            ms(typing_worst),
            ms(nmed),
            nmed.as_secs_f64() / med.as_secs_f64().max(1e-9)
        );
    }
    println!();
}

fn bench(c: &mut Criterion) {
    let t = Instant::now();
    let tasks = tasks();
    let gen = t.elapsed();
    let chars: usize = tasks
        .iter()
        .map(|t| {
            t.goal.chars().count()
                + t.periods
                    .iter()
                    .flat_map(|p| &p.paragraphs)
                    .map(|p| p.chars().count())
                    .sum::<usize>()
        })
        .sum();
    let text_bytes = indexed_text_bytes(&tasks);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let t = Instant::now();
    let index = Index::build(&tasks);
    let build = t.elapsed();
    let after = LIVE.load(Ordering::Relaxed);
    let peak = PEAK.load(Ordering::Relaxed);
    let live_before_hay = LIVE.load(Ordering::Relaxed);
    let t = Instant::now();
    let hay = nucleo_haystacks(&tasks);
    let hay_time = t.elapsed();
    let hay_bytes = LIVE.load(Ordering::Relaxed) - live_before_hay;
    println!(
        "\ncorpus: {} tasks, {:.1} M chars of goal+progress, generated in {:.0} ms",
        tasks.len(),
        chars as f64 / 1e6,
        ms(gen)
    );
    println!(
        "index: built in {:.0} ms; heap held {:.1} MB (counting allocator: live bytes after build minus before), peak during build +{:.1} MB; own estimate {:.1} MB",
        ms(build),
        (after - before) as f64 / 1e6,
        (peak - before) as f64 / 1e6,
        index.heap_bytes() as f64 / 1e6
    );
    let held = after.saturating_sub(before);
    println!(
        "index memory: {:.1} MB held for {:.1} MB of indexed text (UTF-8 bytes of goals, unit names written and canonical, notes, progress paragraphs) = {:.2}x the text (target ≤ 2x: {})",
        held as f64 / 1e6,
        text_bytes as f64 / 1e6,
        held as f64 / text_bytes.max(1) as f64,
        if held <= 2 * text_bytes { "met" } else { "NOT met" }
    );
    println!(
        "nucleo reference: haystacks converted in {:.0} ms, {:.1} MB",
        ms(hay_time),
        hay_bytes as f64 / 1e6
    );
    if std::env::var("DUBAN_BENCH_TABLE").as_deref() != Ok("0") {
        table(&tasks, &index, &hay);
    }

    let cancel = AtomicBool::new(false);
    let started = SystemTime::now();
    let group = "search_100k";
    let mut g = c.benchmark_group(group);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for &(id, _, q, nq) in QUERIES {
        let query = Query::parse(q);
        g.bench_function(format!("ours/{id}"), |b| {
            b.iter(|| index.search(&query, &cancel).map(|r| r.hits.len()))
        });
        let mut m = Matcher::new(Config::DEFAULT);
        g.bench_function(format!("nucleo/{id}"), |b| {
            b.iter(|| nucleo_scan(&hay, nq, &mut m))
        });
    }
    g.finish();
    print_medians(group, started);
}

criterion_group!(benches, bench);
criterion_main!(benches);
