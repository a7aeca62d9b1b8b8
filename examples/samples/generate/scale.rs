//! A generator for larger follow-ups than Stockholm's, to measure how the
//! pipeline scales: the sample strategy with `units` more reporting units,
//! over `years` years, their filled-in returns for every year, and survey
//! files of `respondents` a year. Deterministic: the same arguments give the same files.

use std::path::{Path, PathBuf};

use uppfolj::pipeline::{self, Pipeline};

/// The sample pipeline, as shipped.
const SAMPLE: &str = include_str!("../../../pipelines/romsk-inkludering-2018-2022.toml");

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// Reporting units added to the sample's 22.
    pub units: usize,
    /// Respondents per survey year.
    pub respondents: usize,
    /// Survey files as CSV (true) or Parquet (false).
    pub csv: bool,
    /// Years of follow-up from 2018; the sample's five or more (a longer
    /// history), each with its returns and survey file.
    pub years: u16,
}

/// The sample strategy's first year and length.
const FIRST_YEAR: i32 = 2018;
const SAMPLE_YEARS: u16 = 5;

/// The pipeline text for a scale, with its inputs and outputs under its own folder.
pub fn pipeline_text(scale: &Scale) -> String {
    let ext = if scale.csv { "csv" } else { "parquet" };
    let mut text = SAMPLE
        .replace("inbox = \"../data-samples/returns\"", "inbox = \"returns\"")
        .replace(
            "cache = \"../data-samples/reference\"",
            "cache = \"reference\"",
        )
        .replace("dir = \"../ut\"", "dir = \"ut\"")
        .replace("charts = \"../charts\"\n", "");
    for (year, file) in [
        (2018, "enkat-2018.csv"),
        (2019, "enkat-2019.csv"),
        (2020, "enkat-2020.xlsx"),
        (2021, "enkat-2021.parquet"),
        (2022, "enkat-2022.csv"),
    ] {
        text = text.replace(
            &format!("path = \"../data-samples/survey/{file}\""),
            &format!("path = \"survey/enkat-{year}.{ext}\""),
        );
    }
    // The codebooks with labels and the new names stay; every year gets the
    // coded questionnaire, which the generator writes in any format.
    text = text.replace("codebook = \"v2022\"", "codebook = \"v2021\"");
    // A longer history: the period runs on, each added year with its survey.
    let years = scale.years.max(SAMPLE_YEARS);
    let last = FIRST_YEAR + years as i32 - 1;
    text = text.replace(
        "period = { from = 2018, to = 2022 }",
        &format!("period = {{ from = {FIRST_YEAR}, to = {last} }}"),
    );
    let mut added = String::new();
    for year in FIRST_YEAR + SAMPLE_YEARS as i32..=last {
        added.push_str(&format!(
            "[[survey.files]]\nyear = {year}\npath = \"survey/enkat-{year}.{ext}\"\ncodebook = \"v2021\"\n\n"
        ));
    }
    if !added.is_empty() {
        text = text.replacen(
            "# The questionnaire of 2018–2020",
            &format!("{added}# The questionnaire of 2018–2020"),
            1,
        );
    }
    for i in 1..=scale.units {
        text.push_str(&format!(
            "\n[[units]]\nid = \"enhet-{i:05}\"\nname = \"Enhet {i:05}\"\nkind = \"sdn\"\n"
        ));
    }
    text
}

/// Writes the pipeline file, returns, survey files and a reference snapshot
/// into `dir`; returns the pipeline file's path.
pub fn write(scale: &Scale, dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("pipeline.toml");
    std::fs::write(&path, pipeline_text(scale))?;
    let p: Pipeline =
        pipeline::load(&path).map_err(|e| std::io::Error::other(format!("{e}: {e:?}")))?;
    super::write_returns(&p, &dir.join("returns"))?;
    super::survey::write_surveys_sized(&p, Some(scale.respondents))?;
    super::reference::write_snapshot(&p)?;
    Ok(path)
}
