//! The run's settings: how returns come in, the survey and its codebooks,
//! and the reference statistics.

use std::path::PathBuf;

use super::reader::{Reader, Tbl, join, positive, string_lists, string_map};
use crate::pipeline::{
    Codebook, CodebookVariable, Combine, Date, Disclosure, HttpLimits, Incomplete, MonthDay,
    Reference, ReferenceBreakdown, ReferenceSeries, Returns, SURVEY_MAX_BYTES, Survey,
    SurveyBreakdown, SurveyFile,
};

pub(super) fn read_survey(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Survey> {
    r.only(
        t,
        &[
            "k_anonymity",
            "quasi_identifiers",
            "coarsen",
            "missing",
            "labels",
            "who",
            "breakdowns",
            "files",
            "codebooks",
            "max_bytes",
        ],
    );
    let max_bytes = positive(r, t, "max_bytes", i64::MAX).map_or(SURVEY_MAX_BYTES, |v| v as u64);
    // The same rule as the tables': no group smaller than a published cell.
    let k_anonymity = positive(r, t, "k_anonymity", 1000)
        .map(|v| v as u32)
        .unwrap_or(Disclosure::MIN_CELL);
    let quasi_identifiers = r.strings(t, "quasi_identifiers", true);
    let coarsen = r.string(t, "coarsen", false);
    let missing = r.strings(t, "missing", false).unwrap_or_default();
    let labels = r
        .table(t, "labels", false)
        .map(|lt| string_map(r, &lt))
        .unwrap_or_default();
    let who = r.string(t, "who", false);
    let breakdowns = read_survey_breakdowns(r, t);
    let files = read_survey_files(r, t);
    let codebooks = read_codebooks(r, t);
    Some(Survey {
        k_anonymity,
        quasi_identifiers: quasi_identifiers?,
        coarsen,
        missing,
        labels,
        who,
        breakdowns,
        files: files.into_iter().collect::<Option<_>>()?,
        codebooks,
        max_bytes,
    })
}

/// How each breakdown's groups are formed from a survey variable.
fn read_survey_breakdowns(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Vec<SurveyBreakdown> {
    match r.table(t, "breakdowns", false) {
        Some(bt) => {
            let keys: Vec<String> = bt.table.keys().map(|k| k.get_ref().to_string()).collect();
            keys.into_iter()
                .filter_map(|id| {
                    let b = r.table(&bt, &id, true)?;
                    r.only(&b, &["variable", "groups"]);
                    let variable = r.string(&b, "variable", true);
                    let groups = r.table(&b, "groups", true).map(|g| string_lists(r, &g));
                    Some(SurveyBreakdown {
                        id,
                        variable: variable?,
                        groups: groups?,
                    })
                })
                .collect()
        }
        None => Vec::new(),
    }
}

/// Each year's survey file and its codebook.
fn read_survey_files(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Vec<Option<SurveyFile>> {
    r.tables(t, "files", false)
        .into_iter()
        .map(|f| {
            r.only(&f, &["year", "path", "codebook"]);
            let year = r.year(&f, "year");
            let path = r.string(&f, "path", true);
            let codebook = r.string(&f, "codebook", true);
            Some(SurveyFile {
                year: year?,
                path: PathBuf::from(path?),
                codebook: codebook?,
            })
        })
        .collect()
}

/// The codebooks: for each questionnaire, its weight column and its variables.
fn read_codebooks(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Vec<Codebook> {
    match r.table(t, "codebooks", true) {
        Some(ct) => {
            let keys: Vec<String> = ct.table.keys().map(|k| k.get_ref().to_string()).collect();
            keys.into_iter()
                .filter_map(|id| {
                    let c = r.table(&ct, &id, true)?;
                    r.only(&c, &["weight", "variables"]);
                    let weight = r.string(&c, "weight", false);
                    let vars = r.table(&c, "variables", true)?;
                    let names: Vec<String> =
                        vars.table.keys().map(|k| k.get_ref().to_string()).collect();
                    let variables = names
                        .into_iter()
                        .filter_map(|name| read_codebook_variable(r, &vars, name))
                        .collect();
                    Some(Codebook {
                        id,
                        weight,
                        variables,
                    })
                })
                .collect()
        }
        None => Vec::new(),
    }
}

/// One codebook variable: its column and answer codes.
fn read_codebook_variable(
    r: &mut Reader<'_>,
    vars: &Tbl<'_, '_>,
    name: String,
) -> Option<CodebookVariable> {
    let v = r.table(vars, &name, true)?;
    r.only(&v, &["column", "codes"]);
    let column = r.string(&v, "column", true);
    let codes = match r.table(&v, "codes", false) {
        Some(ct) => string_map(r, &ct),
        None => Vec::new(),
    };
    Some(CodebookVariable {
        name,
        column: column?,
        codes,
    })
}

pub(super) fn read_returns(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Returns> {
    r.only(
        t,
        &[
            "inbox",
            "template_version",
            "deadline",
            "contact",
            "change_factor",
            "change_min_difference",
            "max_rows",
            "max_bytes",
            "max_count",
            "incomplete",
        ],
    );
    let d = Returns::default();
    let inbox = r.string(t, "inbox", false).map(PathBuf::from);
    let template_version = positive(r, t, "template_version", 1_000)
        .map(|v| v as u32)
        .unwrap_or(d.template_version);
    let deadline = r.table(t, "deadline", false).and_then(|dl| {
        r.only(&dl, &["month", "day"]);
        let month = r.integer(&dl, "month", true)?;
        let day = r.integer(&dl, "day", true)?;
        if Date::new(2001, month.clamp(0, 13) as u32, day.clamp(0, 32) as u32).is_none() {
            r.problem(
                Some(dl.span.clone()),
                dl.path.clone(),
                format!("{day}/{month} är inget datum; ange t.ex. {{ month = 2, day = 15 }}"),
            );
            return None;
        }
        Some(MonthDay {
            month: month as u32,
            day: day as u32,
        })
    });
    let contact = r.string(t, "contact", false);
    let change_factor = read_change_factor(r, t, d.change_factor)?;
    let change_min_difference = match t.table.get("change_min_difference") {
        Some(_) => r.number(t, "change_min_difference")?,
        None => d.change_min_difference,
    };
    let max_rows = positive(r, t, "max_rows", 1_048_576)
        .map(|v| v as u32)
        .unwrap_or(d.max_rows);
    let max_bytes = positive(r, t, "max_bytes", i64::MAX)
        .map(|v| v as u64)
        .unwrap_or(d.max_bytes);
    let max_count = positive(r, t, "max_count", 1_000_000_000_000_000)
        .map(|v| v as f64)
        .unwrap_or(d.max_count);
    let incomplete = r
        .choice(
            t,
            "incomplete",
            false,
            &[
                ("mark", Incomplete::Mark),
                ("withhold", Incomplete::Withhold),
            ],
        )
        .unwrap_or(d.incomplete);
    Some(Returns {
        inbox,
        template_version,
        deadline,
        contact,
        change_factor,
        change_min_difference,
        max_rows,
        max_bytes,
        max_count,
        incomplete,
    })
}

/// `change_factor`: above 1, or the warning it drives would fire on every value.
fn read_change_factor(r: &mut Reader<'_>, t: &Tbl<'_, '_>, default: f64) -> Option<f64> {
    if !t.table.contains_key("change_factor") {
        return Some(default);
    }
    r.number(t, "change_factor").filter(|f| {
        let ok = *f > 1.0;
        if !ok {
            let span = t.table.get("change_factor").map(|i| i.span());
            r.problem(
                span,
                join(&t.path, "change_factor"),
                "ska vara större än 1, t.ex. 3 (varna när ett värde tredubblas eller minskar till en tredjedel)".into(),
            );
        }
        ok
    })
}

/// Which breakdown the source's own groups become.
fn read_reference_breakdown(r: &mut Reader<'_>, bt: &Tbl<'_, '_>) -> Option<ReferenceBreakdown> {
    r.only(bt, &["id", "groups"]);
    let id = r.string(bt, "id", true);
    let groups = r.table(bt, "groups", true).map(|gt| string_map(r, &gt));
    Some(ReferenceBreakdown {
        id: id?,
        groups: groups?,
    })
}

/// `compare = { "0000" = "riket" }`: Kolada's four-digit ids, each named
/// (an empty name is refused as every empty text is).
fn read_compare(r: &mut Reader<'_>, ct: &Tbl<'_, '_>) -> Vec<(String, String)> {
    let compare = string_map(r, ct);
    for (id, _) in &compare {
        if id.len() != 4 || !id.bytes().all(|b| b.is_ascii_digit()) {
            let span = ct.table.get(id.as_str()).map(|i| i.span());
            let what = format!(
                "\"{}\" är inget kommun-id i Kolada; ange fyra siffror, t.ex. \"0000\" för riket",
                id.escape_debug()
            );
            r.problem(span, join(&ct.path, id), what);
        }
    }
    compare
}

/// One `[[reference.series]]`: `kpi = "N02267"`, or `kpis = [...]` with
/// `combine = "sum"`; `kpi_title` (a text, or a list beside `kpis`).
fn read_series(r: &mut Reader<'_>, st: &Tbl<'_, '_>) -> Option<ReferenceSeries> {
    r.only(
        st,
        &[
            "indicator",
            "kpi",
            "kpis",
            "combine",
            "kpi_title",
            "scale",
            "note",
        ],
    );
    let indicator = r.string(st, "indicator", true);
    let several = st.table.contains_key("kpis");
    if several && st.table.contains_key("kpi") {
        let span = st.table.get("kpi").map(|i| i.span());
        r.problem(
            span,
            join(&st.path, "kpi"),
            "ange antingen kpi (ett nyckeltal) eller kpis (flera), inte båda".into(),
        );
    }
    let kpis = if several {
        r.strings(st, "kpis", true)
    } else {
        r.string(st, "kpi", true).map(|k| vec![k])
    };
    let combine = r.choice(st, "combine", several, &[("sum", Combine::Sum)]);
    let kpi_titles = match st.table.get("kpi_title").map(|i| i.get_ref()) {
        None => Vec::new(),
        Some(toml::de::DeValue::Array(_)) => r.strings(st, "kpi_title", false)?,
        Some(_) => vec![r.string(st, "kpi_title", false)?],
    };
    let kpis = kpis?;
    if !kpi_titles.is_empty() && kpi_titles.len() != kpis.len() {
        let span = st.table.get("kpi_title").map(|i| i.span());
        r.problem(
            span,
            join(&st.path, "kpi_title"),
            format!(
                "ska ha en titel per nyckeltal ({}), i samma ordning",
                kpis.len()
            ),
        );
        return None;
    }
    let scale = match st.table.get("scale") {
        Some(_) => r.number(st, "scale")?,
        None => 1.0,
    };
    Some(ReferenceSeries {
        indicator: indicator?,
        kpis,
        kpi_titles,
        combine: combine.unwrap_or(Combine::Sum),
        scale,
        note: r.string(st, "note", false),
    })
}

/// The download limits, each with its default.
fn read_http_limits(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> HttpLimits {
    let ms = |r: &mut Reader<'_>, key: &str, default: u64| {
        positive(r, t, key, 3_600_000).map_or(default, |v| v as u64)
    };
    let d = HttpLimits::default();
    HttpLimits {
        connect_timeout_ms: ms(r, "connect_timeout_ms", d.connect_timeout_ms),
        timeout_ms: ms(r, "timeout_ms", d.timeout_ms),
        max_tries: positive(r, t, "max_tries", 20).map_or(d.max_tries, |v| v as u32),
        backoff_ms: ms(r, "backoff_ms", d.backoff_ms),
        max_retry_after_ms: ms(r, "max_retry_after_ms", d.max_retry_after_ms),
        max_bytes: positive(r, t, "max_bytes", i64::MAX).map_or(d.max_bytes, |v| v as u64),
        deadline_ms: ms(r, "deadline_ms", d.deadline_ms),
    }
}

pub(super) fn read_reference(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Reference> {
    r.only(
        t,
        &[
            "name",
            "base_url",
            "cache",
            "municipality",
            "who",
            "compare",
            "connect_timeout_ms",
            "timeout_ms",
            "max_tries",
            "backoff_ms",
            "max_retry_after_ms",
            "max_bytes",
            "deadline_ms",
            "breakdown",
            "series",
        ],
    );
    let base_url = r.string(t, "base_url", true);
    if let Some(u) = &base_url
        && !(u.starts_with("http://") || u.starts_with("https://"))
    {
        let span = t.table.get("base_url").map(|i| i.span());
        r.problem(
            span,
            join(&t.path, "base_url"),
            format!("\"{u}\" är ingen http- eller https-adress"),
        );
    }
    let name = r
        .string(t, "name", false)
        .unwrap_or_else(|| "referensstatistik".into());
    let cache = r.string(t, "cache", true).map(PathBuf::from);
    let municipality = r.string(t, "municipality", true);
    let who = r.string(t, "who", false);
    let compare = r
        .table(t, "compare", false)
        .map(|ct| read_compare(r, &ct))
        .unwrap_or_default();
    let breakdown = r
        .table(t, "breakdown", false)
        .and_then(|bt| read_reference_breakdown(r, &bt));
    let http = read_http_limits(r, t);
    let series: Vec<Option<ReferenceSeries>> = r
        .tables(t, "series", true)
        .into_iter()
        .map(|st| read_series(r, &st))
        .collect();
    let municipality = municipality?;
    let mut municipalities = vec![municipality.clone()];
    for (id, _) in &compare {
        if !municipalities.contains(id) {
            municipalities.push(id.clone());
        }
    }
    Some(Reference {
        name,
        base_url: base_url?.trim_end_matches('/').to_string(),
        cache: cache?,
        municipalities,
        municipality,
        who,
        compare,
        breakdown,
        http,
        series: series.into_iter().collect::<Option<_>>()?,
    })
}
