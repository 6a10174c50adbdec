//! The supervision office's vocabulary as plain data: tasks, statuses, domains, units,
//! report periods, notes and history events. No I/O here; everything is serde.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The office's traffic light (红黄绿灯). The order is the table's order in PRODUCT.md and the
/// order of the `1`–`5` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    OnTrack,
    Behind,
    SeriouslyBehind,
    Done,
}

/// The colour a status is shown in, named so views can map it to a terminal colour and
/// exports to a fill colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Light {
    Grey,
    Green,
    Yellow,
    Red,
    Blue,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::NotStarted,
        Status::OnTrack,
        Status::Behind,
        Status::SeriouslyBehind,
        Status::Done,
    ];

    /// The stable id used in the CLI and the JSON contract.
    pub fn id(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::OnTrack => "on_track",
            Status::Behind => "behind",
            Status::SeriouslyBehind => "seriously_behind",
            Status::Done => "done",
        }
    }

    /// The office's own word for it.
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "未启动",
            Status::OnTrack => "正常推进",
            Status::Behind => "进度滞后",
            Status::SeriouslyBehind => "严重滞后",
            Status::Done => "已完成",
        }
    }

    pub fn light(self) -> Light {
        match self {
            Status::NotStarted => Light::Grey,
            Status::OnTrack => Light::Green,
            Status::Behind => Light::Yellow,
            Status::SeriouslyBehind => Light::Red,
            Status::Done => Light::Blue,
        }
    }

    /// A glyph that carries the status without colour (NO_COLOR, monochrome terminals).
    pub fn glyph(self) -> &'static str {
        match self {
            Status::NotStarted => "○",
            Status::OnTrack => "●",
            Status::Behind => "▲",
            Status::SeriouslyBehind => "■",
            Status::Done => "✓",
        }
    }

    /// An ASCII stand-in for `glyph`, for `--ascii` terminals.
    pub fn ascii_glyph(self) -> &'static str {
        match self {
            Status::NotStarted => "-",
            Status::OnTrack => "o",
            Status::Behind => "!",
            Status::SeriouslyBehind => "X",
            Status::Done => "v",
        }
    }

    /// 1-based position in the table, the digit key that sets it.
    pub fn key_index(self) -> usize {
        Status::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub fn from_index(i: usize) -> Option<Status> {
        i.checked_sub(1).and_then(|i| Status::ALL.get(i).copied())
    }

    /// The next status in table order, wrapping around (the `s` key).
    pub fn next(self) -> Status {
        Status::ALL[self.key_index() % Status::ALL.len()]
    }

    /// The previous status in table order, wrapping around (the `S` key).
    pub fn prev(self) -> Status {
        let i = self.key_index() - 1;
        Status::ALL[(i + Status::ALL.len() - 1) % Status::ALL.len()]
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status '{0}': use one of not_started, on_track, behind, seriously_behind, done (or 未启动, 正常推进, 进度滞后, 严重滞后, 已完成, or 1-5)")]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;
    /// Accepts the id, the Chinese label, a few short forms and the digit 1–5.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase().replace('-', "_");
        let found = Status::ALL
            .iter()
            .copied()
            .find(|st| st.id() == lower || st.label() == t);
        if let Some(st) = found {
            return Ok(st);
        }
        let alias = match lower.as_str() {
            "notstarted" | "grey" | "gray" | "未开始" => Some(Status::NotStarted),
            "ontrack" | "green" | "正常" | "推进" => Some(Status::OnTrack),
            "yellow" | "滞后" | "lagging" => Some(Status::Behind),
            "seriouslybehind" | "red" | "serious" => Some(Status::SeriouslyBehind),
            "blue" | "完成" | "办结" | "finished" | "complete" | "completed" => {
                Some(Status::Done)
            }
            _ => None,
        };
        if let Some(st) = alias {
            return Ok(st);
        }
        if let Ok(i) = lower.parse::<usize>() {
            if let Some(st) = Status::from_index(i) {
                return Ok(st);
            }
        }
        Err(UnknownStatus(s.to_string()))
    }
}

/// The four domains the office groups tasks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    Ecology,
    Livelihood,
    Innovation,
    Reform,
}

impl Domain {
    pub const ALL: [Domain; 4] = [
        Domain::Ecology,
        Domain::Livelihood,
        Domain::Innovation,
        Domain::Reform,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Domain::Ecology => "ecology",
            Domain::Livelihood => "livelihood",
            Domain::Innovation => "innovation",
            Domain::Reform => "reform",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Domain::Ecology => "生态",
            Domain::Livelihood => "民生",
            Domain::Innovation => "创新",
            Domain::Reform => "改革",
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown domain '{0}': use one of ecology, livelihood, innovation, reform (or 生态, 民生, 创新, 改革)")]
pub struct UnknownDomain(pub String);

impl FromStr for Domain {
    type Err = UnknownDomain;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        Domain::ALL
            .iter()
            .copied()
            .find(|d| d.id() == lower || d.label() == t)
            .ok_or_else(|| UnknownDomain(s.to_string()))
    }
}

/// A responsible unit: the name as the report wrote it, and the canonical name from the alias
/// file, so that `市发改委` and `市发展和改革委员会` count as one unit across years.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Unit {
    pub written: String,
    pub canonical: String,
}

impl Unit {
    /// A unit whose canonical name is its written name (no alias known).
    pub fn plain(name: &str) -> Unit {
        Unit {
            written: name.to_string(),
            canonical: name.to_string(),
        }
    }
}

/// One report period's progress for a task (`2020年上半年`), as paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub name: String,
    pub paragraphs: Vec<String>,
}

/// Why a task is in its domain: the rule that decided, or a person's move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainDecision {
    /// The rule's name from `data/domains.toml`, or `manual`.
    pub rule: String,
    /// A short human reason (matched keywords and units with their weights).
    pub reason: String,
    /// True when a person moved the task; re-import keeps it.
    pub manual: bool,
}

/// A short note a person attached to a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub at: DateTime<Utc>,
    pub user: String,
    pub text: String,
}

/// A key work task (重点工作任务).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub number: u32,
    /// The section heading the task sits under (`一、确保完成全年主要预期目标`), if any.
    pub section: Option<String>,
    pub goal: String,
    /// True when a person corrected the goal text; re-import then keeps the person's text.
    #[serde(default)]
    pub goal_edited: bool,
    pub lead_units: Vec<Unit>,
    pub co_units: Vec<Unit>,
    pub domain: Domain,
    pub domain_decision: DomainDecision,
    pub status: Status,
    pub notes: Vec<Note>,
    /// Progress per report period, in import order (oldest first).
    pub periods: Vec<Period>,
}

impl Task {
    /// The latest period's paragraphs (empty if the task has no progress yet).
    pub fn progress(&self) -> &[String] {
        self.periods
            .last()
            .map(|p| p.paragraphs.as_slice())
            .unwrap_or(&[])
    }

    pub fn latest_period(&self) -> Option<&Period> {
        self.periods.last()
    }

    pub fn leads(&self, canonical: &str) -> bool {
        self.lead_units.iter().any(|u| u.canonical == canonical)
    }

    pub fn involves(&self, canonical: &str) -> bool {
        self.leads(canonical) || self.co_units.iter().any(|u| u.canonical == canonical)
    }

    /// Where (0-based) the note `author` wrote at `written` saying `text` is among the
    /// task's notes; the one at `hint` (0-based) first when several are alike.
    pub fn find_note(
        &self,
        written: DateTime<Utc>,
        author: &str,
        text: &str,
        hint: Option<usize>,
    ) -> Option<usize> {
        let is = |n: &Note| n.at == written && n.user == author && n.text == text;
        hint.filter(|&i| self.notes.get(i).is_some_and(is))
            .or_else(|| self.notes.iter().position(is))
    }

    /// Applies a note event to the task's notes as the ledger did (so a screen can follow
    /// an edit without reading the task again). False, changing nothing, when the event is
    /// not about notes or names a note the task does not have.
    pub fn apply_note_event(&mut self, event: &Event) -> bool {
        self.apply_note_change(&event.change, event.at, &event.user)
    }

    /// `apply_note_event` for a change made at `at` by `user` (which only an added note
    /// takes as its own time and author).
    pub fn apply_note_change(&mut self, change: &Change, at: DateTime<Utc>, user: &str) -> bool {
        match change {
            Change::Note { text } => {
                self.notes.push(Note {
                    at,
                    user: user.to_string(),
                    text: text.clone(),
                });
                true
            }
            Change::NoteEdited {
                index,
                author,
                written,
                from,
                to,
                ..
            } => match self.find_note(*written, author, from, index.checked_sub(1)) {
                Some(i) => {
                    self.notes[i].text = to.clone();
                    true
                }
                None => false,
            },
            Change::NoteRemoved {
                index,
                author,
                written,
                text,
                ..
            } => match self.find_note(*written, author, text, index.checked_sub(1)) {
                Some(i) => {
                    self.notes.remove(i);
                    true
                }
                None => false,
            },
            Change::NoteRestored {
                index,
                author,
                written,
                text,
            } => {
                let at = index.saturating_sub(1).min(self.notes.len());
                self.notes.insert(
                    at,
                    Note {
                        at: *written,
                        user: author.clone(),
                        text: text.clone(),
                    },
                );
                true
            }
            _ => false,
        }
    }
}

/// What a list draws of a task: no progress text, no notes, so that a list of 100,000
/// tasks travels and fits where the whole tasks would not. The rest comes with `Task`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSummary {
    pub number: u32,
    pub status: Status,
    pub domain: Domain,
    pub section: Option<String>,
    pub goal: String,
    pub lead_units: Vec<Unit>,
    pub co_units: Vec<Unit>,
    /// The latest report period's name, if the task has progress.
    pub latest_period: Option<String>,
    /// How many report periods the task has.
    pub periods: u32,
}

impl TaskSummary {
    pub fn of(task: &Task) -> TaskSummary {
        TaskSummary {
            number: task.number,
            status: task.status,
            domain: task.domain,
            section: task.section.clone(),
            goal: task.goal.clone(),
            lead_units: task.lead_units.clone(),
            co_units: task.co_units.clone(),
            latest_period: task.latest_period().map(|p| p.name.clone()),
            periods: u32::try_from(task.periods.len()).unwrap_or(u32::MAX),
        }
    }

    pub fn leads(&self, canonical: &str) -> bool {
        self.lead_units.iter().any(|u| u.canonical == canonical)
    }

    pub fn involves(&self, canonical: &str) -> bool {
        self.leads(canonical) || self.co_units.iter().any(|u| u.canonical == canonical)
    }
}

/// What happened to a task, for the history (留痕).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A status change, including an undo (which is a new event, never a deletion).
    Status {
        from: Status,
        to: Status,
        #[serde(default)]
        undo: bool,
    },
    /// A note added (at the end of the task's notes; its time and author are the event's).
    Note { text: String },
    /// A note's text changed. The note is the one `author` wrote at `written`; `index` is
    /// its place (1-based) among the task's notes when it changed. `undo`: this reverts an
    /// earlier edit of it.
    NoteEdited {
        index: usize,
        author: String,
        written: DateTime<Utc>,
        from: String,
        to: String,
        #[serde(default, skip_serializing_if = "is_false")]
        undo: bool,
    },
    /// A note removed from the task's notes (the history keeps what it said). `undo`: this
    /// reverts the adding of it (or its restoring).
    NoteRemoved {
        index: usize,
        author: String,
        written: DateTime<Utc>,
        text: String,
        #[serde(default, skip_serializing_if = "is_false")]
        undo: bool,
    },
    /// A removed note put back at its place (the undo of a removal).
    NoteRestored {
        index: usize,
        author: String,
        written: DateTime<Utc>,
        text: String,
    },
    /// A domain move; `undo`: this moves a task back (an undo of an earlier move).
    Move {
        from: Domain,
        to: Domain,
        #[serde(default, skip_serializing_if = "is_false")]
        undo: bool,
    },
    /// A goal correction; `undo`: this restores the goal an earlier correction replaced.
    Goal {
        from: String,
        to: String,
        #[serde(default, skip_serializing_if = "is_false")]
        undo: bool,
    },
    /// The task was created or updated by importing a report period.
    Import { period: String, source: String },
    /// A report period of the task was renamed (`duban period rename`).
    PeriodRenamed { from: String, to: String },
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Change {
    /// True for the edits an undo reverts (status, notes, goal, domain); an import or a
    /// period rename is not undone.
    pub fn is_undoable(&self) -> bool {
        !matches!(self, Change::Import { .. } | Change::PeriodRenamed { .. })
    }

    /// True for an event that is itself an undo.
    pub fn is_undo(&self) -> bool {
        match self {
            Change::Status { undo, .. }
            | Change::NoteEdited { undo, .. }
            | Change::NoteRemoved { undo, .. }
            | Change::Move { undo, .. }
            | Change::Goal { undo, .. } => *undo,
            Change::NoteRestored { .. } => true,
            Change::Note { .. } | Change::Import { .. } | Change::PeriodRenamed { .. } => false,
        }
    }

    /// True for the events that change a task's notes.
    pub fn is_note(&self) -> bool {
        matches!(
            self,
            Change::Note { .. }
                | Change::NoteEdited { .. }
                | Change::NoteRemoved { .. }
                | Change::NoteRestored { .. }
        )
    }
}

/// One history event: task, what changed, when, by which OS user, with an optional note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Sequence number, unique and increasing within a database.
    pub seq: u64,
    pub task: u32,
    pub at: DateTime<Utc>,
    pub user: String,
    #[serde(flatten)]
    pub change: Change,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_parses_ids_labels_and_digits() {
        assert_eq!("behind".parse::<Status>(), Ok(Status::Behind));
        assert_eq!("严重滞后".parse::<Status>(), Ok(Status::SeriouslyBehind));
        assert_eq!("5".parse::<Status>(), Ok(Status::Done));
        assert_eq!(
            "seriously-behind".parse::<Status>(),
            Ok(Status::SeriouslyBehind)
        );
        assert!("6".parse::<Status>().is_err());
        assert!("late".parse::<Status>().is_err());
    }

    #[test]
    fn status_cycles_both_ways_through_all_five() {
        let mut s = Status::NotStarted;
        for _ in 0..5 {
            assert_eq!(s.next().prev(), s);
            s = s.next();
        }
        assert_eq!(s, Status::NotStarted);
        assert_eq!(Status::NotStarted.prev(), Status::Done);
    }

    /// Events as older duban versions stored them (no `undo` on moves and goal corrections)
    /// still decode, and the same edits made now are stored byte for byte as before.
    #[test]
    fn events_stored_by_older_versions_decode_and_plain_edits_store_as_before() {
        let old = [
            r#"{"seq":7,"task":14,"at":"2020-08-14T10:00:00Z","user":"li","kind":"move","from":"ecology","to":"reform"}"#,
            r#"{"seq":8,"task":14,"at":"2020-08-14T10:00:00Z","user":"li","kind":"goal","from":"旧","to":"新"}"#,
            r#"{"seq":9,"task":14,"at":"2020-08-14T10:00:00Z","user":"li","kind":"note","text":"约谈"}"#,
            r#"{"seq":10,"task":14,"at":"2020-08-14T10:00:00Z","user":"li","kind":"status","from":"not_started","to":"behind","undo":true,"note":"撤销"}"#,
        ];
        let events: Vec<Event> = old
            .iter()
            .map(|j| serde_json::from_str(j).expect("an old event decodes"))
            .collect();
        assert_eq!(
            events[0].change,
            Change::Move {
                from: Domain::Ecology,
                to: Domain::Reform,
                undo: false
            }
        );
        assert!(!events[1].change.is_undo() && events[1].change.is_undoable());
        assert!(events[2].change.is_note() && !events[2].change.is_undo());
        assert!(events[3].change.is_undo());
        for (json, event) in old.iter().zip(&events) {
            assert_eq!(&serde_json::to_string(event).unwrap(), json);
        }
        let undone = Event {
            change: Change::Goal {
                from: "新".into(),
                to: "旧".into(),
                undo: true,
            },
            ..events[1].clone()
        };
        let json = serde_json::to_string(&undone).unwrap();
        assert!(json.contains(r#""undo":true"#), "{json}");
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), undone);
    }

    #[test]
    fn note_events_apply_to_the_note_they_name_and_to_no_other() {
        let at = |s: u32| DateTime::<Utc>::from_timestamp(1_600_000_000 + i64::from(s), 0).unwrap();
        let mut task = Task {
            number: 1,
            section: None,
            goal: "g".into(),
            goal_edited: false,
            lead_units: Vec::new(),
            co_units: Vec::new(),
            domain: Domain::Reform,
            domain_decision: DomainDecision {
                rule: "r".into(),
                reason: String::new(),
                manual: false,
            },
            status: Status::NotStarted,
            notes: Vec::new(),
            periods: Vec::new(),
        };
        // Two notes of one import: same time, same author.
        for text in ["甲", "乙"] {
            task.notes.push(Note {
                at: at(1),
                user: "li".into(),
                text: text.into(),
            });
        }
        let event = |change| Event {
            seq: 1,
            task: 1,
            at: at(5),
            user: "wang".into(),
            change,
            note: None,
        };
        let removed = event(Change::NoteRemoved {
            index: 2,
            author: "li".into(),
            written: at(1),
            text: "乙".into(),
            undo: false,
        });
        assert!(task.apply_note_event(&removed));
        assert_eq!(task.notes.len(), 1);
        assert_eq!(task.notes[0].text, "甲");
        assert!(!task.apply_note_event(&removed), "no such note any more");
        let edited = event(Change::NoteEdited {
            index: 7,
            author: "li".into(),
            written: at(1),
            from: "甲".into(),
            to: "丙".into(),
            undo: false,
        });
        assert!(task.apply_note_event(&edited));
        assert_eq!(task.notes[0].text, "丙");
        let restored = event(Change::NoteRestored {
            index: usize::MAX,
            author: "li".into(),
            written: at(1),
            text: "乙".into(),
        });
        assert!(task.apply_note_event(&restored));
        assert_eq!(task.notes[1].text, "乙");
        let restored_first = event(Change::NoteRestored {
            index: 0,
            author: "li".into(),
            written: at(0),
            text: "丁".into(),
        });
        assert!(task.apply_note_event(&restored_first));
        assert_eq!(task.notes[0].text, "丁");
        assert!(!task.apply_note_event(&event(Change::Status {
            from: Status::NotStarted,
            to: Status::Done,
            undo: false
        })));
    }

    #[test]
    fn domain_parses_id_and_chinese() {
        assert_eq!("改革".parse::<Domain>(), Ok(Domain::Reform));
        assert_eq!("Ecology".parse::<Domain>(), Ok(Domain::Ecology));
        assert!("culture".parse::<Domain>().is_err());
    }
}
