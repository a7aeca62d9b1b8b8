//! The reading machinery: a spanned TOML table, and helpers that read one
//! field each, recording every mistake with its path and line and going on.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::pipeline::{Date, Problem};

pub(super) type Item<'i> = Spanned<DeValue<'i>>;

pub(super) struct Reader<'s> {
    pub(super) src: &'s str,
    /// Byte offset where each line starts, to turn spans into line numbers.
    pub(super) line_starts: Vec<usize>,
    pub(super) problems: Vec<Problem>,
    pub(super) lines: BTreeMap<String, usize>,
}

/// A table being read, with its path in the file.
pub(super) struct Tbl<'t, 'i> {
    pub(super) table: &'t DeTable<'i>,
    pub(super) path: String,
    pub(super) span: Range<usize>,
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

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'s> Reader<'s> {
    pub(super) fn line(&self, offset: usize) -> usize {
        let offset = offset.min(self.src.len());
        self.line_starts.partition_point(|start| *start <= offset)
    }

    pub(super) fn problem(
        &mut self,
        span: Option<Range<usize>>,
        path: impl Into<String>,
        message: String,
    ) {
        let line = span.map(|s| self.line(s.start));
        self.problems.push(Problem {
            line,
            path: path.into(),
            message,
        });
    }

    /// Looks up `key`, remembering its line; reports a missing required key.
    pub(super) fn get<'t, 'i>(
        &mut self,
        t: &Tbl<'t, 'i>,
        key: &str,
        required: bool,
    ) -> Option<&'t Item<'i>> {
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

    pub(super) fn wrong_type(&mut self, item: &Item<'_>, path: String, expected: &str) {
        let found = type_name(item.get_ref());
        self.problem(
            Some(item.span()),
            path,
            format!("ska vara {expected}, men är {found}"),
        );
    }

    pub(super) fn string(&mut self, t: &Tbl<'_, '_>, key: &str, required: bool) -> Option<String> {
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

    pub(super) fn integer(&mut self, t: &Tbl<'_, '_>, key: &str, required: bool) -> Option<i64> {
        let item = self.get(t, key, required)?;
        self.as_integer(item, join(&t.path, key))
    }

    pub(super) fn as_integer(&mut self, item: &Item<'_>, path: String) -> Option<i64> {
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

    pub(super) fn year(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<i32> {
        self.integer_within(t, key, 1900..=2200, |v| {
            format!("{v} är inte ett rimligt årtal")
        })
        .map(|v| v as i32)
    }

    /// A required integer within `range`; outside it, `out_of_range` says why.
    pub(super) fn integer_within(
        &mut self,
        t: &Tbl<'_, '_>,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
        out_of_range: impl FnOnce(i64) -> String,
    ) -> Option<i64> {
        let item = self.get(t, key, true)?;
        let path = join(&t.path, key);
        let v = self.as_integer(item, path.clone())?;
        if range.contains(&v) {
            Some(v)
        } else {
            self.problem(Some(item.span()), path, out_of_range(v));
            None
        }
    }

    pub(super) fn number(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<f64> {
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

    pub(super) fn boolean(&mut self, t: &Tbl<'_, '_>, key: &str, required: bool) -> Option<bool> {
        let item = self.get(t, key, required)?;
        match item.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(item, join(&t.path, key), "true eller false");
                None
            }
        }
    }

    pub(super) fn date(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<Date> {
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
    pub(super) fn choice<T: Copy>(
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
        let hint = closest(s, &options.iter().map(|(n, _)| *n).collect::<Vec<_>>())
            .map(|n| format!("; menade du \"{n}\"?"))
            .unwrap_or_default();
        self.problem(
            Some(item.span()),
            path,
            format!(
                "okänt värde \"{s}\"; tillåtna värden är {}{hint}",
                names.join(", ")
            ),
        );
        // The problem is told; the first option stands in, so the item is
        // kept and the cross-checks still run (the file is refused anyway).
        options.first().map(|(_, v)| *v)
    }

    pub(super) fn strings(
        &mut self,
        t: &Tbl<'_, '_>,
        key: &str,
        required: bool,
    ) -> Option<Vec<String>> {
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

    /// A list of years, e.g. `years = [2022, 2023]`.
    pub(super) fn years(&mut self, t: &Tbl<'_, '_>, key: &str, required: bool) -> Option<Vec<i32>> {
        let item = self.get(t, key, required)?;
        let path = join(&t.path, key);
        let DeValue::Array(arr) = item.get_ref() else {
            self.wrong_type(item, path, "en lista med årtal");
            return None;
        };
        let mut out = Vec::new();
        for (i, v) in arr.iter().enumerate() {
            let p = format!("{path}[{i}]");
            match self.as_integer(v, p.clone()) {
                Some(y) if (1900..=2200).contains(&y) => out.push(y as i32),
                Some(y) => {
                    self.problem(Some(v.span()), p, format!("{y} är inte ett rimligt årtal"))
                }
                None => {}
            }
        }
        Some(out)
    }

    /// A list of whole days from 0 to 366, e.g. `remind_days_before = [14, 3]`.
    pub(super) fn days(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<Vec<u32>> {
        let item = self.get(t, key, false)?;
        let path = join(&t.path, key);
        let DeValue::Array(arr) = item.get_ref() else {
            self.wrong_type(item, path, "en lista med antal dagar");
            return None;
        };
        let mut out = Vec::new();
        for (i, v) in arr.iter().enumerate() {
            let p = format!("{path}[{i}]");
            match self.as_integer(v, p.clone()) {
                Some(d) if (0..=366).contains(&d) => out.push(d as u32),
                Some(d) => {
                    self.problem(
                        Some(v.span()),
                        p,
                        format!("{d} dagar: ska vara från 0 till 366"),
                    );
                    return None;
                }
                None => return None,
            }
        }
        Some(out)
    }

    pub(super) fn table<'t, 'i>(
        &mut self,
        t: &Tbl<'t, 'i>,
        key: &str,
        required: bool,
    ) -> Option<Tbl<'t, 'i>> {
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
    pub(super) fn tables<'t, 'i>(
        &mut self,
        t: &Tbl<'t, 'i>,
        key: &str,
        required: bool,
    ) -> Vec<Tbl<'t, 'i>> {
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
    pub(super) fn only(&mut self, t: &Tbl<'_, '_>, known: &[&str]) {
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

/// Edits between two words, a swap of neighbours counting as one ("anm"
/// is one from "amn").
pub(in crate::pipeline) fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// A table of `key = ["value", …]`, in file order.
pub(super) fn string_lists(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Vec<(String, Vec<String>)> {
    let keys: Vec<String> = t.table.keys().map(|k| k.get_ref().to_string()).collect();
    keys.into_iter()
        .filter_map(|k| r.strings(t, &k, true).map(|v| (k, v)))
        .collect()
}

/// A table of `key = "value"`, in file order.
pub(super) fn string_map(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Vec<(String, String)> {
    let keys: Vec<String> = t.table.keys().map(|k| k.get_ref().to_string()).collect();
    keys.into_iter()
        .filter_map(|k| r.string(t, &k, true).map(|v| (k, v)))
        .collect()
}

/// An optional whole number from 1 to `max`.
pub(super) fn positive(r: &mut Reader<'_>, t: &Tbl<'_, '_>, key: &str, max: i64) -> Option<i64> {
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
