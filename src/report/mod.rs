//! `rapport.html`: the annual report in Swedish, one self-contained file
//! (CSS and charts inline, nothing fetched), printable, and accessible to
//! WCAG 2.1 AA: headings in order, a text alternative and a table for every
//! chart, contrast of at least 4.5:1.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

use crate::aggregate::Cell;
use crate::pipeline::{MeasureUnit, Pipeline, Reason};
use crate::results::RunData;

mod annex;
mod body;
mod markdown;
mod summary;
pub use summary::{Standing, standing};

/// The report's templates: its markup lives here, what goes in it in the
/// section modules.
const TEMPLATES: [(&str, &str); 6] = [
    ("rapport.html", include_str!("templates/rapport.html")),
    (
        "sammanfattning.html",
        include_str!("templates/sammanfattning.html"),
    ),
    ("omraden.html", include_str!("templates/omraden.html")),
    ("bilagor.html", include_str!("templates/bilagor.html")),
    ("figur.html", include_str!("templates/figur.html")),
    ("coverage.html", include_str!("templates/coverage.html")),
];

/// The templates, parsed once. A line that holds only a tag leaves nothing
/// behind (trim and lstrip blocks), every other byte is as written; a name a
/// template uses but was not given is an error, never an empty string.
static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_formatter(|out, _state, value| {
        match value.as_str() {
            Some(s) if !value.is_safe() => out.write_str(&esc(s))?,
            _ if value.is_none() => {}
            _ => write!(out, "{value}")?,
        }
        Ok(())
    });
    for (name, source) in TEMPLATES {
        // A template that does not parse fails every render, which the tests see.
        let _ = env.add_template(name, source);
    }
    env
});

fn render_template(name: &str, ctx: Value) -> Result<String, minijinja::Error> {
    PAGES.get_template(name)?.render(ctx)
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

struct Ctx<'a> {
    p: &'a Pipeline,
    d: &'a RunData,
    charts: &'a BTreeMap<String, String>,
    years: Vec<i32>,
}

/// A value as the tables show it: ".." withheld to protect someone, "–"
/// missing (or too incomplete to add up), and a star on a value that lacks
/// a unit (explained under the table by [`coverage_note`]).
fn value_text(c: Option<&Cell>, unit: MeasureUnit) -> String {
    match c {
        Some(c) if c.withheld == Some(Reason::Incomplete) => "–".into(),
        Some(c) if c.is_withheld() => "..".into(),
        Some(c) => c
            .value
            .map(|v| unit.format_table(v) + if c.complete() { "" } else { "*" })
            .unwrap_or_else(|| "–".into()),
        None => "–".into(),
    }
}

impl Ctx<'_> {
    /// A value as the tables show it ([`value_text`]), with a † when it
    /// rests on a number with an open warning.
    fn value(&self, c: Option<&Cell>, unit: MeasureUnit) -> String {
        let text = value_text(c, unit);
        match c {
            Some(c) if self.marked(c) => text + "\u{a0}†",
            _ => text,
        }
    }

    /// A published value that rests on a number with an open warning.
    fn marked(&self, c: &Cell) -> bool {
        !c.is_withheld() && c.value.is_some() && self.d.doubted(c)
    }

    /// Under a table (`coverage.html`): which years' values lack units,
    /// and which units; and what a † means, when one is shown.
    fn note<'c>(&self, cells: impl Iterator<Item = &'c Cell>) -> Value {
        self.note_for(None, cells)
    }

    /// As [`Ctx::note`], and for an indicator whose reference series starts
    /// late, that it does.
    fn note_for<'c>(
        &self,
        ind: Option<&crate::pipeline::Indicator>,
        cells: impl Iterator<Item = &'c Cell>,
    ) -> Value {
        let starts = ind.and_then(|i| self.series_start(i)).unwrap_or_default();
        let cells: Vec<&Cell> = cells.collect();
        let coverage = self.coverage(&cells);
        let doubted = if cells.iter().any(|c| self.marked(c)) {
            format!(
                "Vilar på en uppgift som valideringen flaggade och som nämnden inte har förklarat och {} inte har godkänt; den används inte i det viktigaste.",
                self.p.owner_name()
            )
        } else {
            String::new()
        };
        minijinja::context! { coverage, doubted, starts }
    }

    /// What lacks a unit among `cells`; per indicator, named, when they are
    /// more than one indicator's ("UTB-4 2019: 17 av 18 enheter …").
    fn coverage(&self, cells: &[&Cell]) -> String {
        let mut ids: Vec<&str> = Vec::new();
        for c in cells {
            if !ids.contains(&c.indicator_id.as_str()) {
                ids.push(&c.indicator_id);
            }
        }
        let notes = |id: Option<&str>| {
            let mine = cells
                .iter()
                .copied()
                .filter(move |c| id.is_none_or(|id| c.indicator_id == id));
            crate::aggregate::coverage_notes(self.p, mine)
        };
        if ids.len() <= 1 {
            return notes(None).join("; ");
        }
        let said: Vec<String> = ids
            .iter()
            .flat_map(|id| {
                notes(Some(id))
                    .into_iter()
                    .map(move |n| format!("{id} {n}"))
            })
            .collect();
        said.join("; ")
    }

    /// For a gap whose reference series starts late, that it does.
    fn series_start(&self, gap: &crate::pipeline::Indicator) -> Option<String> {
        use crate::pipeline::TOTAL;
        crate::aggregate::derived::late_start(self.p, gap, &self.years, |id, y| {
            self.d
                .city_cell(id, y, TOTAL, TOTAL)
                .is_some_and(|c| c.value.is_some())
        })
    }
}

/// Gives the chart's SVG a text alternative.
fn accessible_svg(svg: &str, id: &str, title: &str, desc: &str) -> String {
    let open = format!("<svg role=\"img\" aria-labelledby=\"t-{id} d-{id}\" focusable=\"false\" ");
    let body = svg.replacen("<svg ", &open, 1);
    match body.find('>') {
        Some(i) => format!(
            "{}<title id=\"t-{id}\">{}</title><desc id=\"d-{id}\">{}</desc>{}",
            &body[..=i],
            esc(title),
            esc(desc),
            &body[i + 1..]
        ),
        None => body,
    }
}

/// The whole report: its head and contents, the summary, the rights areas
/// and the comparison with the city, then the annexes.
pub fn render(
    p: &Pipeline,
    d: &RunData,
    charts: &BTreeMap<String, String>,
) -> Result<String, minijinja::Error> {
    let ctx = Ctx {
        p,
        d,
        charts,
        years: p.strategy.period.years().collect(),
    };
    let mut out = render_template("rapport.html", head(&ctx))?;
    out += &render_template("sammanfattning.html", summary::summary(&ctx))?;
    out += &render_template("omraden.html", body::body(&ctx))?;
    out += &render_template("bilagor.html", annex::annexes(&ctx))?;
    Ok(out)
}

/// The document's head, the report's title and the table of contents.
fn head(ctx: &Ctx<'_>) -> Value {
    let p = ctx.p;
    let year = ctx.d.report_year;
    let areas: Vec<Value> = p
        .areas
        .iter()
        .map(|a| minijinja::context! { id => a.id.clone(), title => a.title.clone() })
        .collect();
    minijinja::context! {
        title => format!("Uppföljning {year}: {}", p.strategy.title),
        year,
        national_goal => p.strategy.national_goal.clone().unwrap_or_default(),
        areas,
        has_parity => body::has_parity(p),
        parity_title => body::parity_title(p),
    }
}
