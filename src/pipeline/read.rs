//! Reads a pipeline file from its spanned TOML tree into the model.
//!
//! serde would stop at the first mistake; a committee's analyst should see all
//! of them at once, each with its line. So every field is read by hand here,
//! and each mistake is recorded and reading goes on.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::*;

type Item<'i> = Spanned<DeValue<'i>>;

struct Reader<'s> {
    src: &'s str,
    /// Byte offset where each line starts, to turn spans into line numbers.
    line_starts: Vec<usize>,
    problems: Vec<Problem>,
    lines: BTreeMap<String, usize>,
}

/// A table being read, with its path in the file.
struct Tbl<'t, 'i> {
    table: &'t DeTable<'i>,
    path: String,
    span: Range<usize>,
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "en text",
        DeValue::Integer(_) => "ett heltal",
        DeValue::Float(_) => "ett decimaltal",
        DeValue::Boolean(_) => "ett sanningsvärde",
        DeValue::Datetime(_) => "ett datum",
        DeValue::Array(_) => "en lista",
        DeValue::Table(_) => "en tabell",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'s> Reader<'s> {
    fn line(&self, offset: usize) -> usize {
        let offset = offset.min(self.src.len());
        self.line_starts.partition_point(|start| *start <= offset)
    }

    fn problem(&mut self, span: Option<Range<usize>>, path: impl Into<String>, message: String) {
        let line = span.map(|s| self.line(s.start));
        self.problems.push(Problem {
            line,
            path: path.into(),
            message,
        });
    }

    /// Looks up `key`, remembering its line; reports a missing required key.
    fn get<'t, 'i>(&mut self, t: &Tbl<'t, 'i>, key: &str, required: bool) -> Option<&'t Item<'i>> {
        let path = join(&t.path, key);
        match t.table.get(key) {
            Some(item) => {
                let line = self.line(item.span().start);
                self.lines.insert(path, line);
                Some(item)
            }
            None => {
                if required {
                    self.problem(Some(t.span.clone()), path, format!("fältet `{key}` saknas"));
                }
                None
            }
        }
    }

    fn wrong_type(&mut self, item: &Item<'_>, path: String, expected: &str) {
        let found = type_name(item.get_ref());
        self.problem(
            Some(item.span()),
            path,
            format!("ska vara {expected}, men är {found}"),
        );
    }

    fn string(&mut self, t: &Tbl<'_, '_>, key: &str, required: bool) -> Option<String> {
        let item = self.get(t, key, required)?;
        match item.get_ref() {
            DeValue::String(s) if s.trim().is_empty() && required => {
                self.problem(
                    Some(item.span()),
                    join(&t.path, key),
                    "får inte vara tom".into(),
                );
                None
            }
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(item, join(&t.path, key), "en text");
                None
            }
        }
    }

    fn integer(&mut self, t: &Tbl<'_, '_>, key: &str, required: bool) -> Option<i64> {
        let item = self.get(t, key, required)?;
        self.as_integer(item, join(&t.path, key))
    }

    fn as_integer(&mut self, item: &Item<'_>, path: String) -> Option<i64> {
        match item.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(v) => Some(v),
                Err(_) => {
                    self.problem(Some(item.span()), path, "talet är för stort".into());
                    None
                }
            },
            _ => {
                self.wrong_type(item, path, "ett heltal");
                None
            }
        }
    }

    fn year(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<i32> {
        let item = self.get(t, key, true)?;
        let path = join(&t.path, key);
        let v = self.as_integer(item, path.clone())?;
        if (1900..=2200).contains(&v) {
            Some(v as i32)
        } else {
            self.problem(
                Some(item.span()),
                path,
                format!("{v} är inte ett rimligt årtal"),
            );
            None
        }
    }

    fn number(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<f64> {
        let item = self.get(t, key, true)?;
        match item.get_ref() {
            DeValue::Integer(_) => self.as_integer(item, join(&t.path, key)).map(|v| v as f64),
            DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    self.problem(
                        Some(item.span()),
                        join(&t.path, key),
                        "ska vara ett ändligt tal".into(),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(item, join(&t.path, key), "ett tal");
                None
            }
        }
    }

    fn boolean(&mut self, t: &Tbl<'_, '_>, key: &str, required: bool) -> Option<bool> {
        let item = self.get(t, key, required)?;
        match item.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(item, join(&t.path, key), "true eller false");
                None
            }
        }
    }

    fn date(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<Date> {
        let item = self.get(t, key, false)?;
        let path = join(&t.path, key);
        match item.get_ref() {
            DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                let d = dt.date?;
                Date::new(d.year as i32, d.month as u32, d.day as u32)
            }
            _ => {
                self.problem(
                    Some(item.span()),
                    path,
                    format!(
                        "ska vara ett datum utan citattecken, t.ex. 2020-06-30, men är {}",
                        type_name(item.get_ref())
                    ),
                );
                None
            }
        }
    }

    /// One of a fixed set of words, e.g. `unit = "antal"`.
    fn choice<T: Copy>(
        &mut self,
        t: &Tbl<'_, '_>,
        key: &str,
        required: bool,
        options: &[(&str, T)],
    ) -> Option<T> {
        let item = self.get(t, key, required)?;
        let path = join(&t.path, key);
        let DeValue::String(s) = item.get_ref() else {
            self.wrong_type(item, path, "en text");
            return None;
        };
        if let Some((_, v)) = options.iter().find(|(name, _)| *name == s.as_ref()) {
            return Some(*v);
        }
        let names: Vec<String> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        self.problem(
            Some(item.span()),
            path,
            format!(
                "okänt värde \"{s}\"; tillåtna värden är {}",
                names.join(", ")
            ),
        );
        None
    }

    fn strings(&mut self, t: &Tbl<'_, '_>, key: &str, required: bool) -> Option<Vec<String>> {
        let item = self.get(t, key, required)?;
        let path = join(&t.path, key);
        let DeValue::Array(arr) = item.get_ref() else {
            self.wrong_type(item, path, "en lista med texter");
            return None;
        };
        let mut out = Vec::new();
        for (i, v) in arr.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let line = self.line(v.span().start);
            self.lines.insert(p.clone(), line);
            match v.get_ref() {
                DeValue::String(s) => out.push(s.to_string()),
                _ => self.wrong_type(v, p, "en text"),
            }
        }
        Some(out)
    }

    fn table<'t, 'i>(&mut self, t: &Tbl<'t, 'i>, key: &str, required: bool) -> Option<Tbl<'t, 'i>> {
        let item = self.get(t, key, required)?;
        let path = join(&t.path, key);
        match item.get_ref() {
            DeValue::Table(table) => Some(Tbl {
                table,
                path,
                span: item.span(),
            }),
            _ => {
                self.wrong_type(item, path, "en tabell");
                None
            }
        }
    }

    /// `[[key]]` entries, or an inline array of tables.
    fn tables<'t, 'i>(&mut self, t: &Tbl<'t, 'i>, key: &str, required: bool) -> Vec<Tbl<'t, 'i>> {
        let Some(item) = self.get(t, key, required) else {
            return Vec::new();
        };
        let path = join(&t.path, key);
        let DeValue::Array(arr) = item.get_ref() else {
            self.wrong_type(item, path, &format!("en lista av tabeller ([[{key}]])"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, v) in arr.iter().enumerate() {
            let p = format!("{path}[{i}]");
            match v.get_ref() {
                DeValue::Table(table) => {
                    let line = self.line(v.span().start);
                    self.lines.insert(p.clone(), line);
                    out.push(Tbl {
                        table,
                        path: p,
                        span: v.span(),
                    });
                }
                _ => self.wrong_type(v, p, "en tabell"),
            }
        }
        out
    }

    /// Reports keys the format does not know: most often a misspelling.
    fn only(&mut self, t: &Tbl<'_, '_>, known: &[&str]) {
        for (key, item) in t.table.iter() {
            let k = key.get_ref().as_ref();
            if !known.contains(&k) {
                let hint = closest(k, known)
                    .map(|c| format!(" Menade du `{c}`?"))
                    .unwrap_or_default();
                self.problem(
                    Some(key.span()),
                    join(&t.path, k),
                    format!(
                        "okänt fält `{k}`.{hint} Kända fält här: {}",
                        known.join(", ")
                    ),
                );
                let _ = item;
            }
        }
    }
}

/// The known name nearest to a misspelt one, if it is near enough.
fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

const UNIT_KINDS: &[(&str, UnitKind)] = &[
    ("ks", UnitKind::Ks),
    ("facknamnd", UnitKind::Facknamnd),
    ("sdn", UnitKind::Sdn),
];

/// Reads the file. Returns the model when every required part could be read,
/// and every problem found on the way.
pub(super) fn read(src: &str) -> (Option<Pipeline>, Vec<Problem>) {
    let line_starts = std::iter::once(0)
        .chain(src.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut r = Reader {
        src,
        line_starts,
        problems: Vec::new(),
        lines: BTreeMap::new(),
    };
    let (doc, errors) = DeTable::parse_recoverable(src);
    if !errors.is_empty() {
        for e in errors {
            r.problem(
                e.span(),
                "",
                format!("TOML-syntaxfel: {}", e.message().trim()),
            );
        }
        return (None, r.problems);
    }
    let root = Tbl {
        table: doc.get_ref(),
        path: String::new(),
        span: doc.span(),
    };
    r.only(
        &root,
        &[
            "strategy",
            "disclosure",
            "breakdowns",
            "units",
            "unit_groups",
            "areas",
            "goals",
            "measures",
            "indicators",
            "returns",
            "survey",
            "reference",
            "output",
        ],
    );

    let strategy = r.table(&root, "strategy", true).and_then(|t| {
        r.only(
            &t,
            &["id", "title", "period", "owner", "vision", "national_goal"],
        );
        let id = r.string(&t, "id", true);
        let title = r.string(&t, "title", true);
        let period = r.table(&t, "period", true).and_then(|p| {
            r.only(&p, &["from", "to"]);
            let from = r.year(&p, "from");
            let to = r.year(&p, "to");
            Some(Period {
                from: from?,
                to: to?,
            })
        });
        let owner = r.string(&t, "owner", true);
        let vision = r.string(&t, "vision", false);
        let national_goal = r.string(&t, "national_goal", false);
        Some(Strategy {
            id: id?,
            title: title?,
            period: period?,
            owner: owner?,
            vision,
            national_goal,
        })
    });

    let disclosure = match r.table(&root, "disclosure", false) {
        Some(t) => {
            r.only(&t, &["min_cell", "city_only"]);
            let min_cell = match r.integer(&t, "min_cell", false) {
                Some(v) if (1..=1000).contains(&v) => v as u32,
                Some(v) => {
                    let span = t.table.get("min_cell").map(|i| i.span());
                    r.problem(
                        span,
                        join(&t.path, "min_cell"),
                        format!("{v} är inte en rimlig minsta cellstorlek; ange ett heltal från 1 till 1000 (vanligt är 5)"),
                    );
                    5
                }
                None => 5,
            };
            let city_only = r.strings(&t, "city_only", false).unwrap_or_default();
            Some(Disclosure {
                min_cell,
                city_only,
            })
        }
        None => Some(Disclosure {
            min_cell: 5,
            city_only: Vec::new(),
        }),
    };

    let breakdowns: Vec<Option<Breakdown>> = r
        .tables(&root, "breakdowns", false)
        .into_iter()
        .map(|t| {
            r.only(&t, &["id", "title", "groups"]);
            let id = r.string(&t, "id", true);
            let title = r.string(&t, "title", true);
            let groups: Vec<Option<Group>> = r
                .tables(&t, "groups", true)
                .into_iter()
                .map(|g| {
                    r.only(&g, &["id", "label"]);
                    let id = r.string(&g, "id", true);
                    let label = r.string(&g, "label", true);
                    Some(Group {
                        id: id?,
                        label: label?,
                    })
                })
                .collect();
            Some(Breakdown {
                id: id?,
                title: title?,
                groups: groups.into_iter().collect::<Option<_>>()?,
            })
        })
        .collect();

    let units: Vec<Option<Unit>> = r
        .tables(&root, "units", true)
        .into_iter()
        .map(|t| {
            r.only(
                &t,
                &["id", "name", "kind", "valid_from", "valid_to", "successors"],
            );
            let id = r.string(&t, "id", true);
            let name = r.string(&t, "name", true);
            let kind = r.choice(&t, "kind", true, UNIT_KINDS);
            let valid_from = r.date(&t, "valid_from");
            let valid_to = r.date(&t, "valid_to");
            let successors = r.strings(&t, "successors", false).unwrap_or_default();
            Some(Unit {
                id: id?,
                name: name?,
                kind: kind?,
                valid_from,
                valid_to,
                successors,
            })
        })
        .collect();

    let unit_groups: Vec<Option<UnitGroup>> = r
        .tables(&root, "unit_groups", false)
        .into_iter()
        .map(|t| {
            r.only(&t, &["id", "name", "kind"]);
            let id = r.string(&t, "id", true);
            let name = r.string(&t, "name", true);
            let kind = r.choice(&t, "kind", true, UNIT_KINDS);
            Some(UnitGroup {
                id: id?,
                name: name?,
                kind: kind?,
            })
        })
        .collect();

    let areas: Vec<Option<Area>> = r
        .tables(&root, "areas", true)
        .into_iter()
        .map(|t| {
            r.only(&t, &["id", "title"]);
            let id = r.string(&t, "id", true);
            let title = r.string(&t, "title", true);
            Some(Area {
                id: id?,
                title: title?,
            })
        })
        .collect();

    let goals: Vec<Option<Goal>> = r
        .tables(&root, "goals", true)
        .into_iter()
        .map(|t| {
            r.only(&t, &["id", "area", "title"]);
            let id = r.string(&t, "id", true);
            let area = r.string(&t, "area", true);
            let title = r.string(&t, "title", true);
            Some(Goal {
                id: id?,
                area: area?,
                title: title?,
            })
        })
        .collect();

    let measures: Vec<Option<Measure>> = r
        .tables(&root, "measures", true)
        .into_iter()
        .map(|t| {
            r.only(
                &t,
                &["id", "goal", "form", "text", "responsible", "named_as"],
            );
            let id = r.string(&t, "id", true);
            let goal = r.string(&t, "goal", true);
            let form = r.choice(
                &t,
                "form",
                true,
                &[
                    ("bullet", MeasureForm::Bullet),
                    ("prose", MeasureForm::Prose),
                ],
            );
            let text = r.string(&t, "text", true);
            let responsible = r.strings(&t, "responsible", false).unwrap_or_default();
            let named_as = r.string(&t, "named_as", false);
            Some(Measure {
                id: id?,
                goal: goal?,
                form: form?,
                text: text?,
                responsible,
                named_as,
            })
        })
        .collect();

    let indicators: Vec<Option<Indicator>> = r
        .tables(&root, "indicators", true)
        .into_iter()
        .map(|t| read_indicator(&mut r, &t))
        .collect();

    let returns = match r.table(&root, "returns", false) {
        Some(t) => read_returns(&mut r, &t),
        None => Some(Returns::default()),
    };

    let survey = r
        .table(&root, "survey", false)
        .map(|t| read_survey(&mut r, &t));

    let reference = r
        .table(&root, "reference", false)
        .map(|t| read_reference(&mut r, &t));

    let output = match r.table(&root, "output", false) {
        Some(t) => {
            r.only(&t, &["dir", "charts", "approached_within"]);
            let d = Output::default();
            Some(Output {
                dir: r
                    .string(&t, "dir", false)
                    .map(PathBuf::from)
                    .unwrap_or(d.dir),
                charts: r.string(&t, "charts", false).map(PathBuf::from),
                approached_within: match t.table.get("approached_within") {
                    Some(_) => r
                        .number(&t, "approached_within")
                        .unwrap_or(d.approached_within),
                    None => d.approached_within,
                },
            })
        }
        None => Some(Output::default()),
    };

    let pipeline = (|| {
        Some(Pipeline {
            strategy: strategy?,
            disclosure: disclosure?,
            breakdowns: breakdowns.into_iter().collect::<Option<_>>()?,
            units: units.into_iter().collect::<Option<_>>()?,
            unit_groups: unit_groups.into_iter().collect::<Option<_>>()?,
            areas: areas.into_iter().collect::<Option<_>>()?,
            goals: goals.into_iter().collect::<Option<_>>()?,
            measures: measures.into_iter().collect::<Option<_>>()?,
            indicators: indicators.into_iter().collect::<Option<_>>()?,
            returns: returns?,
            survey: match survey {
                Some(s) => Some(s?),
                None => None,
            },
            reference: match reference {
                Some(x) => Some(x?),
                None => None,
            },
            output: output?,
            lines: std::mem::take(&mut r.lines),
        })
    })();
    (pipeline, r.problems)
}

fn read_indicator(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Indicator> {
    r.only(
        t,
        &[
            "id",
            "title",
            "unit",
            "source",
            "measure",
            "responsible",
            "breakdowns",
            "crossed",
            "direction",
            "counts_persons",
            "publication",
            "baseline",
            "targets",
            "derived",
            "bounds",
            "required",
            "survey",
        ],
    );
    let id = r.string(t, "id", true);
    let title = r.string(t, "title", true);
    let unit = r.choice(
        t,
        "unit",
        true,
        &[
            ("antal", MeasureUnit::Antal),
            ("andel", MeasureUnit::Andel),
            ("procentenheter", MeasureUnit::Procentenheter),
        ],
    );
    let source = r.choice(
        t,
        "source",
        true,
        &[
            ("return", Source::Return),
            ("survey", Source::Survey),
            ("reference", Source::Reference),
            ("derived", Source::Derived),
        ],
    );
    let measure = r.string(t, "measure", true);
    let responsible = r.strings(t, "responsible", false).unwrap_or_default();
    let breakdowns = r.strings(t, "breakdowns", false).unwrap_or_default();
    let crossed = r.boolean(t, "crossed", false).unwrap_or(false);
    let direction = r.choice(
        t,
        "direction",
        true,
        &[("higher", Direction::Higher), ("lower", Direction::Lower)],
    );
    let counts_persons = r.boolean(t, "counts_persons", true);
    let publication = r.choice(
        t,
        "publication",
        true,
        &[("unit", Publication::Unit), ("city", Publication::City)],
    );
    let baseline = r
        .table(t, "baseline", false)
        .and_then(|b| year_value(r, &b));
    let targets: Vec<Option<YearValue>> = r
        .tables(t, "targets", false)
        .into_iter()
        .map(|tv| year_value(r, &tv))
        .collect();
    let derived = r.table(t, "derived", false).and_then(|d| {
        r.only(&d, &["minuend", "subtrahend"]);
        let minuend = r.string(&d, "minuend", true);
        let subtrahend = r.string(&d, "subtrahend", true);
        Some(Derivation {
            minuend: minuend?,
            subtrahend: subtrahend?,
        })
    });
    let bounds = r.table(t, "bounds", false).map(|b| {
        r.only(&b, &["min", "max"]);
        Bounds {
            min: b.table.get("min").and_then(|_| r.number(&b, "min")),
            max: b.table.get("max").and_then(|_| r.number(&b, "max")),
        }
    });
    let required = r.boolean(t, "required", false).unwrap_or(true);
    let survey = r.table(t, "survey", false).and_then(|s| {
        r.only(&s, &["variable", "numerator", "population"]);
        let variable = r.string(&s, "variable", true);
        let numerator = r.strings(&s, "numerator", true);
        let population = match r.table(&s, "population", false) {
            Some(pt) => string_lists(r, &pt),
            None => Vec::new(),
        };
        Some(SurveyMeasure {
            variable: variable?,
            numerator: numerator?,
            population,
        })
    });
    Some(Indicator {
        id: id?,
        title: title?,
        unit: unit?,
        source: source?,
        measure: measure?,
        responsible,
        breakdowns,
        crossed,
        direction: direction?,
        counts_persons: counts_persons?,
        publication: publication?,
        baseline,
        targets: targets.into_iter().collect::<Option<_>>()?,
        derived,
        bounds,
        required,
        survey,
    })
}

/// A table of `key = ["value", …]`, in file order.
fn string_lists(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Vec<(String, Vec<String>)> {
    let keys: Vec<String> = t.table.keys().map(|k| k.get_ref().to_string()).collect();
    keys.into_iter()
        .filter_map(|k| r.strings(t, &k, true).map(|v| (k, v)))
        .collect()
}

/// A table of `key = "value"`, in file order.
fn string_map(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Vec<(String, String)> {
    let keys: Vec<String> = t.table.keys().map(|k| k.get_ref().to_string()).collect();
    keys.into_iter()
        .filter_map(|k| r.string(t, &k, true).map(|v| (k, v)))
        .collect()
}

fn read_survey(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Survey> {
    r.only(
        t,
        &[
            "k_anonymity",
            "quasi_identifiers",
            "coarsen",
            "missing",
            "breakdowns",
            "files",
            "codebooks",
        ],
    );
    let k_anonymity = positive(r, t, "k_anonymity", 1000)
        .map(|v| v as u32)
        .unwrap_or(5);
    let quasi_identifiers = r.strings(t, "quasi_identifiers", true);
    let coarsen = r.string(t, "coarsen", false);
    let missing = r.strings(t, "missing", false).unwrap_or_default();
    let breakdowns: Vec<SurveyBreakdown> = match r.table(t, "breakdowns", false) {
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
    };
    let files: Vec<Option<SurveyFile>> = r
        .tables(t, "files", false)
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
        .collect();
    let codebooks: Vec<Codebook> = match r.table(t, "codebooks", true) {
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
                        .filter_map(|name| {
                            let v = r.table(&vars, &name, true)?;
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
                        })
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
    };
    Some(Survey {
        k_anonymity,
        quasi_identifiers: quasi_identifiers?,
        coarsen,
        missing,
        breakdowns,
        files: files.into_iter().collect::<Option<_>>()?,
        codebooks,
    })
}

fn read_returns(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Returns> {
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
    let change_factor = match t.table.get("change_factor") {
        Some(_) => r.number(t, "change_factor").filter(|f| {
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
        })?,
        None => d.change_factor,
    };
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
    Some(Returns {
        inbox,
        template_version,
        deadline,
        contact,
        change_factor,
        change_min_difference,
        max_rows,
        max_bytes,
    })
}

/// An optional whole number from 1 to `max`.
fn positive(r: &mut Reader<'_>, t: &Tbl<'_, '_>, key: &str, max: i64) -> Option<i64> {
    let v = r.integer(t, key, false)?;
    if (1..=max).contains(&v) {
        Some(v)
    } else {
        let span = t.table.get(key).map(|i| i.span());
        r.problem(
            span,
            join(&t.path, key),
            format!("{v} är utanför det tillåtna intervallet 1–{max}"),
        );
        None
    }
}

fn year_value(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<YearValue> {
    r.only(t, &["year", "value"]);
    let year = r.year(t, "year");
    let value = r.number(t, "value");
    Some(YearValue {
        year: year?,
        value: value?,
    })
}

fn read_reference(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Reference> {
    r.only(
        t,
        &[
            "base_url",
            "cache",
            "municipalities",
            "municipality",
            "connect_timeout_ms",
            "timeout_ms",
            "max_tries",
            "backoff_ms",
            "max_retry_after_ms",
            "max_bytes",
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
    let cache = r.string(t, "cache", true).map(PathBuf::from);
    let municipality = r.string(t, "municipality", true);
    let municipalities = r.strings(t, "municipalities", false);
    let ms = |r: &mut Reader<'_>, key: &str, default: i64| {
        positive(r, t, key, 3_600_000).unwrap_or(default) as u64
    };
    let connect_timeout_ms = ms(r, "connect_timeout_ms", 5_000);
    let timeout_ms = ms(r, "timeout_ms", 30_000);
    let max_tries = positive(r, t, "max_tries", 20).unwrap_or(4) as u32;
    let backoff_ms = ms(r, "backoff_ms", 500);
    let max_retry_after_ms = ms(r, "max_retry_after_ms", 60_000);
    let max_bytes = positive(r, t, "max_bytes", i64::MAX).unwrap_or(50_000_000) as u64;
    let series: Vec<Option<ReferenceSeries>> = r
        .tables(t, "series", true)
        .into_iter()
        .map(|st| {
            r.only(&st, &["indicator", "kpi", "scale"]);
            let indicator = r.string(&st, "indicator", true);
            let kpi = r.string(&st, "kpi", true);
            let scale = match st.table.get("scale") {
                Some(_) => r.number(&st, "scale")?,
                None => 1.0,
            };
            Some(ReferenceSeries {
                indicator: indicator?,
                kpi: kpi?,
                scale,
            })
        })
        .collect();
    let municipality = municipality?;
    let mut municipalities = municipalities.unwrap_or_default();
    if !municipalities.contains(&municipality) {
        municipalities.insert(0, municipality.clone());
    }
    Some(Reference {
        base_url: base_url?.trim_end_matches('/').to_string(),
        cache: cache?,
        municipalities,
        municipality,
        connect_timeout_ms,
        timeout_ms,
        max_tries,
        backoff_ms,
        max_retry_after_ms,
        max_bytes,
        series: series.into_iter().collect::<Option<_>>()?,
    })
}
