//! Searching off the UI thread: a worker that owns the index, runs the newest query only,
//! cancels the running one when a newer arrives, narrows from the previous results when the
//! text only grew, and hands results back tagged with the text they answer. Plain std
//! threads; a tokio UI passes a callback that sends into its own channel.
//!
//! Edits reach the index through the same queue as searches, so they apply in the order they
//! were made, and an index still being built (`Searcher::build`, at start-up) loses none.

use super::{Index, Query, Results};
use crate::model::Task;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Results for one submitted text.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    /// The text exactly as submitted: compare it with what the search box holds now.
    pub text: String,
    pub results: Arc<Results>,
    pub elapsed: Duration,
}

/// Two outcomes are equal when they answer the same text with the same results.
impl PartialEq for SearchOutcome {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && Arc::ptr_eq(&self.results, &other.results)
    }
}

impl Eq for SearchOutcome {}

enum Msg {
    Search(String, Arc<AtomicBool>),
    Update(Box<Task>),
    Remove(u32),
    Stop,
}

pub struct Searcher {
    tx: mpsc::Sender<Msg>,
    current: Arc<Mutex<Arc<AtomicBool>>>,
    /// Held only to name the thread's lifetime; dropped (detached) with the searcher.
    worker: Option<JoinHandle<()>>,
}

impl Searcher {
    /// Starts the worker on a built index. `on_result` runs on the worker thread for every
    /// search that finished without being superseded.
    pub fn new<F>(index: Index, on_result: F) -> Searcher
    where
        F: FnMut(SearchOutcome) + Send + 'static,
    {
        Searcher::start(move || index, on_result)
    }

    /// Starts the worker, which first builds the index of `tasks` (seconds at 100,000 tasks),
    /// so the caller can draw meanwhile; searches submitted during the build wait for it.
    pub fn build<F>(tasks: Vec<Task>, on_result: F) -> Searcher
    where
        F: FnMut(SearchOutcome) + Send + 'static,
    {
        Searcher::start(move || Index::build(&tasks), on_result)
    }

    fn start<B, F>(make_index: B, mut on_result: F) -> Searcher
    where
        B: FnOnce() -> Index + Send + 'static,
        F: FnMut(SearchOutcome) + Send + 'static,
    {
        let (tx, rx) = mpsc::channel::<Msg>();
        let worker = std::thread::Builder::new()
            .name("duban-search".into())
            .spawn(move || {
                let mut index = make_index();
                let mut last: Option<Arc<Results>> = None;
                while let Ok(first) = rx.recv() {
                    // Apply every edit waiting; of the searches, only the newest matters.
                    let mut search = None;
                    let mut next = Some(first);
                    while let Some(msg) = next {
                        match msg {
                            Msg::Stop => return,
                            Msg::Update(task) => index.update(&task),
                            Msg::Remove(number) => {
                                index.remove(number);
                            }
                            Msg::Search(text, cancel) => search = Some((text, cancel)),
                        }
                        next = rx.try_recv().ok();
                    }
                    let Some((text, cancel)) = search else {
                        continue;
                    };
                    if cancel.load(Ordering::Relaxed) {
                        continue;
                    }
                    let started = Instant::now();
                    let query = Query::parse(&text);
                    let results = match &last {
                        Some(prev) => index.search_within(&query, prev, &cancel),
                        None => index.search(&query, &cancel),
                    };
                    if let Some(r) = results {
                        let r = Arc::new(r);
                        last = Some(r.clone());
                        on_result(SearchOutcome {
                            text,
                            results: r,
                            elapsed: started.elapsed(),
                        });
                    }
                }
            })
            .expect("spawn the search thread");
        Searcher {
            tx,
            current: Arc::new(Mutex::new(Arc::new(AtomicBool::new(false)))),
            worker: Some(worker),
        }
    }

    /// A searcher whose results arrive on a std channel.
    pub fn with_channel(index: Index) -> (Searcher, mpsc::Receiver<SearchOutcome>) {
        let (tx, rx) = mpsc::channel();
        let s = Searcher::new(index, move |o| {
            let _ = tx.send(o);
        });
        (s, rx)
    }

    /// Searches for `text`, cancelling any search still running or queued.
    pub fn submit(&self, text: &str) {
        let flag = Arc::new(AtomicBool::new(false));
        self.replace_flag(flag.clone());
        let _ = self.tx.send(Msg::Search(text.to_string(), flag));
    }

    /// Cancels the running search (Esc); no result will arrive for it.
    pub fn cancel(&self) {
        self.replace_flag(Arc::new(AtomicBool::new(false)));
    }

    fn replace_flag(&self, flag: Arc<AtomicBool>) {
        let mut cur = match self.current.lock() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        cur.store(true, Ordering::Relaxed);
        *cur = flag;
    }

    /// Re-indexes an edited task. Cancels the running search so the edit waits at most for
    /// one chunk; searches submitted after this call see the change.
    pub fn update(&self, task: &Task) {
        self.cancel();
        let _ = self.tx.send(Msg::Update(Box::new(task.clone())));
    }

    /// Forgets a task that is gone, as `update` does for an edited one.
    pub fn remove(&self, number: u32) {
        self.cancel();
        let _ = self.tx.send(Msg::Remove(number));
    }
}

impl Drop for Searcher {
    /// Stops the worker without waiting for it: a quit during the start-up build must not
    /// wait for the build.
    fn drop(&mut self) {
        self.cancel();
        let _ = self.tx.send(Msg::Stop);
        self.worker.take();
    }
}
