//! Where numbers come from besides the returns: reference series and the
//! survey with its codebooks.

use super::Checker;
use crate::pipeline::{ReferenceBreakdown, Source, Survey};

/// Reference series feed reference indicators.
pub(super) fn check_reference(c: &mut Checker<'_>) {
    let p = c.p;
    if let Some(r) = &p.reference {
        for (i, s) in r.series.iter().enumerate() {
            match p.indicator(&s.indicator) {
                None => c.at(
                    format!("reference.series[{i}].indicator"),
                    format!(
                        "okänd indikator \"{}\"; ange ett id från [[indicators]]{}",
                        s.indicator,
                        super::suggest(&s.indicator, p.indicators.iter().map(|i| i.id.as_str()))
                    ),
                ),
                Some(ind) if ind.source != Source::Reference => c.at(
                    format!("reference.series[{i}].indicator"),
                    format!("{} har inte source = \"reference\"", s.indicator),
                ),
                Some(_) => {}
            }
            // The KPI ids name the series' cache file and go in URLs.
            for kpi in &s.kpis {
                if kpi.is_empty()
                    || !kpi
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
                {
                    c.at(
                        format!("reference.series[{i}].kpi"),
                        format!("\"{}\" är inget nyckeltals-id; det får bara ha bokstäver a–z, siffror, - och _ (t.ex. N02267)", kpi.escape_debug()),
                    );
                }
            }
        }
        if let Some(b) = &r.breakdown {
            check_reference_breakdown(c, b);
        }
    }
}

/// The reference statistics' groups must be groups of a declared breakdown.
pub(super) fn check_reference_breakdown(c: &mut Checker<'_>, b: &ReferenceBreakdown) {
    let Some(known) = c.p.breakdown(&b.id) else {
        c.at(
            "reference.breakdown.id".into(),
            format!(
                "okänd indelning \"{}\"; ange ett id från [[breakdowns]]{}",
                b.id,
                super::suggest(&b.id, c.p.breakdowns.iter().map(|x| x.id.as_str()))
            ),
        );
        return;
    };
    for (code, group) in &b.groups {
        if !known.groups.iter().any(|g| g.id == *group) {
            c.at(
                format!("reference.breakdown.groups.{code}"),
                format!(
                    "indelningen \"{}\" har ingen grupp \"{group}\"; ange en av {}",
                    b.id,
                    known
                        .groups
                        .iter()
                        .map(|g| format!("\"{}\"", g.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
}

pub(super) fn check_survey(c: &mut Checker<'_>) {
    let p = c.p;
    check_survey_indicators(c);
    let uses_survey = p.indicators.iter().any(|i| i.survey.is_some());
    let Some(s) = &p.survey else {
        if uses_survey {
            c.at(
                "survey".into(),
                "det finns enkätindikatorer men ingen [survey]-del med kodbok och filer".into(),
            );
        }
        return;
    };
    if let Some(v) = &s.coarsen
        && !s.quasi_identifiers.contains(v)
    {
        c.at(
            "survey.coarsen".into(),
            format!("\"{v}\" är inte en av survey.quasi_identifiers"),
        );
    }
    check_survey_breakdowns(c, s);
    let needed = needed_variables(c, s);
    check_survey_files(c, s, &needed);
    check_survey_values(c, s);
}

/// Survey indicators say what they count, and only they do.
pub(super) fn check_survey_indicators(c: &mut Checker<'_>) {
    let p = c.p;
    for (i, ind) in p.indicators.iter().enumerate() {
        let path = format!("indicators[{i}]");
        match (&ind.survey, ind.source) {
            (None, Source::Survey) => c.at(
                format!("{path}.source"),
                format!(
                    "enkätindikatorn {} behöver `survey = {{ variable = \"…\", numerator = [\"…\"] }}` som säger vad som räknas",
                    ind.id
                ),
            ),
            (Some(_), s) if s != Source::Survey => c.at(
                format!("{path}.survey"),
                "`survey` gäller bara indikatorer med source = \"survey\"".into(),
            ),
            _ => {}
        }
    }
}

/// The survey's breakdowns are declared ones, and form every group.
pub(super) fn check_survey_breakdowns(c: &mut Checker<'_>, s: &Survey) {
    let p = c.p;
    for b in &s.breakdowns {
        let path = format!("survey.breakdowns.{}", b.id);
        match p.breakdown(&b.id) {
            None => c.at(
                path,
                format!(
                    "okänd indelning \"{}\"; ange ett id från [[breakdowns]]{}",
                    b.id,
                    super::suggest(&b.id, c.p.breakdowns.iter().map(|x| x.id.as_str()))
                ),
            ),
            Some(pb) => {
                for g in &pb.groups {
                    if !b.groups.iter().any(|(id, _)| id == &g.id) {
                        c.at(
                            format!("{path}.groups"),
                            format!(
                                "gruppen \"{}\" i indelningen \"{}\" saknar värden",
                                g.id, b.id
                            ),
                        );
                    }
                }
                for (id, _) in &b.groups {
                    if !pb.groups.iter().any(|g| &g.id == id) {
                        c.at(
                            format!("{path}.groups.{id}"),
                            format!(
                                "okänd grupp \"{id}\" i indelningen \"{}\"{}",
                                b.id,
                                super::suggest(id, pb.groups.iter().map(|g| g.id.as_str()))
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// Every variable the survey's indicators and checks need, and where it is named.
pub(super) fn needed_variables(c: &mut Checker<'_>, s: &Survey) -> Vec<(String, String)> {
    let p = c.p;
    let mut needed: Vec<(String, String)> = s
        .quasi_identifiers
        .iter()
        .enumerate()
        .map(|(i, v)| (v.clone(), format!("survey.quasi_identifiers[{i}]")))
        .collect();
    needed.extend(s.breakdowns.iter().map(|b| {
        (
            b.variable.clone(),
            format!("survey.breakdowns.{}.variable", b.id),
        )
    }));
    for (i, ind) in p.indicators.iter().enumerate() {
        let Some(m) = &ind.survey else { continue };
        needed.push((
            m.variable.clone(),
            format!("indicators[{i}].survey.variable"),
        ));
        for (v, _) in &m.population {
            needed.push((v.clone(), format!("indicators[{i}].survey.population.{v}")));
        }
        for (bi, b) in ind.breakdowns.iter().enumerate() {
            if s.breakdown(b).is_none() {
                c.at(
                    format!("indicators[{i}].breakdowns[{bi}]"),
                    format!(
                        "enkäten säger inte hur indelningen \"{b}\" bildas; lägg till den under [survey.breakdowns]"
                    ),
                );
            }
        }
    }
    needed
}

/// Every value an indicator counts, keeps or groups by is one some year's
/// codebook can produce: a misspelt answer would otherwise match no one and
/// the indicator be withheld whole, with no hint why.
fn check_survey_values(c: &mut Checker<'_>, s: &Survey) {
    let p = c.p;
    for (i, ind) in p.indicators.iter().enumerate() {
        let Some(m) = &ind.survey else { continue };
        let path = format!("indicators[{i}].survey");
        let mut wanted: Vec<(&str, &str, String)> = m
            .numerator
            .iter()
            .enumerate()
            .map(|(k, v)| {
                (
                    m.variable.as_str(),
                    v.as_str(),
                    format!("{path}.numerator[{k}]"),
                )
            })
            .collect();
        for (var, values) in &m.population {
            wanted.extend(
                values
                    .iter()
                    .map(|v| (var.as_str(), v.as_str(), format!("{path}.population.{var}"))),
            );
        }
        check_values(c, s, &wanted);
    }
    for b in &s.breakdowns {
        let wanted: Vec<(&str, &str, String)> = b
            .groups
            .iter()
            .flat_map(|(g, values)| {
                values.iter().map(move |v| {
                    (
                        b.variable.as_str(),
                        v.as_str(),
                        format!("survey.breakdowns.{}.groups.{g}", b.id),
                    )
                })
            })
            .collect();
        check_values(c, s, &wanted);
    }
}

/// (variable, value, where it is named): each value must be one the
/// codebooks of the survey's files give the variable. A variable no
/// codebook lists codes for is taken as it is, and not checked.
fn check_values(c: &mut Checker<'_>, s: &Survey, wanted: &[(&str, &str, String)]) {
    for (var, value, at) in wanted {
        let mut known: Vec<&str> = s
            .files
            .iter()
            .filter_map(|f| s.codebook(&f.codebook)?.variable(var))
            .flat_map(|v| v.codes.iter().map(|(_, label)| label.as_str()))
            .collect();
        known.sort_unstable();
        known.dedup();
        if known.is_empty() || known.contains(value) {
            continue;
        }
        let hint = super::suggest(value, known.iter().copied());
        c.at(
            at.clone(),
            format!(
                "\"{value}\" är inget värde som kodböckerna ger variabeln \"{var}\"{hint}; värdena är {}",
                known.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")
            ),
        );
    }
}

/// One file a year, in the period, each with a codebook that has every needed variable.
pub(super) fn check_survey_files(c: &mut Checker<'_>, s: &Survey, needed: &[(String, String)]) {
    let p = c.p;
    let mut years: Vec<i32> = Vec::new();
    for (fi, f) in s.files.iter().enumerate() {
        let path = format!("survey.files[{fi}]");
        if !p.strategy.period.contains(f.year) {
            c.at(
                format!("{path}.year"),
                format!(
                    "enkätåret {} ligger utanför strategins period {}–{}",
                    f.year, p.strategy.period.from, p.strategy.period.to
                ),
            );
        }
        if years.contains(&f.year) {
            c.at(
                format!("{path}.year"),
                format!("två enkätfiler för {}", f.year),
            );
        }
        years.push(f.year);
        let Some(cb) = s.codebook(&f.codebook) else {
            c.at(
                format!("{path}.codebook"),
                format!(
                    "okänd kodbok \"{}\"; ange ett namn under [survey.codebooks]{}",
                    f.codebook,
                    super::suggest(&f.codebook, s.codebooks.iter().map(|c| c.id.as_str()))
                ),
            );
            continue;
        };
        for (v, named_at) in needed {
            if cb.variable(v).is_none() {
                c.at(
                    format!("survey.codebooks.{}.variables", cb.id),
                    format!(
                        "kodboken \"{}\" (som enkäten {} använder) saknar variabeln \"{v}\", som {named_at} behöver",
                        cb.id, f.year
                    ),
                );
            }
        }
    }
}
