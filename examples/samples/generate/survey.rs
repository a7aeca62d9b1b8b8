//! Deterministic synthetic survey responses for `data-samples/survey/`, one
//! file a year in the formats real exports come in: CSV in UTF-8, CSV in
//! Windows-1252 with `;` and decimal-comma weights, `.xlsx`, Parquet, and a
//! year whose answers are Swedish labels rather than codes. Plausible trends;
//! illustrative values; no real person behind any row.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{Rng, seed_of};
use uppfolj::pipeline::{Codebook, Pipeline, Survey};

/// Respondents per year.
pub const SIZES: [(i32, usize); 5] = [
    (2018, 620),
    (2019, 810),
    (2020, 450),
    (2021, 1100),
    (2022, 1350),
];

/// How a year's file is written.
#[derive(Clone, Copy)]
enum Format {
    Csv {
        sep: u8,
        cp1252: bool,
        decimal_comma: bool,
        bom: bool,
    },
    Xlsx,
    Parquet,
}

fn format_of(path: &Path, year: i32) -> Format {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "xlsx" => Format::Xlsx,
        "parquet" => Format::Parquet,
        // 2019 is the file Swedish Excel saves; 2022 a UTF-8 export with a BOM.
        _ if year == 2019 => Format::Csv {
            sep: b';',
            cp1252: true,
            decimal_comma: true,
            bom: false,
        },
        _ if year == 2022 => Format::Csv {
            sep: b'\t',
            cp1252: false,
            decimal_comma: false,
            bom: true,
        },
        _ => Format::Csv {
            sep: b',',
            cp1252: false,
            decimal_comma: false,
            bom: false,
        },
    }
}

/// One respondent in the codebook's values; `None` is a missing answer.
type Person = Vec<(&'static str, Option<&'static str>)>;

fn pick<'a>(rng: &mut Rng, options: &[(&'a str, f64)]) -> &'a str {
    let total: f64 = options.iter().map(|(_, p)| p).sum();
    let mut r = rng.unit() * total;
    for (v, p) in options {
        if r < *p {
            return v;
        }
        r -= p;
    }
    options.last().map(|(v, _)| *v).unwrap_or("")
}

const AGES: [&str; 4] = ["16-19", "20-29", "30-49", "50-64"];
const AREAS: [&str; 3] = ["västerort", "innerstaden", "söderort"];

/// The quasi-identifiers by quota, so that no group falls below k by chance.
fn quotas(n: usize) -> Vec<(&'static str, &'static str, &'static str)> {
    let sexes = [("kvinna", 0.53), ("man", 0.47)];
    let ages = [0.16, 0.27, 0.35, 0.22];
    let areas = [0.42, 0.20, 0.38];
    let mut out = Vec::new();
    for (s, ps) in sexes {
        for (a, pa) in AGES.iter().zip(ages) {
            for (r, pr) in AREAS.iter().zip(areas) {
                let k = ((n as f64) * ps * pa * pr).round().max(8.0) as usize;
                out.extend(std::iter::repeat_n((s, *a, *r), k));
            }
        }
    }
    out
}

fn person(
    rng: &mut Rng,
    year: i32,
    sex: &'static str,
    age: &'static str,
    area: &'static str,
) -> (Person, f64) {
    let t = (year - 2018) as f64 / 4.0;
    let trust = |rng: &mut Rng, base: f64| -> Option<&'static str> {
        let v = pick(
            rng,
            &[
                ("mycket stort", base * 0.3),
                ("stort", base * 0.7),
                ("litet", (1.0 - base) * 0.55),
                ("mycket litet", (1.0 - base) * 0.33),
                ("Vet ej", (1.0 - base) * 0.09),
                ("Vill ej svara", (1.0 - base) * 0.03),
            ],
        );
        Some(v)
    };
    let women = sex == "kvinna";
    let young = age == "16-19";
    let soc = trust(rng, 0.22 + 0.12 * t + if women { 0.02 } else { -0.02 });
    let school = trust(rng, 0.36 + 0.10 * t);
    let city = trust(rng, 0.28 + 0.10 * t);
    let work = if young {
        pick(
            rng,
            &[
                ("studerar", 0.8),
                ("arbetar", 0.08),
                ("arbetssökande", 0.1),
                ("annat", 0.02),
            ],
        )
    } else {
        let w = 0.34 + 0.08 * t + if women { -0.05 } else { 0.05 };
        pick(
            rng,
            &[
                ("arbetar", w),
                ("eget företag", 0.06),
                ("studerar", 0.10),
                ("arbetssökande", 0.30 - 0.06 * t),
                ("annat", (0.50 - w).max(0.02)),
                ("Vill ej svara", 0.02),
            ],
        )
    };
    let education = if young {
        pick(rng, &[("förgymnasial", 0.85), ("gymnasial", 0.15)])
    } else {
        let g = 0.44 + 0.10 * t;
        pick(
            rng,
            &[
                ("förgymnasial", 1.0 - g),
                ("gymnasial", g * 0.75),
                ("eftergymnasial", g * 0.25),
                ("Vet ej", 0.02),
            ],
        )
    };
    let kids = pick(
        rng,
        &[
            (
                "ja",
                match age {
                    "16-19" => 0.02,
                    "20-29" => 0.25,
                    "30-49" => 0.55,
                    _ => 0.30,
                },
            ),
            ("nej", 0.7),
        ],
    );
    let tongue = (kids == "ja").then(|| {
        pick(
            rng,
            &[
                ("ja", 0.15 + 0.15 * t),
                ("nej", 0.80 - 0.15 * t),
                ("Vet ej", 0.05),
            ],
        )
    });
    let discrimination = pick(
        rng,
        &[
            ("ja", 0.42 - 0.12 * t),
            ("nej", 0.55 + 0.12 * t),
            ("Vill ej svara", 0.03),
        ],
    );
    let weight = (0.6 + rng.unit() * 1.0) * if women { 0.95 } else { 1.06 };
    let p: Person = vec![
        ("kon", Some(sex)),
        ("aldersklass", Some(age)),
        ("omrade", Some(area)),
        ("fortroende_socialtjanst", soc),
        ("fortroende_skola", school),
        ("fortroende_stad", city),
        ("sysselsattning", Some(work)),
        ("utbildning", Some(education)),
        ("barn_skolalder", Some(kids)),
        ("modersmal", tongue),
        ("diskriminering", Some(discrimination)),
    ];
    (p, (weight * 1000.0).round() / 1000.0)
}

const COMMENTS: [&str; 4] = [
    "Bättre bemötande än förra året.",
    "Svårt att få kontakt med förvaltningen.",
    "Brobyggaren har varit till stor hjälp.",
    "Önskar mer information på romani chib.",
];

/// The code the codebook uses for a value ("kvinna" → "1"). A missing answer
/// the codebook has no code for becomes its other missing code, or a blank.
fn code_for(survey: &Survey, cb: &Codebook, var: &str, value: &str) -> String {
    let Some(v) = cb.variable(var) else {
        return value.to_string();
    };
    if v.codes.is_empty() {
        return value.to_string();
    }
    if let Some((code, _)) = v.codes.iter().find(|(_, val)| val == value) {
        return code.clone();
    }
    if survey.is_missing(value)
        && let Some((code, _)) = v.codes.iter().find(|(_, val)| survey.is_missing(val))
    {
        return code.clone();
    }
    String::new()
}

/// Writes each year's file where the pipeline's `[[survey.files]]` says.
pub fn write_surveys(p: &Pipeline) -> std::io::Result<Vec<PathBuf>> {
    write_surveys_sized(p, None)
}

/// As [`write_surveys`], with `respondents` a year instead of the samples' sizes.
pub fn write_surveys_sized(
    p: &Pipeline,
    respondents: Option<usize>,
) -> std::io::Result<Vec<PathBuf>> {
    let Some(survey) = &p.survey else {
        return Ok(Vec::new());
    };
    let mut written = Vec::new();
    for f in &survey.files {
        let Some(cb) = survey.codebook(&f.codebook) else {
            continue;
        };
        let n = respondents.unwrap_or_else(|| {
            SIZES
                .iter()
                .find(|(y, _)| *y == f.year)
                .map(|(_, n)| *n)
                .unwrap_or(500)
        });
        let mut rng = Rng::new(seed_of(&["enkät", &f.year.to_string()]));
        let mut people = quotas(n);
        // Shuffle, so that rows come in no telling order.
        for i in (1..people.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            people.swap(i, j);
        }
        let mut header: Vec<String> = vec!["lopnr".into()];
        header.extend(cb.variables.iter().map(|v| v.column.clone()));
        if let Some(w) = &cb.weight {
            header.push(w.clone());
        }
        header.push("kommentar".into());
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut weights: Vec<f64> = Vec::new();
        for (i, (sex, age, area)) in people.into_iter().enumerate() {
            let (person, weight) = person(&mut rng, f.year, sex, age, area);
            let mut row = vec![format!("R{:05}", i + 1)];
            for v in &cb.variables {
                let value = person
                    .iter()
                    .find(|(name, _)| *name == v.name)
                    .and_then(|(_, val)| *val);
                row.push(
                    value
                        .map(|val| code_for(survey, cb, &v.name, val))
                        .unwrap_or_default(),
                );
            }
            weights.push(weight);
            let comment = if rng.unit() < 0.06 {
                COMMENTS[(rng.next_u64() % COMMENTS.len() as u64) as usize]
            } else {
                ""
            };
            row.push(comment.to_string());
            rows.push(row);
        }
        let path = p.resolve(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let weighted = cb.weight.is_some();
        match format_of(&path, f.year) {
            Format::Csv {
                sep,
                cp1252,
                decimal_comma,
                bom,
            } => write_csv(
                &path,
                &header,
                &rows,
                weighted.then_some(&weights),
                sep,
                cp1252,
                decimal_comma,
                bom,
            )?,
            Format::Xlsx => write_xlsx(&path, &header, &rows, weighted.then_some(&weights))?,
            Format::Parquet => write_parquet(&path, &header, &rows, weighted.then_some(&weights))?,
        }
        written.push(path);
    }
    Ok(written)
}

/// Inserts the weight before the comment column.
fn with_weight(row: &[String], weight: Option<String>) -> Vec<String> {
    let mut r = row[..row.len() - 1].to_vec();
    if let Some(w) = weight {
        r.push(w);
    }
    r.push(row[row.len() - 1].clone());
    r
}

#[allow(clippy::too_many_arguments)]
fn write_csv(
    path: &Path,
    header: &[String],
    rows: &[Vec<String>],
    weights: Option<&Vec<f64>>,
    sep: u8,
    cp1252: bool,
    decimal_comma: bool,
    bom: bool,
) -> std::io::Result<()> {
    let sep = sep as char;
    let quote = |s: &str| {
        if s.contains(sep) || s.contains('"') || s.contains('\n') {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut text = String::new();
    text.push_str(
        &header
            .iter()
            .map(|h| quote(h))
            .collect::<Vec<_>>()
            .join(&sep.to_string()),
    );
    text.push_str("\r\n");
    for (i, row) in rows.iter().enumerate() {
        let w = weights.map(|w| {
            let s = format!("{:.3}", w[i]);
            if decimal_comma {
                s.replace('.', ",")
            } else {
                s
            }
        });
        let cells = with_weight(row, w);
        text.push_str(
            &cells
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(&sep.to_string()),
        );
        text.push_str("\r\n");
    }
    let bytes = if cp1252 {
        let (b, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
        if unmappable {
            return Err(std::io::Error::other(
                "text not representable in Windows-1252",
            ));
        }
        b.into_owned()
    } else if bom {
        [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat()
    } else {
        text.into_bytes()
    };
    std::fs::write(path, bytes)
}

fn write_xlsx(
    path: &Path,
    header: &[String],
    rows: &[Vec<String>],
    weights: Option<&Vec<f64>>,
) -> std::io::Result<()> {
    let err = |e: rust_xlsxwriter::XlsxError| std::io::Error::other(e.to_string());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 1, 15).map_err(err)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let ws = wb.add_worksheet();
    ws.set_name("Svar").map_err(err)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).map_err(err)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let cells = with_weight(row, weights.map(|w| w[i].to_string()));
        for (c, v) in cells.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            match v.parse::<f64>() {
                Ok(n) if c > 0 => ws.write_number(i as u32 + 1, c as u16, n).map_err(err)?,
                _ => ws.write_string(i as u32 + 1, c as u16, v).map_err(err)?,
            };
        }
    }
    wb.save(path).map_err(err)
}

fn write_parquet(
    path: &Path,
    header: &[String],
    rows: &[Vec<String>],
    weights: Option<&Vec<f64>>,
) -> std::io::Result<()> {
    let err = |e: PolarsError| std::io::Error::other(e.to_string());
    let full: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| with_weight(r, weights.map(|w| w[i].to_string())))
        .collect();
    let last = header.len() - 1;
    let weight_col = weights.map(|_| last - 1);
    let columns: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let values = full.iter().map(|r| r[c].as_str());
            if c == 0 || c == last {
                Column::new(
                    name.as_str().into(),
                    values
                        .map(|v| (!v.is_empty()).then_some(v))
                        .collect::<Vec<_>>(),
                )
            } else if Some(c) == weight_col {
                Column::new(
                    name.as_str().into(),
                    values.map(|v| v.parse::<f64>().ok()).collect::<Vec<_>>(),
                )
            } else {
                Column::new(
                    name.as_str().into(),
                    values.map(|v| v.parse::<i64>().ok()).collect::<Vec<_>>(),
                )
            }
        })
        .collect();
    let mut df = DataFrame::new_infer_height(columns).map_err(err)?;
    let file = std::fs::File::create(path)?;
    ParquetWriter::new(file).finish(&mut df).map_err(err)?;
    Ok(())
}
