//! Disclosure control: small cells are withheld, and enough others with them
//! that no withheld cell can be worked out from the published ones. The audit
//! proves that on every table; the property tests run it on many random ones.

use proptest::prelude::*;
use uppfolj::aggregate::Cell;
use uppfolj::disclose::protect;
use uppfolj::pipeline::CITY;
use uppfolj::pipeline::Reason;
use uppfolj::pipeline::{self, Pipeline};

use crate::test::{SAMPLE_PIPELINE, repo_root};

fn pipeline() -> Pipeline {
    pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap()
}

fn count(id: &str, unit: &str, breakdown: &str, group: &str, v: f64) -> Cell {
    let key = uppfolj::pipeline::GroupKey::of(breakdown, group);
    Cell {
        value: Some(v),
        n: Some(v),
        ..Cell::empty(id, 2021, unit, key, uppfolj::pipeline::Source::Return)
    }
}

/// Units' counts by kön, their totals, and the city's sums, as aggregation makes them.
fn kon_table(id: &str, units: &[(f64, f64)]) -> Vec<Cell> {
    let mut cells = Vec::new();
    let (mut ck, mut cm) = (0.0, 0.0);
    for (i, (k, m)) in units.iter().enumerate() {
        let u = format!("enhet{i}");
        cells.push(count(id, &u, "total", "total", k + m));
        cells.push(count(id, &u, "kon", "kvinna", *k));
        cells.push(count(id, &u, "kon", "man", *m));
        ck += k;
        cm += m;
    }
    cells.push(count(id, CITY, "total", "total", ck + cm));
    cells.push(count(id, CITY, "kon", "kvinna", ck));
    cells.push(count(id, CITY, "kon", "man", cm));
    cells
}

fn find<'a>(cells: &'a [Cell], unit: &str, group: &str) -> &'a Cell {
    cells
        .iter()
        .find(|c| c.unit_id == unit && c.key.group == group)
        .unwrap()
}

#[test]
fn kvinna_withheld_means_man_withheld_when_the_total_is_shown() {
    let p = pipeline();
    let out = protect(&p, kon_table("ARB-2", &[(3.0, 40.0), (20.0, 25.0)])).unwrap();
    assert_eq!(
        find(&out, "enhet0", "kvinna").withheld,
        Some(Reason::Primary)
    );
    assert_eq!(
        find(&out, "enhet0", "man").withheld,
        Some(Reason::Complementary)
    );
    assert!(!find(&out, "enhet0", "total").is_withheld());
    // The city's kvinna = enhet0 + enhet1 would give enhet0's away through enhet1.
    let city_k = find(&out, CITY, "kvinna");
    let other_k = find(&out, "enhet1", "kvinna");
    assert!(city_k.is_withheld() || other_k.is_withheld());
    let withheld = find(&out, "enhet0", "kvinna");
    assert_eq!(withheld.value, None, "a withheld cell carries no number");
}

#[test]
fn indicators_that_count_no_persons_are_not_withheld() {
    let p = pipeline();
    // KUL-1 counts events, not persons.
    let out = protect(&p, kon_table("KUL-1", &[(1.0, 2.0)])).unwrap();
    assert!(out.iter().all(|c| !c.is_withheld()));
}

#[test]
fn city_only_indicators_are_never_published_per_unit() {
    let p = pipeline();
    let mut cells = kon_table("SOC-7", &[(30.0, 40.0)]);
    for c in cells.iter_mut() {
        c.numerator = c.value.map(|v| (v / 2.0).floor());
        c.denominator = c.value;
    }
    let out = protect(&p, cells).unwrap();
    assert!(!out.is_empty());
    assert!(out.iter().all(|c| c.unit_id == CITY));
}

#[test]
fn a_share_is_withheld_when_its_numerator_or_the_rest_is_small() {
    let p = pipeline();
    let share = |num: f64, den: f64| {
        let mut c = count("ARB-5", "amn", "total", "total", num / den);
        c.numerator = Some(num);
        c.denominator = Some(den);
        c.n = Some(den);
        c
    };
    for (num, den, withheld) in [
        (3.0, 40.0, true),
        (38.0, 40.0, true),
        (4.0, 4.0, true),
        (12.0, 40.0, false),
    ] {
        let out = protect(&p, vec![share(num, den)]).unwrap();
        assert_eq!(out[0].is_withheld(), withheld, "{num}/{den}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Units × kön with totals and city sums: the audit always passes and
    /// every small cell is withheld.
    #[test]
    fn random_kon_tables_pass_the_audit(units in prop::collection::vec((0u32..40, 0u32..40), 1..7)) {
        let p = pipeline();
        let units: Vec<(f64, f64)> = units.iter().map(|(k, m)| (*k as f64, *m as f64)).collect();
        let cells = kon_table("ARB-2", &units);
        let out = protect(&p, cells.clone()).expect("audit passes");
        for (before, after) in cells.iter().zip(&out) {
            if before.value.unwrap() < 5.0 {
                prop_assert!(after.is_withheld(), "{before:?} should be withheld");
            }
        }
        prop_assert!(every_range_hides(&cells, &out));
    }

    /// Crossed kön × åldersgrupp with margins, per unit and for the city.
    #[test]
    fn random_crossed_tables_pass_the_audit(units in prop::collection::vec(prop::array::uniform4(0u32..30), 1..5)) {
        let p = pipeline();
        let groups = [("kvinna", "16-29"), ("kvinna", "30-64"), ("man", "16-29"), ("man", "30-64")];
        let mut cells = Vec::new();
        let mut city = [0.0; 4];
        let add_unit = |u: &str, v: [f64; 4], cells: &mut Vec<Cell>| {
            cells.push(count("ARB-1", u, "total", "total", v.iter().sum()));
            for (i, (k, a)) in groups.iter().enumerate() {
                cells.push(count("ARB-1", u, "kon+aldersgrupp", &format!("{k}+{a}"), v[i]));
            }
            cells.push(count("ARB-1", u, "kon", "kvinna", v[0] + v[1]));
            cells.push(count("ARB-1", u, "kon", "man", v[2] + v[3]));
            cells.push(count("ARB-1", u, "aldersgrupp", "16-29", v[0] + v[2]));
            cells.push(count("ARB-1", u, "aldersgrupp", "30-64", v[1] + v[3]));
        };
        for (i, v) in units.iter().enumerate() {
            let v = v.map(|x| x as f64);
            for j in 0..4 {
                city[j] += v[j];
            }
            add_unit(&format!("enhet{i}"), v, &mut cells);
        }
        add_unit(CITY, city, &mut cells);
        let out = protect(&p, cells.clone()).expect("audit passes");
        prop_assert_eq!(out.len(), cells.len());
        for (before, after) in cells.iter().zip(&out) {
            if before.value.unwrap() < 5.0 {
                prop_assert!(after.is_withheld());
            }
        }
        prop_assert!(every_range_hides(&cells, &out));
    }
}

/// The audit from scratch on the published table: a reader who knows every
/// sum and that counts are whole and ≥ 0 narrows no withheld cell below 5.
fn every_range_hides(before: &[Cell], after: &[Cell]) -> bool {
    let refs: Vec<&Cell> = before.iter().collect();
    let table = uppfolj::disclose::table_of(&refs);
    let truth: Vec<Option<f64>> = before.iter().map(|c| c.value).collect();
    let withheld: Vec<bool> = after.iter().map(|c| c.is_withheld()).collect();
    uppfolj::disclose::bounds::ranges(&table.sums, &truth, &withheld)
        .iter()
        .all(|(_, r)| r.hides(5.0))
}

/// A crossed table of three × three groups with margins and a total, per
/// unit and for the city (as aggregation makes them).
fn three_by_three(units: &[[u32; 9]]) -> Vec<Cell> {
    let kon = ["k", "m", "x"];
    let age = ["0-17", "18-64", "65-"];
    let mut cells = Vec::new();
    let mut city = [0.0; 9];
    let add = |u: &str, v: [f64; 9], cells: &mut Vec<Cell>| {
        cells.push(count("ARB-1", u, "total", "total", v.iter().sum()));
        for (i, x) in v.iter().enumerate() {
            let g = format!("{}+{}", kon[i / 3], age[i % 3]);
            cells.push(count("ARB-1", u, "kon+alder", &g, *x));
        }
        for (j, k) in kon.iter().enumerate() {
            cells.push(count(
                "ARB-1",
                u,
                "kon",
                k,
                v[3 * j..3 * j + 3].iter().sum(),
            ));
        }
        for (j, a) in age.iter().enumerate() {
            cells.push(count("ARB-1", u, "alder", a, v[j] + v[j + 3] + v[j + 6]));
        }
    };
    for (i, v) in units.iter().enumerate() {
        let v = v.map(|x| x as f64);
        for j in 0..9 {
            city[j] += v[j];
        }
        add(&format!("enhet{i}"), v, &mut cells);
    }
    add(CITY, city, &mut cells);
    cells
}

#[test]
fn nonnegativity_gives_no_withheld_cell_away() {
    // The case: x has 3 persons, all 18–64; ålder 65- has 9, k+65- 7.
    // Knowing counts are ≥ 0, x's other cells are 0 and m+65- = 2 follows,
    // unless more is withheld.
    let cells = three_by_three(&[[6, 20, 7, 8, 30, 2, 0, 3, 0]]);
    let out = protect(&pipeline(), cells.clone()).unwrap();
    assert!(every_range_hides(&cells, &out));
    let m65 = out
        .iter()
        .find(|c| c.key.group == "m+65-" && c.unit_id != CITY)
        .unwrap();
    assert!(m65.is_withheld());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// Three groups crossed with three bands, small counts: every small
    /// cell is withheld and no withheld cell can be narrowed below 5.
    #[test]
    fn random_three_by_three_tables_hide_every_withheld_cell(
        units in prop::collection::vec(prop::array::uniform9(0u32..12), 1..3)
    ) {
        let cells = three_by_three(&units);
        let out = protect(&pipeline(), cells.clone()).expect("audit passes");
        for (before, after) in cells.iter().zip(&out) {
            if before.value.unwrap() < 5.0 {
                prop_assert!(after.is_withheld());
            }
        }
        prop_assert!(every_range_hides(&cells, &out));
    }

    /// Tables with missing members, as aggregation makes them: a unit that
    /// did not report its men has its total withheld as incomplete, and the
    /// city sums only the units that reported each group.
    #[test]
    fn tables_with_missing_members_hide_every_withheld_cell(
        units in prop::collection::vec((0u32..40, 0u32..40, any::<bool>()), 1..7)
    ) {
        let mut cells = Vec::new();
        let (mut ck, mut cm, mut ct) = (0.0, 0.0, 0.0);
        for (i, (k, m, reported)) in units.iter().enumerate() {
            let u = format!("enhet{i}");
            let (k, m) = (*k as f64, *m as f64);
            ck += k;
            cells.push(count("ARB-2", &u, "kon", "kvinna", k));
            if *reported {
                cells.push(count("ARB-2", &u, "total", "total", k + m));
                cells.push(count("ARB-2", &u, "kon", "man", m));
                cm += m;
                ct += k + m;
            } else {
                let mut total = count("ARB-2", &u, "total", "total", 0.0);
                total.withhold(Reason::Incomplete);
                cells.push(total);
            }
        }
        let missing: Vec<String> = units
            .iter()
            .enumerate()
            .filter(|(_, u)| !u.2)
            .map(|(i, _)| format!("enhet{i}"))
            .collect();
        let coverage = |missing: Vec<String>| Some(uppfolj::aggregate::Coverage { expected: units.len(), missing, refused: Vec::new() });
        cells.push(Cell { coverage: coverage(missing.clone()), ..count("ARB-2", CITY, "total", "total", ct) });
        cells.push(Cell { coverage: coverage(Vec::new()), ..count("ARB-2", CITY, "kon", "kvinna", ck) });
        cells.push(Cell { coverage: coverage(missing), ..count("ARB-2", CITY, "kon", "man", cm) });
        let out = protect(&pipeline(), cells.clone()).expect("audit passes");
        for (before, after) in cells.iter().zip(&out) {
            if before.withheld == Some(Reason::Incomplete) {
                prop_assert_eq!(after.withheld, Some(Reason::Incomplete));
            } else if before.value.unwrap() < 5.0 {
                prop_assert!(after.is_withheld());
            }
        }
        prop_assert!(every_range_hides(&cells, &out));
    }
}

#[test]
fn the_audit_catches_primary_suppression_alone() {
    // Without complementary suppression, a withheld kvinna is total − man.
    let cells = kon_table("ARB-2", &[(3.0, 40.0), (20.0, 25.0)]);
    let refs: Vec<&Cell> = cells.iter().collect();
    let table = uppfolj::disclose::table_of(&refs);
    let primary: Vec<bool> = cells.iter().map(|c| c.value.unwrap() < 5.0).collect();
    let determined = uppfolj::disclose::audit(&table, &primary);
    assert_eq!(determined, vec![1], "enhet0's kvinna is determined");
}
