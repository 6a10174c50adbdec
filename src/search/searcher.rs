//! Searching off the UI thread: a worker that owns the index, runs the newest query only,
//! cancels the running one when a newer arrives, narrows from the previous results when the
//! text only grew, and hands results back tagged with the text they answer. Plain std
//! threads; a tokio UI passes a callback that sends into its own channel.

use super::{Index, Query, Results};
use crate::model::Task;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
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

enum Msg {
    Search(String, Arc<AtomicBool>),
    Stop,
}

pub struct Searcher {
    index: Arc<RwLock<Index>>,
    tx: mpsc::Sender<Msg>,
    current: Arc<Mutex<Arc<AtomicBool>>>,
    worker: Option<JoinHandle<()>>,
}

impl Searcher {
    /// Starts the worker. `on_result` runs on the worker thread for every search that
    /// finished without being superseded.
    pub fn new<F>(index: Index, mut on_result: F) -> Searcher
    where
        F: FnMut(SearchOutcome) + Send + 'static,
    {
        let index = Arc::new(RwLock::new(index));
        let (tx, rx) = mpsc::channel::<Msg>();
        let shared = index.clone();
        let worker = std::thread::Builder::new()
            .name("duban-search".into())
            .spawn(move || {
                let mut last: Option<Arc<Results>> = None;
                while let Ok(mut msg) = rx.recv() {
                    // Only the newest request matters.
                    while let Ok(newer) = rx.try_recv() {
                        msg = newer;
                    }
                    let (text, cancel) = match msg {
                        Msg::Stop => break,
                        Msg::Search(text, cancel) => (text, cancel),
                    };
                    if cancel.load(Ordering::Relaxed) {
                        continue;
                    }
                    let started = Instant::now();
                    let query = Query::parse(&text);
                    let results = {
                        let index = match shared.read() {
                            Ok(i) => i,
                            Err(poisoned) => poisoned.into_inner(),
                        };
                        match &last {
                            Some(prev) => index.search_within(&query, prev, &cancel),
                            None => index.search(&query, &cancel),
                        }
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
            index,
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

    /// Re-indexes an edited task. Cancels the running search so the write waits at most for
    /// one chunk; the next search sees the change.
    pub fn update(&self, task: &Task) {
        self.cancel();
        let mut index = match self.index.write() {
            Ok(i) => i,
            Err(p) => p.into_inner(),
        };
        index.update(task);
    }

    /// The shared index, e.g. for `suggest_units` or `len`.
    pub fn index(&self) -> Arc<RwLock<Index>> {
        self.index.clone()
    }
}

impl Drop for Searcher {
    fn drop(&mut self) {
        self.cancel();
        let _ = self.tx.send(Msg::Stop);
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}
