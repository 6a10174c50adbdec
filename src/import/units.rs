//! Unit names: splitting a cell into names, and resolving each name to its canonical form
//! through the alias file (`data/unit_aliases.toml`).

use super::RawUnits;
use crate::model::Unit;
use std::collections::HashMap;

/// The alias table: written name → canonical name.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    to_canonical: HashMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
#[error("unit alias file is not valid: {0}")]
pub struct AliasError(String);

impl Aliases {
    /// The alias file shipped with duban.
    pub fn builtin() -> Aliases {
        Aliases::parse(include_str!("../../data/unit_aliases.toml"))
            .expect("the shipped data/unit_aliases.toml parses (tested)")
    }

    pub fn parse(toml_text: &str) -> Result<Aliases, AliasError> {
        let table: HashMap<String, Vec<String>> =
            toml::from_str(toml_text).map_err(|e| AliasError(e.to_string()))?;
        let mut to_canonical = HashMap::new();
        for (canonical, aliases) in table {
            for a in aliases {
                to_canonical.insert(normalize(&a), canonical.clone());
            }
            to_canonical.insert(normalize(&canonical), canonical.clone());
        }
        Ok(Aliases { to_canonical })
    }

    pub fn canonical(&self, written: &str) -> String {
        self.to_canonical
            .get(&normalize(written))
            .cloned()
            .unwrap_or_else(|| normalize(written))
    }

    pub fn unit(&self, written: &str) -> Unit {
        Unit {
            written: written.to_string(),
            canonical: self.canonical(written),
        }
    }

    /// Every canonical name the alias file knows.
    pub fn canonical_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.to_canonical.values().cloned().collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Width-folds parentheses and drops spaces, so `各县(市)区政府` and `各县(市)区政府` match.
pub fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '(',
            ')' => ')',
            c => c,
        })
        .collect()
}

/// Splits a units cell into names on `、` `,` `,` `;` `;` and runs of spaces.
pub fn split_list(cell: &str) -> Vec<String> {
    cell.split(['、', ',', ',', ';', ';', ' ', '\u{3000}', '\u{a0}', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Lead and co unit names of a row.
pub fn resolve(units: &RawUnits) -> (Vec<String>, Vec<String>) {
    match units {
        RawUnits::Columns { lead, co } => (split_list(lead), split_list(co)),
        RawUnits::SingleColumn(cell) => {
            let mut all = split_list(cell);
            if all.is_empty() {
                (all, Vec::new())
            } else {
                let rest = all.split_off(1);
                (all, rest)
            }
        }
        RawUnits::Split { lead, co } => (lead.clone(), co.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_aliases_make_one_unit_of_three_spellings() {
        let a = Aliases::builtin();
        assert_eq!(a.canonical("市发改委"), "市发展和改革委员会");
        assert_eq!(a.canonical("市发展改革委"), "市发展和改革委员会");
        assert_eq!(a.canonical("市发展和改革委员会"), "市发展和改革委员会");
        assert_eq!(a.canonical("市住建局"), "市住房和城乡建设局");
        assert_eq!(a.canonical("市扶贫办"), "市扶贫办");
    }
}
