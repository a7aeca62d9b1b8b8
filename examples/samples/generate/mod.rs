//! Deterministic synthetic returns for `data-samples/` and for tests.
//!
//! Written the way people fill templates in: most cells clean, some numbers
//! typed as Swedish text, a few formulas, comments here and there, and a short
//! list of planted mistakes (see [`PLANTED`]) that validation must find and
//! nothing else. The values follow plausible trends and are illustrative only.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use uppfolj::layout::{self, Layout};
use uppfolj::pipeline::{Direction, MeasureUnit, Pipeline};
use uppfolj::template::{self, Entry, Fill};

pub mod reference;
pub mod scale;
pub mod survey;

/// A mistake planted on purpose: unit, year, indicator, group, what is written.
pub struct Planted {
    pub unit: &'static str,
    pub year: i32,
    pub indicator: &'static str,
    pub group: &'static str,
    pub kind: PlantedKind,
}

pub enum PlantedKind {
    /// Left blank: a warning, listed as missing.
    Blank,
    /// Text that is not a number, in the value cell.
    Text(&'static str),
    /// Täljare above nämnare.
    NumeratorAboveDenominator,
    /// Five times the natural value: a warning on the change from last year.
    Jump,
}

/// The planted mistakes; `uppfolj validate` over the samples reports exactly these.
pub const PLANTED: &[Planted] = &[
    Planted {
        unit: "sn",
        year: 2019,
        indicator: "SOC-5",
        group: "total",
        kind: PlantedKind::Blank,
    },
    Planted {
        unit: "amn",
        year: 2021,
        indicator: "ARB-2",
        group: "man",
        kind: PlantedKind::Text("ca 20"),
    },
    Planted {
        unit: "farsta",
        year: 2021,
        indicator: "KUL-2",
        group: "total",
        kind: PlantedKind::Blank,
    },
    Planted {
        unit: "sn",
        year: 2020,
        indicator: "SOC-7",
        group: "total",
        kind: PlantedKind::NumeratorAboveDenominator,
    },
    Planted {
        unit: "amn",
        year: 2022,
        indicator: "ARB-3",
        group: "kvinna",
        kind: PlantedKind::Blank,
    },
    Planted {
        unit: "kungsholmen",
        year: 2022,
        indicator: "SOC-1",
        group: "total",
        kind: PlantedKind::Jump,
    },
];

/// Units that hand in no return for a year.
pub const MISSING: &[(&str, i32)] = &[("skarholmen", 2019)];

/// Returns re-saved by LibreOffice Calc after generation, as (unit, year, format).
pub const LIBREOFFICE: &[(&str, i32, &str)] = &[
    ("kun", 2021, "xlsx"),
    ("farsta", 2022, "ods"),
    ("bromma", 2019, "xls"),
];

/// splitmix64: small, fast and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// FNV-1a, to seed from names so that each series is stable on its own.
pub fn seed_of(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

const COMMENTS: &[&str] = &[
    "Uppgiften är hämtad från verksamhetssystemet.",
    "Uppskattning; exakt uppgift saknas.",
    "Ökningen beror på en ny samverkan med romska föreningar.",
    "Färre tillfällen än planerat på grund av vakanser.",
    "Räknat som unika personer under året.",
];

const DESCRIPTIONS: &[&str] = &[
    "Arbetet har fortsatt inom ordinarie verksamhet, i dialog med romska företrädare.",
    "En arbetsgrupp har tagits fram och en handlingsplan är antagen.",
    "Utbildningsinsatser har genomförts för berörda medarbetare.",
    "Samverkan med andra förvaltningar och civilsamhället har utvecklats.",
    "Uppföljningsrutiner har tagits fram och prövats under året.",
    "Arbetet har försenats på grund av omorganisation men återupptas nästa år.",
];

/// The natural value of one row in one year, before anyone types it in.
fn natural(
    p: &Pipeline,
    l: &Layout<'_>,
    row: &layout::IndicatorRow<'_>,
    year: i32,
) -> (f64, Option<f64>) {
    let ind = row.indicator;
    let unit = l.unit;
    let mut rng = Rng::new(seed_of(&[&ind.id, &unit.id]));
    // The sample generator knows its own pipeline: districts are "sdn".
    let city_wide = unit.kind != "sdn";
    // The baseline, where the pipeline gives one, is the city-wide unit's 2018 level.
    // Counts of things (meetings, events, staff) run smaller than counts of people.
    let base = match (ind.baseline, city_wide, ind.counts_persons) {
        (Some(b), true, _) if ind.unit == MeasureUnit::Antal => b.value,
        (_, true, true) => rng.range(20.0, 160.0),
        (_, false, true) => rng.range(3.0, 30.0),
        (_, true, false) => rng.range(4.0, 20.0),
        (_, false, false) => rng.range(1.0, 8.0),
    };
    let growth = match ind.direction {
        Direction::Higher => rng.range(0.03, 0.11),
        Direction::Lower => -rng.range(0.02, 0.06),
    };
    let t = (year - p.strategy.period.from) as f64;
    let mut noise = Rng::new(seed_of(&[
        &ind.id,
        &unit.id,
        &year.to_string(),
        &row.key.group,
    ]));
    let jitter = 1.0 + noise.range(-0.06, 0.06);
    // Split the total over the row's groups: women a little more than half, the younger a third.
    let mut share = 1.0;
    for (_, g) in row.key.parts() {
        share *= match g {
            "kvinna" => 0.55,
            "man" => 0.45,
            "16-29" => 0.35,
            "30-64" => 0.65,
            _ => 1.0,
        };
    }
    let level = base * (1.0 + growth).powf(t) * jitter * share;
    if ind.unit == MeasureUnit::Andel {
        let den = if city_wide {
            (level / 3.0).max(8.0)
        } else {
            (level / 4.0).max(2.0)
        };
        let rate = (0.22 + 0.035 * t + noise.range(-0.03, 0.03)).clamp(0.0, 1.0);
        let den = den.round();
        (((den * rate).round()).min(den), Some(den))
    } else {
        // Granted applications (the second of a pair sharing a measure) stay below applications.
        let scale = if ind.id.ends_with("-3") && ind.measure.starts_with("KUL") {
            0.6
        } else {
            1.0
        };
        ((level * scale).round().max(0.0), None)
    }
}

/// The fill of one unit's return for one year.
pub fn fill_for(p: &Pipeline, l: &Layout<'_>) -> Fill {
    let mut fill = Fill::default();
    let mut rng = Rng::new(seed_of(&[&l.unit.id, &l.year.to_string(), "fill"]));
    for (i, row) in l.indicators.iter().enumerate() {
        let (mut value, mut den) = natural(p, l, row, l.year);
        let planted = PLANTED.iter().find(|m| {
            m.unit == l.unit.id
                && m.year == l.year
                && m.indicator == row.indicator.id
                && m.group == row.key.group
        });
        let roll = rng.unit();
        if let Some(m) = planted {
            match m.kind {
                PlantedKind::Blank => {
                    fill.comments
                        .insert(i, "Uppgiften har inte gått att ta fram.".into());
                    continue;
                }
                PlantedKind::Text(t) => {
                    fill.values.insert(i, Entry::Text(t.into()));
                    continue;
                }
                PlantedKind::NumeratorAboveDenominator => {
                    let d = den.unwrap_or(10.0);
                    value = d + 3.0;
                    den = Some(d);
                }
                PlantedKind::Jump => value *= 5.0,
            }
        }
        let entry = if roll < 0.08 {
            Entry::Text(swedish_text(value, &mut rng))
        } else if roll < 0.11 && value >= 2.0 {
            let a = (value / 2.0).floor();
            Entry::Formula {
                formula: format!("={}+{}", a, value - a),
                result: value,
            }
        } else {
            Entry::Number(value)
        };
        fill.values.insert(i, entry);
        if let Some(d) = den {
            fill.denominators.insert(i, Entry::Number(d));
        }
        if rng.unit() < 0.08 {
            fill.comments.insert(
                i,
                COMMENTS[(rng.next_u64() % COMMENTS.len() as u64) as usize].into(),
            );
        }
    }
    let progress = (l.year - p.strategy.period.from) as f64 / 4.0;
    for (i, _) in l.measures.iter().enumerate() {
        let r = rng.unit();
        let (status, assessment) = if r < 0.15 * (1.0 - progress) {
            ("Ej påbörjad", "Ej uppfyllt")
        } else if r < 0.55 + 0.2 * (1.0 - progress) {
            ("Påbörjad", "Delvis uppfyllt")
        } else {
            ("Genomförd", "Uppfyllt")
        };
        let d = DESCRIPTIONS[(rng.next_u64() % DESCRIPTIONS.len() as u64) as usize];
        fill.activities
            .insert(i, (status.into(), assessment.into(), d.into()));
    }
    fill
}

/// A number as a person might type it as text: "1 234", "12,0", " 7 ".
fn swedish_text(v: f64, rng: &mut Rng) -> String {
    let n = v as i64;
    match rng.next_u64() % 3 {
        0 if n >= 1000 => format!("{}\u{a0}{:03}", n / 1000, n % 1000),
        0 | 1 => format!("{n},0"),
        _ => format!(" {n} "),
    }
}

/// Writes every sample return under `out/<year>/`; returns the files written.
pub fn write_returns(p: &Pipeline, out: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for year in p.strategy.period.years() {
        let dir = out.join(year.to_string());
        std::fs::create_dir_all(&dir)?;
        for unit in p.units_reporting(year) {
            if MISSING.contains(&(unit.id.as_str(), year)) {
                continue;
            }
            let l = layout::layout(p, unit, year);
            if l.is_empty() {
                continue;
            }
            let fill = fill_for(p, &l);
            let bytes = template::workbook_bytes(p, &l, Some(&fill))
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            let path = dir.join(format!("{}-{}.xlsx", unit.id, year));
            std::fs::write(&path, bytes)?;
            written.push(path);
        }
    }
    Ok(written)
}

/// The planted mistakes, as a lookup for tests: (unit, year, indicator, group).
pub fn planted_index()
-> HashMap<(&'static str, i32, &'static str, &'static str), &'static PlantedKind> {
    PLANTED
        .iter()
        .map(|m| ((m.unit, m.year, m.indicator, m.group), &m.kind))
        .collect()
}
