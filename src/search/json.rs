//! The `duban search --json` shape: `{"query", "total", "results": [...]}` with each result a
//! task summary plus where and how it matched; `suggestions` when nothing matched.

use super::Results;
use crate::model::Task;
use serde_json::{json, Value};
use std::collections::HashMap;

/// `{"query": …, "total": N, "results": [{"number", "score", "field", "text", "highlights",
/// "place", "goal", "goal_highlights", "status", "status_label", "domain", "lead_units",
/// "co_units"}]}`
/// in rank order, at most `limit` results (0: all). Adds `"suggestions"` (nearest unit
/// names) when there are no results, and `"warnings"` when the query had problems.
pub fn results_json(query: &str, results: &Results, tasks: &[Task], limit: usize) -> Value {
    let by_number: HashMap<u32, &Task> = tasks.iter().map(|t| (t.number, t)).collect();
    let limit = if limit == 0 { usize::MAX } else { limit };
    let items: Vec<Value> = results
        .hits
        .iter()
        .take(limit)
        .map(|h| {
            let mut v = json!({
                "number": h.number,
                "score": h.score,
                "field": h.field.name(),
                "goal_highlights": h.goal_highlights(),
            });
            if let (Some(t), Some(obj)) = (by_number.get(&h.number), v.as_object_mut()) {
                let (text, highlights) = h.text_and_highlights(t);
                obj.insert("text".into(), json!(text));
                obj.insert("highlights".into(), json!(highlights));
                obj.insert("place".into(), json!(h.place(t)));
                obj.insert("goal".into(), json!(t.goal));
                obj.insert("status".into(), json!(t.status.id()));
                obj.insert("status_label".into(), json!(t.status.label()));
                obj.insert("domain".into(), json!(t.domain.id()));
                let names = |us: &[crate::model::Unit]| {
                    us.iter().map(|u| u.written.clone()).collect::<Vec<_>>()
                };
                obj.insert("lead_units".into(), json!(names(&t.lead_units)));
                obj.insert("co_units".into(), json!(names(&t.co_units)));
            }
            v
        })
        .collect();
    let mut out = json!({
        "query": query,
        "total": results.hits.len(),
        "results": items,
    });
    if let Some(obj) = out.as_object_mut() {
        if results.hits.is_empty() {
            obj.insert("suggestions".into(), json!(results.suggestions));
        }
        if !results.query.warnings.is_empty() {
            obj.insert("warnings".into(), json!(results.query.warnings));
        }
    }
    out
}
