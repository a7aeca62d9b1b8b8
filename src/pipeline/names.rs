//! What the pipeline calls things in every output: a unit, the whole city, a
//! group of a breakdown, the reference statistics' source, who a source's
//! figures are about, the compared municipalities.

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

    /// Who an indicator's city-wide figures are about, as the pipeline says
    /// it ("romska svarande i hela staden"), so that a survey's share and the
    /// city's own are never both just "hela staden".
    pub fn who_of(&self, source: Source) -> String {
        let said = match source {
            Source::Survey => self.survey.as_ref().and_then(|s| s.who.clone()),
            Source::Reference => self.reference.as_ref().and_then(|r| r.who.clone()),
            _ => None,
        };
        said.unwrap_or_else(|| match source {
            Source::Survey => "de svarande i hela staden".into(),
            _ => "hela staden".into(),
        })
    }

    /// The same for an indicator; a gap is its two sides' ("romska svarande
    /// i hela staden minus alla invånare i staden").
    pub fn who(&self, ind: &super::Indicator) -> String {
        let side = |id: &str| self.indicator(id).map(|i| self.who_of(i.source));
        match &ind.derived {
            Some(d) => match (side(&d.minuend), side(&d.subtrahend)) {
                (Some(a), Some(b)) if a != b => format!("{a} minus {b}"),
                (Some(a), _) => a,
                _ => self.who_of(ind.source),
            },
            None => self.who_of(ind.source),
        }
    }

    /// The municipalities shown beside the reference series: (id, name).
    pub fn compared(&self) -> &[(String, String)] {
        self.reference.as_ref().map_or(&[], |r| &r.compare)
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
}
