//! The units screen: every responsible unit of the tab, the most lagging first (the ranking
//! of `crate::units`), filtered by the search's words; opening a unit lists its tasks.

use super::{keep_visible, movement, Effect, Screen, State, UnitRow, TABS};
use crate::ui::action::Action;

impl State {
    /// Every unit with its task counts, in the current tab, the most lagging first (the
    /// ranking `duban units` prints), filtered by the search's words.
    pub fn unit_rows(&self) -> Vec<UnitRow> {
        let rows = crate::units::unit_summaries(self.tasks.iter().filter(|t| self.in_tab(t)));
        let Some(q) = self.unit_filter() else {
            return rows;
        };
        // Each unit's names as the reports wrote them too (`市住建局` for
        // 市住房和城乡建设局): the search matches either, in part or in pinyin.
        let mut written: std::collections::HashMap<&str, Vec<&str>> =
            std::collections::HashMap::new();
        for t in self.tasks.iter().filter(|t| self.in_tab(t)) {
            for u in t.lead_units.iter().chain(&t.co_units) {
                let forms = written.entry(u.canonical.as_str()).or_default();
                if u.written != u.canonical && !forms.contains(&u.written.as_str()) {
                    forms.push(u.written.as_str());
                }
            }
        }
        rows.into_iter()
            .filter(|r| {
                let forms = written
                    .get(r.unit.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let names = std::iter::once(r.unit.as_str()).chain(forms.iter().copied());
                crate::search::names_match(names, &q)
            })
            .collect()
    }

    /// What the units view filters names by: the search's words, `@`/`unit:` dropped,
    /// lowercased.
    pub(super) fn unit_filter(&self) -> Option<String> {
        let q = self.search.as_deref()?.trim();
        let q = ["@", "＠", "unit:", "单位:"]
            .iter()
            .find_map(|p| q.strip_prefix(p))
            .unwrap_or(q)
            .trim();
        (!q.is_empty()).then(|| q.to_lowercase())
    }

    pub(super) fn units_action(&mut self, action: Action) -> Vec<Effect> {
        if matches!(action, Action::Units) {
            return Vec::new();
        }
        if let Some(e) = self.shared_action(None, &action) {
            return e;
        }
        if let Some((delta, page)) = movement(&action, self.list_rows()) {
            self.move_units(delta, page);
            return Vec::new();
        }
        match action {
            Action::NextTab => self.switch_tab(1),
            Action::PrevTab => self.switch_tab(TABS - 1),
            Action::Open => {
                if let Some(Screen::Units {
                    selected: Some(name),
                    ..
                }) = self.screen()
                {
                    let unit = name.clone();
                    // The unit's tasks are listed without the unit-name filter that found it.
                    self.set_search(None);
                    self.stack.push(Screen::UnitTasks {
                        unit,
                        selected: None,
                        offset: 0,
                    });
                    self.fix_scroll();
                }
            }
            Action::Back => {
                if self.search.is_some() {
                    self.set_search(None);
                    self.info(crate::lang::t("已清除搜索", "search cleared"));
                } else {
                    self.stack.pop();
                }
                self.fix_scroll();
            }
            Action::Search => self.open_search(),
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn move_units(&mut self, delta: isize, page: bool) {
        let units = self.unit_rows();
        if units.is_empty() {
            return;
        }
        let rows = self.list_rows();
        if let Some(Screen::Units { selected, offset }) = self.stack.last_mut() {
            let cur = selected
                .as_ref()
                .and_then(|s| units.iter().position(|u| &u.unit == s))
                .unwrap_or(0);
            let idx = (cur as isize)
                .saturating_add(delta)
                .clamp(0, units.len() as isize - 1) as usize;
            if page {
                *offset = (*offset as isize + delta).max(0) as usize;
            }
            *offset = keep_visible(*offset, idx, rows, units.len());
            *selected = Some(units[idx].unit.clone());
        }
    }
}
