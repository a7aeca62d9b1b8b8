//! The report's annexes: each committee's report per measure, every
//! indicator's values per year and group, data quality and method. The body
//! links here; nothing in the body is only here.

use crate::pipeline::{Assessment, Status};
use std::collections::BTreeMap;
use std::fmt::{self, Write};

use super::{Ctx, accessible_svg, coverage_note, esc, value_text};
use crate::chart;
use crate::pipeline::{Breakdown, GroupKey, Indicator, Measure, Pipeline, Source, TOTAL};

use crate::finding::Severity;

/// Annex 1: what each responsible committee reported on each measure.
pub(super) fn annex_measures(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    writeln!(
        out,
        "<section class=\"annex annex-start\" aria-labelledby=\"bilaga-atgarder\"><h2 id=\"bilaga-atgarder\">Bilaga 1. Nämndernas redovisning per åtgärd</h2>"
    )?;
    for m in &ctx.p.measures {
        measure_table(ctx, out, m)?;
    }
    writeln!(out, "</section>")
}

/// One measure's committees: status, own assessment and the year's activities.
fn measure_table(ctx: &Ctx<'_>, out: &mut String, m: &Measure) -> fmt::Result {
    let (p, d, year) = (ctx.p, ctx.d, ctx.d.report_year);
    writeln!(
        out,
        "<h3 id=\"redovisning-{id}\">Åtgärd {id}</h3><div class=\"table-wrap\"><table><caption>Nämndernas redovisning för {year}</caption><thead><tr><th scope=\"col\">Nämnd</th><th scope=\"col\">Status</th><th scope=\"col\">Egen bedömning</th><th scope=\"col\">Årets aktiviteter</th></tr></thead><tbody>",
        id = esc(&m.id)
    )?;
    let cell = |v: Option<&str>| v.map(esc).unwrap_or_else(|| "Ingen uppgift".into());
    for u in p.responsible_units(&m.responsible, year) {
        let act = d.activity(year, &u.id, &m.id);
        writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&u.name),
            cell(act.and_then(|a| a.status).map(Status::label)),
            cell(act.and_then(|a| a.assessment).map(Assessment::label)),
            cell(act.and_then(|a| a.description.as_deref()))
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

/// Annex 2: every indicator's values per year, for the total and every breakdown.
pub(super) fn annex_tables(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    writeln!(
        out,
        "<section class=\"annex\" aria-labelledby=\"bilaga-tabeller\"><h2 id=\"bilaga-tabeller\">Bilaga 2. Tabeller per indikator</h2><p>Värden för hela staden. “..” betyder att värdet inte redovisas för att skydda enskilda; “–” att uppgift saknas.</p>"
    )?;
    for ind in &ctx.p.indicators {
        if !super::body::has_values(ctx, ind) {
            continue;
        }
        writeln!(
            out,
            "<h3 id=\"tabell-{id}\">{id} {}</h3>",
            esc(&ind.title),
            id = esc(&ind.id)
        )?;
        if !super::body::in_body(ctx, ind) {
            super::body::figure(ctx, out, ind)?;
        }
        indicator_table(ctx, out, ind)?;
        for b in ind
            .breakdowns
            .iter()
            .skip(1)
            .filter_map(|b| ctx.p.breakdown(b))
        {
            breakdown_table(ctx, out, ind, b)?;
        }
        cross_table(ctx, out, ind)?;
    }
    writeln!(out, "</section>")
}

/// A further breakdown's groups per year.
fn breakdown_table(ctx: &Ctx<'_>, out: &mut String, ind: &Indicator, b: &Breakdown) -> fmt::Result {
    writeln!(
        out,
        "<div class=\"table-wrap\"><table><caption>{} per år och {}, hela staden</caption><thead><tr><th scope=\"col\">År</th>{}</tr></thead><tbody>",
        esc(&ind.id),
        esc(&b.title.to_lowercase()),
        group_headers(b)
    )?;
    for y in &ctx.years {
        write!(out, "<tr><th scope=\"row\">{y}</th>")?;
        for g in &b.groups {
            let c = ctx.d.city_cell(&ind.id, *y, &b.id, &g.id);
            write!(out, "<td class=\"num\">{}</td>", value_text(c, ind.unit))?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody></table></div>")?;
    let shown = ctx.years.iter().flat_map(|y| {
        b.groups
            .iter()
            .filter_map(move |g| ctx.d.city_cell(&ind.id, *y, &b.id, &g.id))
    });
    match coverage_note(ctx.p, shown) {
        Some(note) => writeln!(out, "{note}"),
        None => Ok(()),
    }
}

/// A breakdown's groups as column headers.
fn group_headers(b: &Breakdown) -> String {
    b.groups
        .iter()
        .map(|g| format!("<th scope=\"col\" class=\"num\">{}</th>", esc(&g.label)))
        .collect()
}

/// For an indicator crossed over two breakdowns: the report year's
/// combinations, the first breakdown's groups down and the second's across.
fn cross_table(ctx: &Ctx<'_>, out: &mut String, ind: &Indicator) -> fmt::Result {
    let [a, b] = ind.breakdowns.as_slice() else {
        return Ok(());
    };
    let (Some(a), Some(b), true) = (ctx.p.breakdown(a), ctx.p.breakdown(b), ind.crossed) else {
        return Ok(());
    };
    let year = ctx.d.report_year;
    writeln!(
        out,
        "<div class=\"table-wrap\"><table><caption>{} {year} per {} och {}, hela staden</caption><thead><tr><th scope=\"col\">{}</th>{}</tr></thead><tbody>",
        esc(&ind.id),
        esc(&a.title.to_lowercase()),
        esc(&b.title.to_lowercase()),
        esc(&a.title),
        group_headers(b)
    )?;
    for ga in &a.groups {
        write!(out, "<tr><th scope=\"row\">{}</th>", esc(&ga.label))?;
        for gb in &b.groups {
            let key = GroupKey::crossed([
                (a.id.as_str(), ga.id.as_str()),
                (b.id.as_str(), gb.id.as_str()),
            ]);
            let c = ctx.d.city_cell(&ind.id, year, &key.breakdown, &key.group);
            write!(out, "<td class=\"num\">{}</td>", value_text(c, ind.unit))?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody></table></div>")
}

/// One year's row of an indicator's table.
fn indicator_row(
    ctx: &Ctx<'_>,
    out: &mut String,
    ind: &Indicator,
    y: i32,
    cols: &[(String, String, String)],
) -> fmt::Result {
    write!(out, "<tr><th scope=\"row\">{y}</th>")?;
    for (_, b, g) in cols {
        write!(
            out,
            "<td class=\"num\">{}</td>",
            value_text(ctx.d.city_cell(&ind.id, y, b, g), ind.unit)
        )?;
    }
    if ind.source == Source::Survey {
        let c = ctx.d.city_cell(&ind.id, y, TOTAL, TOTAL);
        let ci = c
            .and_then(|c| Some((c.ci_low?, c.ci_high?)))
            .map(|(a, b)| format!("{}–{}", ind.unit.format_table(a), ind.unit.format_table(b)))
            .unwrap_or_else(|| "–".into());
        let n = c
            .and_then(|c| c.n)
            .map(|n| crate::text::thousands(n as i64))
            .unwrap_or_else(|| "–".into());
        write!(out, "<td class=\"num\">{ci}</td><td class=\"num\">{n}</td>")?;
    }
    if !ind.targets.is_empty() {
        let t = ind
            .target(y)
            .map(|t| ind.unit.format_table(t))
            .unwrap_or_default();
        write!(out, "<td class=\"num\">{t}</td>")?;
    }
    writeln!(out, "</tr>")
}

/// The city's values per year: the total, the first breakdown's groups, and
/// for the survey the interval and the respondents; targets beside them.
fn indicator_table(ctx: &Ctx<'_>, out: &mut String, ind: &Indicator) -> fmt::Result {
    // Columns: the total, then the first breakdown's groups.
    let mut cols: Vec<(String, String, String)> =
        vec![("Totalt".into(), TOTAL.into(), TOTAL.into())];
    let first = ind.breakdowns.first().and_then(|b| ctx.p.breakdown(b));
    if let Some(b) = first {
        for g in &b.groups {
            cols.push((g.label.clone(), b.id.clone(), g.id.clone()));
        }
    }
    writeln!(
        out,
        "<div class=\"table-wrap\"><table><caption>{} per år{}, hela staden{}</caption>",
        esc(&ind.id),
        first
            .map(|b| format!(" och {}", esc(&b.title.to_lowercase())))
            .unwrap_or_default(),
        if ind.source == Source::Survey {
            ", med 95 % konfidensintervall"
        } else {
            ""
        }
    )?;
    write!(out, "<thead><tr><th scope=\"col\">År</th>")?;
    for (label, _, _) in &cols {
        write!(out, "<th scope=\"col\" class=\"num\">{}</th>", esc(label))?;
    }
    if ind.source == Source::Survey {
        write!(
            out,
            "<th scope=\"col\" class=\"num\">Intervall (totalt)</th><th scope=\"col\" class=\"num\">Svarande (totalt)</th>"
        )?;
    }
    if !ind.targets.is_empty() {
        write!(out, "<th scope=\"col\" class=\"num\">Mål</th>")?;
    }
    writeln!(out, "</tr></thead><tbody>")?;
    for y in &ctx.years {
        indicator_row(ctx, out, ind, *y, &cols)?;
    }
    writeln!(out, "</tbody></table></div>")?;
    writeln!(out, "<p>Källa: {}.</p>", ind.source.label())?;
    let shown = ctx
        .years
        .iter()
        .flat_map(|y| cols.iter().map(move |(_, b, g)| (y, b, g)))
        .filter_map(|(y, b, g)| ctx.d.city_cell(&ind.id, *y, b, g));
    match coverage_note(ctx.p, shown) {
        Some(note) => writeln!(out, "{note}"),
        None => Ok(()),
    }
}

/// Annex 3: which returns came in, refused files, reference statistics and withheld values.
pub(super) fn annex_quality(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let p = ctx.p;
    let d = ctx.d;
    let charts = ctx.charts;
    writeln!(
        out,
        "<section class=\"annex\" aria-labelledby=\"bilaga-kvalitet\"><h2 id=\"bilaga-kvalitet\">Bilaga 3. Datakvalitet</h2><h3>Inlämnade återrapporteringar</h3>"
    )?;
    if let Some(svg) = charts.get(chart::COMPLETENESS) {
        let desc = "Vilka nämnder som lämnat återrapportering respektive år; samma uppgifter finns i tabellen nedan.";
        writeln!(
            out,
            "<figure>{}<figcaption>Diagram: inlämnade återrapporteringar per nämnd och år.</figcaption></figure>",
            accessible_svg(
                svg,
                chart::COMPLETENESS,
                "Inlämnade återrapporteringar",
                desc
            )
        )?;
    }
    writeln!(
        out,
        "<div class=\"table-wrap\"><table><caption>Fullständighet per år</caption><thead><tr><th scope=\"col\">År</th><th scope=\"col\" class=\"num\">Väntade</th><th scope=\"col\" class=\"num\">Inlämnade</th><th scope=\"col\">Saknas</th><th scope=\"col\" class=\"num\">Andel väntade värden</th></tr></thead><tbody>"
    )?;
    for c in &d.completeness {
        let missing: Vec<String> = c.missing.iter().map(|u| p.unit_name(u)).collect();
        writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{} %</td></tr>",
            c.year,
            c.expected.len(),
            c.reported.len(),
            if missing.is_empty() {
                "–".to_string()
            } else {
                esc(&missing.join(", "))
            },
            crate::text::decimal(c.share * 100.0, 1)
        )?;
    }
    // The heading that follows goes on the same line.
    write!(out, "</tbody></table></div>")?;
    refused_files(ctx, out)?;
    reference_and_withheld(ctx, out)
}

/// Files refused whole, and the count of findings.
fn refused_files(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let d = ctx.d;
    writeln!(out, "<h3>Avvisade filer</h3>")?;
    let refused: Vec<_> = d
        .findings
        .iter()
        .filter(|f| {
            f.severity == Severity::Error
                && f.cell.is_none()
                && (d.returns.refused.contains(&f.file) || d.survey.refused.contains(&f.file))
        })
        .collect();
    if refused.is_empty() {
        writeln!(out, "<p>Inga filer avvisades.</p>")?;
    } else {
        writeln!(out, "<ul>")?;
        for f in refused {
            let name = std::path::Path::new(&f.file)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(&f.file);
            writeln!(out, "<li>{}: {}</li>", esc(name), esc(&f.message))?;
        }
        writeln!(out, "</ul>")?;
    }
    let (errors, warnings) = (d.count(Severity::Error), d.count(Severity::Warning));
    writeln!(
        out,
        "<p>Valideringen gav {errors} fel och {warnings} varningar; alla finns i <code>kvalitet.json</code>, och varje nämnd får sina i <code>feedback/</code>.</p>"
    )?;
    Ok(())
}

/// The reference statistics' state, and the withheld values per indicator and reason.
fn reference_and_withheld(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let d = ctx.d;
    if !d.reference.is_empty() {
        writeln!(out, "<h3>Referensstatistik</h3><ul>")?;
        for s in &d.reference {
            writeln!(out, "<li>{}</li>", esc(&s.describe()))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "<h3>Undantagna värden</h3>")?;
    let mut withheld: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
    for c in &d.cells {
        if let Some(r) = c.withheld {
            *withheld
                .entry((c.indicator_id.clone(), r.label()))
                .or_default() += 1;
        }
    }
    if withheld.is_empty() {
        writeln!(out, "<p>Inga värden behövde undantas.</p>")?;
    } else {
        writeln!(
            out,
            "<div class=\"table-wrap\"><table><caption>Undantagna värden per indikator och skäl</caption><thead><tr><th scope=\"col\">Indikator</th><th scope=\"col\">Skäl</th><th scope=\"col\" class=\"num\">Antal värden</th></tr></thead><tbody>"
        )?;
        for ((id, why), n) in &withheld {
            writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{n}</td></tr>",
                esc(id),
                esc(why)
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    writeln!(out, "</section>")?;
    Ok(())
}

/// How the survey's k-anonymity works, in the pipeline's words.
fn k_anonymity_text(p: &Pipeline) -> String {
    let Some(s) = &p.survey else {
        return String::new();
    };
    let words: Vec<&str> = s.quasi_identifiers.iter().map(|v| s.label(v)).collect();
    let fallback = match &s.coarsen {
        Some(v) => format!(
            "annars slås {} ihop till hela staden, eller så avvisas filen",
            s.label(v)
        ),
        None => "annars avvisas filen".to_string(),
    };
    format!(
        " Varje kombination av {} ska ha minst {} svarande; {fallback}.",
        crate::text::list(&words),
        s.k_anonymity
    )
}

/// Which indicators are sensitive in themselves, and so published for the
/// whole city only.
fn city_only_text(p: &Pipeline) -> String {
    let titles: Vec<String> = p
        .indicators
        .iter()
        .filter(|i| p.disclosure.city_only.contains(&i.id))
        .map(|i| format!("{} {}", i.id, i.title))
        .collect();
    if titles.is_empty() {
        return String::new();
    }
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    format!(
        " Indikatorer som är känsliga i sig redovisas bara för hela staden: {}.",
        crate::text::list(&titles)
    )
}

/// Annex 4: method, and the footer. Each part only for the sources the
/// pipeline has.
pub(super) fn annex_method(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let p = ctx.p;
    let min = p.disclosure.min_cell;
    let mut sources = vec!["nämndernas årliga återrapportering i Excel".to_string()];
    if p.survey.is_some() {
        sources.push("en anonym enkät".into());
    }
    if p.reference.is_some() {
        sources.push(format!(
            "referensstatistik för hela staden från {}",
            p.reference_name()
        ));
    }
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    writeln!(
        out,
        "<section class=\"annex\" aria-labelledby=\"bilaga-metod\"><h2 id=\"bilaga-metod\">Bilaga 4. Metod</h2>\n<h3>Källor</h3><p>Uppföljningen bygger på {}.</p>",
        esc(&crate::text::list(&sources))
    )?;
    if p.survey.is_some() {
        writeln!(
            out,
            "<h3>Osäkerhet i enkäten</h3><p>Andelarna från enkäten redovisas med ett 95-procentigt konfidensintervall enligt Wilsons metod, som fungerar även för små grupper och andelar nära 0 eller 100 procent. När svaren är viktade beräknas andelen med vikterna och intervallet på det effektiva urvalet enligt Kish, (Σw)²/Σw², så att ojämna vikter ger bredare intervall.</p>\n<h3>Skydd för enskilda</h3><p>Enkätsvar kan röja känsliga personuppgifter. Därför tas bara anonyma svar emot: en fil med personnummer, e-postadresser, telefonnummer eller kolumner med namn eller adresser avvisas i sin helhet.{}</p>",
            esc(&k_anonymity_text(p))
        )?;
    } else {
        writeln!(out, "<h3>Skydd för enskilda</h3>")?;
    }
    writeln!(
        out,
        "<p>Värden som bygger på färre än {min} personer redovisas inte (“..”). För andelar gäller det också när antalet som uppfyller villkoret, eller antalet som inte gör det, är färre än {min}. Därtill undantas fler värden där det behövs för att ett undantaget värde inte ska kunna räknas fram ur en totalsumma och de värden som visas. Att inget undantaget värde kan räknas fram kontrolleras för varje tabell.{}</p>\n<h3>Mål</h3><p>Ett mål är uppfyllt när utfallet ligger på målets rätta sida, och delvis uppfyllt när utfallet ligger högst {} procent från målvärdet; annars är det ej uppfyllt. Bara fullständiga värden bedöms: en summa som saknar någon nämnds uppgift bedöms inte.</p></section>",
        esc(&city_only_text(p)),
        crate::text::decimal(p.output.approached_within * 100.0, 0)
    )?;
    writeln!(
        out,
        "</main>\n<footer><p>Rapporten är skapad av uppfolj {} ur uppföljningens indata för {}. Alla siffror finns i <code>indicators.csv</code> och <code>indikatorer.xlsx</code>.</p></footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION"),
        esc(&p.strategy.id)
    )?;
    Ok(())
}
