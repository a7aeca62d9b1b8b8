//! Disclosure control: small cells are withheld, and enough others with them
//! that no withheld cell can be worked out from the published ones. The audit
//! proves that on every table; the property tests run it on many random ones.

use proptest::prelude::*;
use uppfolj::aggregate::{CITY, Cell};
use uppfolj::disclose::{Reason, protect};
use uppfolj::pipeline::{self, Pipeline};

use crate::test::{SAMPLE_PIPELINE, repo_root};

fn pipeline() -> Pipeline {
    pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap()
}

fn count(id: &str, unit: &str, breakdown: &str, group: &str, v: f64) -> Cell {
    Cell {
        indicator_id: id.into(),
        year: 2021,
        unit_id: unit.into(),
        key: uppfolj::pipeline::GroupKey::of(breakdown, group),
        value: Some(v),
        numerator: None,
        denominator: None,
        n: Some(v),
        ci_low: None,
        ci_high: None,
        suppressed: false,
        source: uppfolj::pipeline::Source::Return,
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

fn find<'a>(
    cells: &'a [(Cell, Option<Reason>)],
    unit: &str,
    group: &str,
) -> &'a (Cell, Option<Reason>) {
    cells
        .iter()
        .find(|(c, _)| c.unit_id == unit && c.key.group == group)
        .unwrap()
}

#[test]
fn kvinna_withheld_means_man_withheld_when_the_total_is_shown() {
    let p = pipeline();
    let out = protect(&p, kon_table("ARB-2", &[(3.0, 40.0), (20.0, 25.0)])).unwrap();
    assert_eq!(find(&out, "enhet0", "kvinna").1, Some(Reason::Primary));
    assert_eq!(find(&out, "enhet0", "man").1, Some(Reason::Complementary));
    assert!(!find(&out, "enhet0", "total").0.suppressed);
    // The city's kvinna = enhet0 + enhet1 would give enhet0's away through enhet1.
    let city_k = find(&out, CITY, "kvinna");
    let other_k = find(&out, "enhet1", "kvinna");
    assert!(city_k.0.suppressed || other_k.0.suppressed);
    let withheld = find(&out, "enhet0", "kvinna");
    assert_eq!(withheld.0.value, None, "a withheld cell carries no number");
}

#[test]
fn indicators_that_count_no_persons_are_not_withheld() {
    let p = pipeline();
    // KUL-1 counts events, not persons.
    let out = protect(&p, kon_table("KUL-1", &[(1.0, 2.0)])).unwrap();
    assert!(out.iter().all(|(c, _)| !c.suppressed));
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
    assert!(out.iter().all(|(c, _)| c.unit_id == CITY));
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
        assert_eq!(out[0].0.suppressed, withheld, "{num}/{den}");
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
        for ((before, _), (after, _)) in cells.iter().map(|c| (c, ())).zip(out.iter().map(|(c, r)| (c, r))) {
            if before.value.unwrap() < 5.0 {
                prop_assert!(after.suppressed, "{before:?} should be withheld");
            }
        }
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
        for (before, (after, _)) in cells.iter().zip(&out) {
            if before.value.unwrap() < 5.0 {
                prop_assert!(after.suppressed);
            }
        }
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
