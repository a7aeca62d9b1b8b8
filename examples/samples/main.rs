//! Writes synthetic inputs: the samples in `data-samples/` and larger
//! follow-ups for measuring how the pipeline scales. Not part of the program:
//! the tests and benchmarks include the same generator.
//!
//! ```sh
//! cargo run --example samples -- sample-data pipelines/romsk-inkludering-2018-2022.toml --out data-samples/returns
//! cargo run --release --example samples -- scale-data --units 100 --respondents 100000 --out skala
//! ```

#[allow(dead_code)]
mod generate;

use std::path::PathBuf;

use clap::Parser;
use generate::scale::{self, Scale};

#[derive(Parser)]
#[command(about = "Skriver syntetiska indata: exempeldata och större uppföljningar för mätningar.")]
enum Cli {
    /// Skriv exempelåterrapporteringarna, enkätfilerna och referenscachen.
    SampleData {
        pipeline: PathBuf,
        /// Mappen för återrapporteringarna.
        #[arg(long)]
        out: PathBuf,
    },
    /// Skriv en större uppföljning: fler enheter, fler svarande, fler år.
    ScaleData {
        /// Enheter utöver exemplets.
        #[arg(long)]
        units: usize,
        /// Svarande per enkätår.
        #[arg(long)]
        respondents: usize,
        /// Enkätfiler som CSV i stället för Parquet.
        #[arg(long)]
        csv: bool,
        /// År av uppföljning från 2018 (5 eller fler).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(5..=50))]
        years: u16,
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    match Cli::parse() {
        Cli::SampleData { pipeline, out } => {
            let p = uppfolj::pipeline::load(&pipeline)?;
            let written = generate::write_returns(&p, &out)?;
            println!(
                "{} återrapporteringar skrivna till {}",
                written.len(),
                out.display()
            );
            for s in generate::survey::write_surveys(&p)? {
                println!("{}", s.display());
            }
            for s in generate::reference::write_snapshot(&p)? {
                println!("{}", s.display());
            }
        }
        Cli::ScaleData {
            units,
            respondents,
            csv,
            years,
            out,
        } => {
            let scale = Scale {
                units,
                respondents,
                csv,
                years,
            };
            println!("{}", scale::write(&scale, &out)?.display());
        }
    }
    Ok(())
}
