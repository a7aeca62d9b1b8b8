//! Each indicator: what it refers to, its years, its values, and how it is
//! derived or published.

use super::{Checker, suggest};
use crate::pipeline::{Indicator, MeasureUnit, Publication, Source};

/// An indicator's measure, responsible units and breakdowns exist.
pub(super) fn check_indicator_refs(c: &mut Checker<'_>, path: &str, ind: &Indicator) {
    let p = c.p;
    if p.measure(&ind.measure).is_none() {
        c.at(
            format!("{path}.measure"),
            format!(
                "okänd åtgärd \"{}\"; ange ett id från [[measures]]{}",
                ind.measure,
                suggest(&ind.measure, p.measures.iter().map(|m| m.id.as_str()))
            ),
        );
    }
    c.responsible(path, &format!("indikatorn {}", ind.id), &ind.responsible);
    for (bi, b) in ind.breakdowns.iter().enumerate() {
        if p.breakdown(b).is_none() {
            c.at(
                format!("{path}.breakdowns[{bi}]"),
                format!(
                    "okänd indelning \"{b}\"; ange ett id från [[breakdowns]]{}",
                    suggest(b, p.breakdowns.iter().map(|b| b.id.as_str()))
                ),
            );
        } else if ind.breakdowns[..bi].contains(b) {
            c.at(
                format!("{path}.breakdowns[{bi}]"),
                format!("indelningen \"{b}\" står två gånger"),
            );
        }
    }
    if ind.crossed && ind.breakdowns.len() < 2 {
        c.at(
            format!("{path}.crossed"),
            "crossed = true kräver minst två indelningar i `breakdowns`".into(),
        );
    }
}

/// The baseline and targets fall in the period, one target a year.
pub(super) fn check_indicator_years(c: &mut Checker<'_>, path: &str, ind: &Indicator) {
    let p = c.p;
    let period = p.strategy.period;
    if let Some(b) = ind.baseline
        && b.year > period.to
    {
        c.at(
            format!("{path}.baseline.year"),
            format!(
                "utgångsläget {} ligger efter strategins period {}–{}",
                b.year, period.from, period.to
            ),
        );
    }
    let mut target_years: Vec<i32> = Vec::new();
    for (ti, t) in ind.targets.iter().enumerate() {
        if !period.contains(t.year) {
            c.at(
                format!("{path}.targets[{ti}].year"),
                format!(
                    "målåret {} ligger utanför strategins period {}–{}",
                    t.year, period.from, period.to
                ),
            );
        }
        if target_years.contains(&t.year) {
            c.at(
                format!("{path}.targets[{ti}].year"),
                format!("målvärde för {} anges två gånger", t.year),
            );
        }
        target_years.push(t.year);
    }
}

/// Baselines and targets are plausible for the indicator's unit.
pub(super) fn check_indicator_values(c: &mut Checker<'_>, path: &str, ind: &Indicator) {
    for (what, v) in ind
        .baseline
        .iter()
        .map(|b| ("baseline.value".to_string(), b.value))
        .chain(
            ind.targets
                .iter()
                .enumerate()
                .map(|(ti, t)| (format!("targets[{ti}].value"), t.value)),
        )
    {
        let bad = match ind.unit {
            MeasureUnit::Andel => !(0.0..=1.0).contains(&v),
            MeasureUnit::Antal => v < 0.0,
            MeasureUnit::Procentenheter => !(-100.0..=100.0).contains(&v),
        };
        if bad {
            let hint = match ind.unit {
                MeasureUnit::Andel => {
                    "en andel anges som ett tal mellan 0 och 1, t.ex. 0.35 för 35 %"
                }
                MeasureUnit::Antal => "ett antal kan inte vara negativt",
                MeasureUnit::Procentenheter => "procentenheter ligger mellan -100 och 100",
            };
            c.at(
                format!("{path}.{what}"),
                format!("värdet {v} är orimligt: {hint}"),
            );
        }
    }
}

/// A derived indicator says what it is derived from, and only a derived one.
pub(super) fn check_derivation(c: &mut Checker<'_>, path: &str, ind: &Indicator) {
    let p = c.p;
    match (&ind.derived, ind.source) {
        (None, Source::Derived) => c.at(
            format!("{path}.source"),
            "en härledd indikator (source = \"derived\") behöver `derived = { minuend = \"…\", subtrahend = \"…\" }`".into(),
        ),
        (Some(_), s) if s != Source::Derived => c.at(
            format!("{path}.derived"),
            "`derived` gäller bara indikatorer med source = \"derived\"".into(),
        ),
        (Some(d), _) => {
            for (key, r) in [("minuend", &d.minuend), ("subtrahend", &d.subtrahend)] {
                if p.indicator(r).is_none() {
                    c.at(
                        format!("{path}.derived.{key}"),
                        format!(
                            "okänd indikator \"{r}\"; ange ett id från [[indicators]]{}",
                            super::suggest(r, p.indicators.iter().map(|i| i.id.as_str()))
                        ),
                    );
                }
            }
        }
        _ => {}
    }
}

/// Indicators published for the city only are declared so.
pub(super) fn check_city_only(c: &mut Checker<'_>) {
    let p = c.p;
    for (i, id) in p.disclosure.city_only.iter().enumerate() {
        let path = format!("disclosure.city_only[{i}]");
        match p.indicator(id) {
            None => c.at(
                path,
                format!(
                    "okänd indikator \"{id}\"; ange ett id från [[indicators]]{}",
                    super::suggest(id, p.indicators.iter().map(|i| i.id.as_str()))
                ),
            ),
            Some(ind) if ind.publication != Publication::City => c.at(
                path,
                format!(
                    "{id} ska bara publiceras för hela staden, men indikatorn har publication = \"unit\"; sätt publication = \"city\" på indikatorn"
                ),
            ),
            Some(_) => {}
        }
    }
}
