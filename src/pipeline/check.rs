//! Cross-checks a pipeline whose fields all read: references resolve, ids are
//! unique, years fall in the period, and responsibility matches the units that
//! existed.

use std::collections::HashMap;

use super::*;

struct Checker<'p> {
    p: &'p Pipeline,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn at(&mut self, path: String, message: String) {
        let line = self.p.line_of(&path);
        self.problems.push(Problem {
            line,
            path,
            message,
        });
    }

    /// Reports ids used twice within one list.
    fn unique<'a>(&mut self, list: &str, what: &str, ids: impl Iterator<Item = (String, &'a str)>) {
        let mut seen: HashMap<&str, String> = HashMap::new();
        for (path, id) in ids {
            if let Some(first) = seen.get(id) {
                let first_line = self
                    .p
                    .line_of(first)
                    .map(|l| format!(" (rad {l})"))
                    .unwrap_or_default();
                self.at(
                    path,
                    format!(
                        "{what} \"{id}\" finns redan i {first}{first_line}; varje id i [[{list}]] måste vara unikt"
                    ),
                );
            } else {
                seen.insert(id, path);
            }
        }
    }

    fn responsible(&mut self, path: &str, what: &str, refs: &[String]) {
        let p = self.p;
        if refs.is_empty() {
            self.at(
                join_key(path, "responsible"),
                format!(
                    "{what} har ingen ansvarig enhet; ange minst en i `responsible`, t.ex. responsible = [\"{}\"]",
                    p.units.first().map(|u| u.id.as_str()).unwrap_or("ks")
                ),
            );
        }
        for (i, r) in refs.iter().enumerate() {
            let rpath = format!("{path}.responsible[{i}]");
            if let Some(u) = p.unit(r) {
                let missing: Vec<i32> = p
                    .strategy
                    .period
                    .years()
                    .filter(|y| !u.reports_in(*y))
                    .collect();
                if !missing.is_empty() {
                    self.at(
                        rpath,
                        format!(
                            "{what} har \"{r}\" som ansvarig, men {} fanns inte (den 31 december) år {}; ange den enhet som fanns, eller gruppen för enheter av samma slag",
                            u.name,
                            years_text(&missing)
                        ),
                    );
                }
            } else if let Some(g) = p.unit_group(r) {
                let empty: Vec<i32> = p
                    .strategy
                    .period
                    .years()
                    .filter(|y| !p.units_reporting(*y).any(|u| u.kind == g.kind))
                    .collect();
                if !empty.is_empty() {
                    self.at(
                        rpath,
                        format!("gruppen \"{r}\" har inga enheter år {}", years_text(&empty)),
                    );
                }
            } else {
                self.at(
                    rpath,
                    format!(
                        "okänd enhet \"{r}\"; ange ett id från [[units]] eller [[unit_groups]]{}",
                        suggest(
                            r,
                            p.units
                                .iter()
                                .map(|u| u.id.as_str())
                                .chain(p.unit_groups.iter().map(|g| g.id.as_str()))
                        )
                    ),
                );
            }
        }
    }
}

fn join_key(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

fn years_text(years: &[i32]) -> String {
    match years {
        [] => String::new(),
        [y] => y.to_string(),
        [first, .., last] if (*last - *first) as usize + 1 == years.len() => {
            format!("{first}–{last}")
        }
        _ => years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// " (menade du \"X\"?)" for the nearest known ids, if any is close.
fn suggest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> String {
    let lower = word.to_lowercase();
    let scored: Vec<(usize, &str)> = known
        .map(|k| (super::read::edit_distance(&lower, &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= 1.max(lower.chars().count() / 3))
        .collect();
    let Some(best) = scored.iter().map(|(d, _)| *d).min() else {
        return String::new();
    };
    let names: Vec<String> = scored
        .iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, k)| format!("\"{k}\""))
        .collect();
    // Many equally near ids are no help.
    if names.len() > 2 {
        return String::new();
    }
    format!(" (menade du {}?)", names.join(" eller "))
}

pub(super) fn check(p: &Pipeline) -> Vec<Problem> {
    let mut c = Checker {
        p,
        problems: Vec::new(),
    };
    check_period(&mut c);
    check_unique_ids(&mut c);
    check_reserved_ids(&mut c);
    check_safe_ids(&mut c);
    check_output(&mut c);
    check_breakdowns(&mut c);
    check_units(&mut c);
    check_tree(&mut c);
    for (i, ind) in p.indicators.iter().enumerate() {
        let path = format!("indicators[{i}]");
        check_indicator_refs(&mut c, &path, ind);
        check_indicator_years(&mut c, &path, ind);
        check_indicator_values(&mut c, &path, ind);
        check_derivation(&mut c, &path, ind);
    }
    check_survey(&mut c);
    check_reference(&mut c);
    check_city_only(&mut c);
    c.problems
}

/// The period runs forward.
fn check_period(c: &mut Checker<'_>) {
    let p = c.p;
    let period = p.strategy.period;
    if period.from > period.to {
        c.at(
            "strategy.period".into(),
            format!(
                "perioden börjar ({}) efter att den slutar ({})",
                period.from, period.to
            ),
        );
    }
}

/// Ids are unique within each list.
fn check_unique_ids(c: &mut Checker<'_>) {
    let p = c.p;
    // Unique ids. Units and unit groups share a namespace: `responsible` names either.
    c.unique(
        "units",
        "enheten",
        p.units
            .iter()
            .enumerate()
            .map(|(i, u)| (format!("units[{i}].id"), u.id.as_str()))
            .chain(
                p.unit_groups
                    .iter()
                    .enumerate()
                    .map(|(i, g)| (format!("unit_groups[{i}].id"), g.id.as_str())),
            ),
    );
    c.unique(
        "areas",
        "området",
        p.areas
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("areas[{i}].id"), a.id.as_str())),
    );
    c.unique(
        "goals",
        "målet",
        p.goals
            .iter()
            .enumerate()
            .map(|(i, g)| (format!("goals[{i}].id"), g.id.as_str())),
    );
    c.unique(
        "measures",
        "åtgärden",
        p.measures
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("measures[{i}].id"), m.id.as_str())),
    );
    c.unique(
        "indicators",
        "indikatorn",
        p.indicators
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("indicators[{i}].id"), m.id.as_str())),
    );
    c.unique(
        "breakdowns",
        "indelningen",
        p.breakdowns
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("breakdowns[{i}].id"), b.id.as_str())),
    );
}

/// `stad` (the whole city) and `total` (a total), and `+` (which joins
/// crossed keys), mean something in the indicator table: no id may be them.
fn check_reserved_ids(c: &mut Checker<'_>) {
    let p = c.p;
    let units = p
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (format!("units[{i}].id"), u.id.as_str()));
    let groups = p
        .unit_groups
        .iter()
        .enumerate()
        .map(|(i, g)| (format!("unit_groups[{i}].id"), g.id.as_str()));
    let breakdowns = p.breakdowns.iter().enumerate().flat_map(|(bi, b)| {
        std::iter::once((format!("breakdowns[{bi}].id"), b.id.as_str())).chain(
            b.groups
                .iter()
                .enumerate()
                .map(move |(gi, g)| (format!("breakdowns[{bi}].groups[{gi}].id"), g.id.as_str())),
        )
    });
    let ids: Vec<(String, &str)> = units.chain(groups).chain(breakdowns).collect();
    for (path, id) in ids {
        if id == CITY || id == TOTAL {
            c.at(
                path,
                format!("id:t \"{id}\" är reserverat (\"{CITY}\" är hela staden och \"{TOTAL}\" en totalsumma i indikatortabellen); välj ett annat id"),
            );
        } else if id.contains(CROSS) {
            c.at(
                path,
                format!("id:t \"{id}\" får inte innehålla \"{CROSS}\", som fogar ihop korsade indelningar i indikatortabellen; välj ett annat id"),
            );
        }
    }
}

/// The output and charts folders keep clear of every folder the pipeline reads.
fn check_output(c: &mut Checker<'_>) {
    let p = c.p;
    let mut folders = vec![("output.dir", p.resolve(&p.output.dir))];
    if let Some(charts) = &p.output.charts {
        folders.push(("output.charts", p.resolve(charts)));
    }
    for (path, dir) in folders {
        if let Some(message) = p.output_clash(&dir) {
            c.at(path.to_string(), message);
        }
    }
}

/// The longest id: ids become file names.
const MAX_ID_CHARS: usize = 64;

/// Every id of the pipeline with the path it is at: units, unit groups,
/// areas, goals, measures, indicators, breakdowns and their groups.
fn all_ids<'p>(p: &'p Pipeline) -> Vec<(String, &'p str)> {
    let mut ids: Vec<(String, &'p str)> = Vec::new();
    let mut list = |name: &str, items: Vec<&'p str>| {
        for (i, id) in items.into_iter().enumerate() {
            ids.push((format!("{name}[{i}].id"), id));
        }
    };
    list("units", p.units.iter().map(|u| u.id.as_str()).collect());
    list(
        "unit_groups",
        p.unit_groups.iter().map(|g| g.id.as_str()).collect(),
    );
    list("areas", p.areas.iter().map(|a| a.id.as_str()).collect());
    list("goals", p.goals.iter().map(|g| g.id.as_str()).collect());
    list(
        "measures",
        p.measures.iter().map(|m| m.id.as_str()).collect(),
    );
    list(
        "indicators",
        p.indicators.iter().map(|m| m.id.as_str()).collect(),
    );
    list(
        "breakdowns",
        p.breakdowns.iter().map(|b| b.id.as_str()).collect(),
    );
    for (bi, b) in p.breakdowns.iter().enumerate() {
        for (gi, g) in b.groups.iter().enumerate() {
            ids.push((format!("breakdowns[{bi}].groups[{gi}].id"), g.id.as_str()));
        }
    }
    ids
}

/// Ids become file names (`amn-2022.xlsx`, `UTB-3.svg`), so each must be a
/// safe one: NFC, letters, digits, `-` and `_` only, not too long, and not
/// the same as another id of its list but for case.
fn check_safe_ids(c: &mut Checker<'_>) {
    use unicode_normalization::{UnicodeNormalization, is_nfc};
    let p = c.p;
    let mut folded: HashMap<(String, String), (String, &str)> = HashMap::new();
    for (path, id) in all_ids(p) {
        let bad = id
            .chars()
            .find(|ch| !(ch.is_alphanumeric() || *ch == '-' || *ch == '_'));
        let problem = if id.is_empty() {
            Some("id:t är tomt".to_string())
        } else if !is_nfc(id) {
            Some(format!(
                "id:t \"{}\" är skrivet med fristående accenttecken (inte Unicode NFC), så det ser ut som ett annat id men är det inte; skriv om det",
                id.escape_debug()
            ))
        } else if let Some(ch) = bad {
            Some(format!(
                "id:t \"{}\" innehåller tecknet {:?}; ett id blir filnamn och får bara ha bokstäver, siffror, - och _",
                id.escape_debug(),
                ch
            ))
        } else if id.chars().count() > MAX_ID_CHARS {
            Some(format!(
                "id:t är längre än {MAX_ID_CHARS} tecken; ett id blir filnamn och ska vara kort"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            c.at(path, message);
            continue;
        }
        // Units' and indicators' ids name files side by side: case must not tell them apart.
        let list = path.split('[').next().unwrap_or("").to_string();
        let key: String = id.nfc().flat_map(char::to_lowercase).collect();
        if let Some((first, first_id)) = folded.get(&(list.clone(), key.clone())) {
            // The very same id twice is told by the uniqueness check.
            if *first_id != id {
                let message = format!(
                    "id:t \"{id}\" skiljer sig bara i stora och små bokstäver från id:t i {first}; filer som namnges efter dem skulle krocka, så välj ett annat id"
                );
                c.at(path, message);
            }
        } else {
            folded.insert((list, key), (path, id));
        }
    }
}

/// Each breakdown has two or more groups, each once.
fn check_breakdowns(c: &mut Checker<'_>) {
    let p = c.p;
    for (bi, b) in p.breakdowns.iter().enumerate() {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (gi, g) in b.groups.iter().enumerate() {
            if let Some(first) = seen.get(g.id.as_str()) {
                c.at(
                    format!("breakdowns[{bi}].groups[{gi}].id"),
                    format!(
                        "gruppen \"{}\" står två gånger i indelningen \"{}\" (första gången som groups[{first}]); ta bort den ena",
                        g.id, b.id
                    ),
                );
            } else {
                seen.insert(&g.id, gi);
            }
        }
        if b.groups.len() < 2 {
            c.at(
                format!("breakdowns[{bi}].groups"),
                format!("indelningen \"{}\" behöver minst två grupper", b.id),
            );
        }
    }
}

/// The owner exists, and the units' history holds together: dates in order, successors that take over the day after.
fn check_units(c: &mut Checker<'_>) {
    let p = c.p;
    if p.unit(&p.strategy.owner).is_none() {
        c.at(
            "strategy.owner".into(),
            format!(
                "okänd enhet \"{}\"; ange ett id från [[units]]",
                p.strategy.owner
            ),
        );
    }
    for (i, u) in p.units.iter().enumerate() {
        if let (Some(from), Some(to)) = (u.valid_from, u.valid_to)
            && from > to
        {
            c.at(
                format!("units[{i}].valid_to"),
                format!("{} upphör ({to}) innan den börjar ({from})", u.name),
            );
        }
        if !u.successors.is_empty() && u.valid_to.is_none() {
            c.at(
                format!("units[{i}].successors"),
                format!(
                    "{} har efterföljare men inget slutdatum; ange valid_to",
                    u.name
                ),
            );
        }
        for (si, s) in u.successors.iter().enumerate() {
            let path = format!("units[{i}].successors[{si}]");
            match p.unit(s) {
                None => c.at(
                    path,
                    format!("okänd efterföljare \"{s}\"; ange ett id från [[units]]"),
                ),
                Some(succ) if s == &u.id => {
                    c.at(path, format!("{} kan inte efterträda sig själv", succ.name))
                }
                Some(succ) => {
                    if let Some(to) = u.valid_to
                        && succ.valid_from != Some(to.next_day())
                    {
                        c.at(
                            path,
                            format!(
                                "{} upphör {to}, så efterföljaren {} ska börja {} (valid_from), men börjar {}",
                                u.name,
                                succ.name,
                                to.next_day(),
                                succ.valid_from
                                    .map(|d| d.to_string())
                                    .unwrap_or_else(|| "utan datum".into())
                            ),
                        );
                    }
                }
            }
        }
    }
    for (i, g) in p.unit_groups.iter().enumerate() {
        if !p.units.iter().any(|u| u.kind == g.kind) {
            c.at(
                format!("unit_groups[{i}].kind"),
                format!("gruppen \"{}\" har inga enheter av sitt slag", g.id),
            );
        }
    }
}

/// Goals belong to areas, and measures to goals and to responsible units.
fn check_tree(c: &mut Checker<'_>) {
    let p = c.p;
    for (i, g) in p.goals.iter().enumerate() {
        if !p.areas.iter().any(|a| a.id == g.area) {
            c.at(
                format!("goals[{i}].area"),
                format!(
                    "okänt område \"{}\"; ange ett id från [[areas]]{}",
                    g.area,
                    suggest(&g.area, p.areas.iter().map(|a| a.id.as_str()))
                ),
            );
        }
    }
    for (i, m) in p.measures.iter().enumerate() {
        if p.goal(&m.goal).is_none() {
            c.at(
                format!("measures[{i}].goal"),
                format!(
                    "okänt mål \"{}\"; ange ett id från [[goals]]{}",
                    m.goal,
                    suggest(&m.goal, p.goals.iter().map(|g| g.id.as_str()))
                ),
            );
        }
        c.responsible(
            &format!("measures[{i}]"),
            &format!("åtgärden {}", m.id),
            &m.responsible,
        );
    }
}

/// An indicator's measure, responsible units and breakdowns exist.
fn check_indicator_refs(c: &mut Checker<'_>, path: &str, ind: &Indicator) {
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
fn check_indicator_years(c: &mut Checker<'_>, path: &str, ind: &Indicator) {
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
fn check_indicator_values(c: &mut Checker<'_>, path: &str, ind: &Indicator) {
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
fn check_derivation(c: &mut Checker<'_>, path: &str, ind: &Indicator) {
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
                        format!("okänd indikator \"{r}\"; ange ett id från [[indicators]]"),
                    );
                }
            }
        }
        _ => {}
    }
}

/// Reference series feed reference indicators.
fn check_reference(c: &mut Checker<'_>) {
    let p = c.p;
    if let Some(r) = &p.reference {
        for (i, s) in r.series.iter().enumerate() {
            match p.indicator(&s.indicator) {
                None => c.at(
                    format!("reference.series[{i}].indicator"),
                    format!(
                        "okänd indikator \"{}\"; ange ett id från [[indicators]]",
                        s.indicator
                    ),
                ),
                Some(ind) if ind.source != Source::Reference => c.at(
                    format!("reference.series[{i}].indicator"),
                    format!("{} har inte source = \"reference\"", s.indicator),
                ),
                Some(_) => {}
            }
            // The KPI id names the series' cache file.
            if !s
                .kpi
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
            {
                c.at(
                    format!("reference.series[{i}].kpi"),
                    format!("\"{}\" är inget nyckeltals-id; det får bara ha bokstäver a–z, siffror, - och _ (t.ex. N00914)", s.kpi.escape_debug()),
                );
            }
        }
        if let Some(b) = &r.breakdown {
            check_reference_breakdown(c, b);
        }
    }
}

/// Indicators published for the city only are declared so.
fn check_city_only(c: &mut Checker<'_>) {
    let p = c.p;
    for (i, id) in p.disclosure.city_only.iter().enumerate() {
        let path = format!("disclosure.city_only[{i}]");
        match p.indicator(id) {
            None => c.at(
                path,
                format!("okänd indikator \"{id}\"; ange ett id från [[indicators]]"),
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

/// The reference statistics' groups must be groups of a declared breakdown.
fn check_reference_breakdown(c: &mut Checker<'_>, b: &ReferenceBreakdown) {
    let Some(known) = c.p.breakdown(&b.id) else {
        c.at(
            "reference.breakdown.id".into(),
            format!(
                "okänd indelning \"{}\"; ange ett id från [[breakdowns]]",
                b.id
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

fn check_survey(c: &mut Checker<'_>) {
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
}

/// Survey indicators say what they count, and only they do.
fn check_survey_indicators(c: &mut Checker<'_>) {
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
fn check_survey_breakdowns(c: &mut Checker<'_>, s: &Survey) {
    let p = c.p;
    for b in &s.breakdowns {
        let path = format!("survey.breakdowns.{}", b.id);
        match p.breakdown(&b.id) {
            None => c.at(
                path,
                format!(
                    "okänd indelning \"{}\"; ange ett id från [[breakdowns]]",
                    b.id
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
                            format!("okänd grupp \"{id}\" i indelningen \"{}\"", b.id),
                        );
                    }
                }
            }
        }
    }
}

/// Every variable the survey's indicators and checks need, and where it is named.
fn needed_variables(c: &mut Checker<'_>, s: &Survey) -> Vec<(String, String)> {
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

/// One file a year, in the period, each with a codebook that has every needed variable.
fn check_survey_files(c: &mut Checker<'_>, s: &Survey, needed: &[(String, String)]) {
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
                    "okänd kodbok \"{}\"; ange ett namn under [survey.codebooks]",
                    f.codebook
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
