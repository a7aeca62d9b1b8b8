//! The pipeline model read from text: the sample parses, damaged files never
//! panic and say why, and units follow mergers.

use uppfolj::pipeline::parse;

use crate::test::sample_pipeline;

#[test]
fn sample_parses() {
    let sample = &sample_pipeline();
    let p = parse(sample).expect("the sample pipeline is valid");
    assert_eq!(p.indicators.len(), 34);
}

/// Whatever the file holds, reading it never panics, and a file that
/// cannot be read says why: at least one problem, each with a message.
#[test]
fn truncated_or_damaged_files_never_panic() {
    let sample = &sample_pipeline();
    let mut texts: Vec<String> = Vec::new();
    let mut cut = 0;
    while cut < sample.len() {
        if sample.is_char_boundary(cut) {
            texts.push(sample[..cut].to_string());
        }
        cut += 97;
    }
    let lines: Vec<&str> = sample.lines().collect();
    for skip in (0..lines.len()).step_by(7) {
        let damaged: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect();
        texts.push(damaged.join("\n"));
    }
    let mut refused = 0;
    for text in &texts {
        if let Err(problems) = parse(text) {
            refused += 1;
            assert!(!problems.is_empty());
            assert!(problems.iter().all(|p| !p.message.trim().is_empty()));
        }
    }
    // Every cut short of the whole file loses a required part.
    assert!(refused >= sample.len() / 97, "{refused} of {}", texts.len());
}

#[test]
fn successor_follows_a_merger() {
    let sample = &sample_pipeline();
    let p = parse(sample).unwrap();
    assert_eq!(p.successor_in("alvsjo", 2019).unwrap().id, "alvsjo");
    assert_eq!(
        p.successor_in("alvsjo", 2021).unwrap().id,
        "hagersten-alvsjo"
    );
    assert_eq!(
        p.successor_in("hagersten-liljeholmen", 2020).unwrap().id,
        "hagersten-alvsjo"
    );
    assert_eq!(
        p.successor_in("ostermalm", 2024).unwrap().id,
        "norra-innerstaden"
    );
    let sdn = vec!["sdn".to_string()];
    assert_eq!(p.responsible_units(&sdn, 2019).len(), 14);
    assert_eq!(p.responsible_units(&sdn, 2020).len(), 13);
    assert_eq!(p.responsible_units(&sdn, 2023).len(), 11);
}
