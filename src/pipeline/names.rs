//! What the pipeline calls things in every output: a unit, the whole city, a
//! group of a breakdown, the reference statistics' source, how much of a sum
//! came in.

use super::{CITY, GroupKey, Pipeline, Source};

impl Pipeline {
    /// A unit's name, or the whole city's.
    pub fn unit_name(&self, id: &str) -> String {
        if id == CITY {
            "Hela staden".into()
        } else {
            self.unit(id)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| id.to_string())
        }
    }

    /// ("Kön", "Kvinna"), ("Kön × Åldersgrupp", "Kvinna, 16–29 år"), ("Totalt", "Totalt").
    pub fn group_label(&self, key: &GroupKey) -> (String, String) {
        if key.is_total() {
            return ("Totalt".into(), "Totalt".into());
        }
        let titles: Vec<String> = key
            .parts()
            .map(|(b, _)| {
                self.breakdown(b)
                    .map(|x| x.title.clone())
                    .unwrap_or_else(|| b.to_string())
            })
            .collect();
        let labels: Vec<String> = key
            .parts()
            .map(|(b, g)| {
                self.breakdown(b)
                    .and_then(|x| x.groups.iter().find(|gg| gg.id == g))
                    .map(|gg| gg.label.clone())
                    .unwrap_or_else(|| g.to_string())
            })
            .collect();
        (titles.join(" × "), labels.join(", "))
    }

    /// The reference statistics' source by name, as the pipeline gives it.
    pub fn reference_name(&self) -> &str {
        self.reference
            .as_ref()
            .map(|r| r.name.as_str())
            .unwrap_or("referensstatistik")
    }

    /// What a source is called under a chart: where the numbers come from.
    pub fn source_long(&self, s: Source) -> String {
        let reference = self.reference_name();
        match s {
            Source::Return => "nämndernas återrapportering".to_string(),
            Source::Survey => "enkät".to_string(),
            Source::Reference => format!("{reference} (referensstatistik)"),
            Source::Derived => format!("enkät och {reference}, beräknat"),
        }
    }

    /// How much of a city value came in: "2019: 14 av 15 enheter ingår i
    /// summan (saknas: Skärholmens stadsdelsnämnd)". Not "har rapporterat": a
    /// unit that handed in a refused or blank value is missing from the sum
    /// too. Up to three missing units are named; more are counted.
    pub fn coverage(
        &self,
        year: i32,
        reported: usize,
        expected: usize,
        missing: &[String],
    ) -> String {
        let names = if missing.len() <= 3 {
            missing
                .iter()
                .map(|u| self.unit_name(u))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!("{} enheter", missing.len())
        };
        let enheter = if expected == 1 { "enhet" } else { "enheter" };
        format!("{year}: {reported} av {expected} {enheter} ingår i summan (saknas: {names})")
    }
}
