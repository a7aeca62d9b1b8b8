//! The command line's arguments, and clap made to speak Swedish: its help
//! layout, headings and flags are replaced, and its errors are retold from
//! their parts (which argument, which value) rather than its English text.
//! Part of the binary, not the library.

use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "uppfolj",
    version,
    about = "Årlig uppföljning av en kommunal strategi: nämndernas återrapporteringar, enkäter, referensstatistik, diagram och en årsrapport."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Läs in och kontrollera en pipelinefil (slutstatus 0 om den är rätt, 2 om den har fel).
    Check { pipeline: PathBuf },
    /// Skriv ut strategins träd: område → mål → åtgärd → indikatorer.
    Show {
        pipeline: PathBuf,
        /// Skriv ut JSON med stabila fältnamn, för skript.
        #[arg(long)]
        json: bool,
    },
    /// Skriv Excelmallarna för återrapporteringen, en per enhet: <enhet>-<år>.xlsx.
    Template {
        pipeline: PathBuf,
        /// Året som återrapporteringen gäller.
        #[arg(long, value_name = "ÅR")]
        year: i32,
        /// Mappen som mallarna skrivs till.
        #[arg(long, value_name = "MAPP")]
        out: PathBuf,
        /// Bara den här enhetens mall (enhetens id i pipelinefilen).
        #[arg(long, value_name = "ENHET")]
        unit: Option<String>,
    },
    /// Kontrollera återrapporteringar och enkätfiler utan att köra något annat (slutstatus 0 inga fynd, 1 fynd, 2 kunde inte köras).
    Validate {
        pipeline: PathBuf,
        /// Filer eller mappar (mappar genomsöks med undermappar).
        #[arg(required = true, value_name = "FILER")]
        files: Vec<PathBuf>,
        /// Året som filerna ska gälla; annars året som deras mapp heter, om den heter så.
        #[arg(long, value_name = "ÅR")]
        year: Option<i32>,
        /// Skriv ut fynden som JSON, för skript.
        #[arg(long)]
        json: bool,
    },
    /// Hela den årliga körningen: indata, kontroller, indikatorer, röjandekontroll, tabeller, diagram och rapport.
    Run(RunArgs),
    /// Hämta referensstatistiken på nytt till cachen (slutstatus 0 allt hämtat, 1 något kunde inte hämtas).
    Fetch {
        pipeline: PathBuf,
        /// Använd bara cachen: säg vad som finns där och hur gammalt det är.
        #[arg(long)]
        offline: bool,
    },
    /// Skriv en början på årets bedömningar som saknas ([report] assessments), med årets siffror, nämndernas egna bedömningar och deras kommentarer.
    Bedomning {
        pipeline: PathBuf,
        /// Året som bedömningarna gäller.
        #[arg(long, value_name = "ÅR")]
        year: i32,
    },
    /// Starta portalen där nämnderna lämnar sina återrapporteringar ([portal] i pipelinefilen).
    Serve { pipeline: PathBuf },
    /// Portalen: vem som har tillgång (bjud in, återkalla, lista), påminnelser per e-post och loggen.
    #[command(subcommand)]
    Portal(PortalCommand),
}

#[derive(Subcommand)]
pub enum PortalCommand {
    /// Skriv ut en personlig inloggningslänk för en enhet.
    Invite {
        pipeline: PathBuf,
        /// Enhetens id i pipelinefilen.
        #[arg(long, value_name = "ENHET")]
        unit: String,
        /// Vad länken ger tillgång till.
        #[arg(long, value_enum, default_value = "committee", value_name = "ROLL")]
        role: uppfolj::portal::access::Role,
        /// E-postadressen som påminnelser och besked om återsändning går till.
        #[arg(long, value_name = "ADRESS")]
        email: Option<String>,
    },
    /// Avsluta länkar och deras inloggningar: en länk, eller en roll hos en enhet.
    Revoke {
        pipeline: PathBuf,
        /// Länkens id, som `uppfolj portal users` skriver ut.
        #[arg(
            long,
            value_name = "ID",
            conflicts_with = "unit",
            required_unless_present = "unit"
        )]
        link: Option<i64>,
        /// Enhetens id i pipelinefilen: enhetens länkar med rollen --role.
        #[arg(long, value_name = "ENHET")]
        unit: Option<String>,
        /// Rollen vars länkar avslutas (med --unit).
        #[arg(long, value_enum, default_value = "committee", value_name = "ROLL")]
        role: uppfolj::portal::access::Role,
    },
    /// Lista alla länkar: id, enhet, roll, när den skapades, om den gäller och hur många som är inloggade med den.
    Users { pipeline: PathBuf },
    /// Påminn per e-post de enheter som inte har lämnat in eller fått sin återrapportering tillbaka ([portal.mail]); kör den dagligen.
    Remind {
        pipeline: PathBuf,
        /// Säg bara vilka som skulle få en påminnelse; skicka inget.
        #[arg(long)]
        dry_run: bool,
    },
    /// Skriv ut portalens logg över allt som har hänt: inloggningar, inbjudningar, nedladdningar, uppladdningar, beslut och påminnelser.
    Logg {
        pipeline: PathBuf,
        /// Bara det som gäller enheten med detta id.
        #[arg(long, value_name = "ENHET")]
        unit: Option<String>,
        /// Som CSV med rubrikrad, för ett kalkylprogram.
        #[arg(long)]
        csv: bool,
    },
}

#[derive(clap::Args)]
pub struct RunArgs {
    pub pipeline: PathBuf,
    /// Rapportens år (annars det senaste året med återrapporteringar).
    #[arg(long, value_name = "ÅR")]
    pub year: Option<i32>,
    /// Utdatamappen (annars [output] dir i pipelinefilen): bara det som får publiceras.
    #[arg(long, value_name = "MAPP")]
    pub out: Option<PathBuf>,
    /// Mappen för det som inte får publiceras (annars [output] private, eller bredvid utdatamappen).
    #[arg(long, value_name = "MAPP")]
    pub private: Option<PathBuf>,
    /// Använd bara sparad referensstatistik; hämta ingenting.
    #[arg(long)]
    pub offline: bool,
    /// Räkna om allt från indata, utan att läsa eller fylla på cachen.
    #[arg(long)]
    pub no_cache: bool,
    /// Publicera också diagrammen här (annars [output] charts i pipelinefilen).
    #[arg(long, value_name = "MAPP")]
    pub charts: Option<PathBuf>,
    /// Inga förlopp, bara sammanfattningen.
    #[arg(long, short)]
    pub quiet: bool,
    /// Mer detaljer under körningen.
    #[arg(long, short)]
    pub verbose: bool,
}

impl RunArgs {
    /// The pipeline file, and what is asked of the run.
    pub fn request(self) -> (PathBuf, uppfolj::run::RunRequest) {
        let request = uppfolj::run::RunRequest {
            year: self.year,
            out: self.out,
            private: self.private,
            charts: self.charts,
            offline: self.offline,
            no_cache: self.no_cache,
            quiet: self.quiet,
            verbose: self.verbose,
        };
        (self.pipeline, request)
    }
}

/// The help layout, with Swedish headings.
const TEMPLATE: &str = "{about-with-newline}\nAnvändning: {usage}\n\n{all-args}{after-help}";

/// The arguments, or the process ends here: help and version on stdout
/// (status 0), a usage error in Swedish on stderr (status 2).
pub fn parse() -> Cli {
    use std::io::Write;
    let mut cmd = swedish(Cli::command(), true);
    let matches = cmd.try_get_matches_from_mut(std::env::args_os());
    match matches.and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                // A reader that stopped listening (`uppfolj --help | head -3`)
                // has all it wanted: the status is still 0.
                let text = flags(e.render().to_string().trim_end());
                let _ = writeln!(std::io::stdout(), "{text}");
                std::process::exit(0);
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                eprintln!("{}", flags(e.render().to_string().trim_end()));
                std::process::exit(2);
            }
            _ => {
                eprintln!("fel: {}", retold(&e));
                if let Some(usage) = e.get(ContextKind::Usage) {
                    eprintln!("\n{}", usage_text(usage));
                }
                eprintln!("\nMer hjälp: uppfolj --help");
                std::process::exit(2);
            }
        },
    }
}

/// Swedish headings, flags and value names for a command and every
/// subcommand under it.
fn swedish(cmd: clap::Command, top: bool) -> clap::Command {
    // The order the arguments are declared in, not by name.
    let mut declared = 0;
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("Kommandon")
        .subcommand_value_name("KOMMANDO")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "Argument"
            } else {
                "Flaggor"
            };
            declared += 1;
            let a = a.help_heading(heading).display_order(declared);
            if a.get_id() == "pipeline" {
                a.value_name("PIPELINEFIL")
                    .help("Pipelinefilen (TOML) som beskriver strategin och var indata finns")
            } else {
                a
            }
        })
        .arg(
            clap::Arg::new("hjälp")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .display_order(1000)
                .help("Visa den här hjälpen")
                .help_heading("Flaggor"),
        );
    if top {
        cmd = cmd.disable_version_flag(true).arg(
            clap::Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .display_order(1001)
                .help("Visa versionen")
                .help_heading("Flaggor"),
        );
    }
    cmd.mut_subcommands(|s| swedish(s, false))
}

/// What clap found wrong, in Swedish, from the error's parts, with what to
/// do: clap's suggestion where it has one.
fn retold(e: &clap::Error) -> String {
    let get = |k| e.get(k).map(value_text).unwrap_or_default();
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let hint = |otherwise: &str| match suggestion(e) {
        s if s.is_empty() => format!("; {otherwise}"),
        s => s,
    };
    match e.kind() {
        ErrorKind::UnknownArgument => format!(
            "okänt argument {arg}{}",
            hint("se kommandots flaggor med --help")
        ),
        ErrorKind::InvalidSubcommand => format!(
            "okänt kommando {}{}",
            get(ContextKind::InvalidSubcommand),
            hint("se kommandona med uppfolj --help")
        ),
        ErrorKind::MissingSubcommand => {
            "ett kommando saknas; välj ett av dem i uppfolj --help".into()
        }
        ErrorKind::MissingRequiredArgument => {
            format!("det här saknas: {arg}; ange det som i användningen nedan")
        }
        ErrorKind::InvalidValue => {
            let valid = get(ContextKind::ValidValue);
            if value.is_empty() {
                format!("{arg} behöver ett värde; skriv det efter flaggan")
            } else if valid.is_empty() {
                format!("{value} är inget giltigt värde för {arg}; se --help")
            } else {
                format!("{value} är inget giltigt värde för {arg}; välj bland {valid}")
            }
        }
        ErrorKind::ValueValidation => {
            format!("{value} är inget giltigt värde för {arg}; ange ett heltal")
        }
        ErrorKind::ArgumentConflict => format!(
            "{arg} kan inte användas tillsammans med {}; välj en av dem",
            get(ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => format!(
            "för många värden för {arg}{}; ange bara ett",
            if value.is_empty() {
                String::new()
            } else {
                format!(": {value}")
            }
        ),
        ErrorKind::TooFewValues => format!("för få värden för {arg}; se --help"),
        ErrorKind::NoEquals => format!("{arg} behöver ett värde; skriv {arg}=VÄRDE"),
        ErrorKind::InvalidUtf8 => {
            "ett argument är inte giltig UTF-8; skriv det med vanliga tecken".into()
        }
        _ => "argumenten kunde inte tolkas; se uppfolj --help".into(),
    }
}

/// "; menade du --year?" when clap has a suggestion.
fn suggestion(e: &clap::Error) -> String {
    [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .find_map(|k| e.get(k))
    .map(|v| format!("; menade du {}?", value_text(v)))
    .unwrap_or_default()
}

fn value_text(v: &ContextValue) -> String {
    match v {
        ContextValue::String(s) => format!("'{s}'"),
        ContextValue::Strings(list) => list
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", "),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(list) => list
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        ContextValue::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// clap's usage line with a Swedish heading.
fn usage_text(v: &ContextValue) -> String {
    let text = flags(&value_text(v));
    match text.strip_prefix("Usage:") {
        Some(rest) => format!("Användning:{rest}"),
        None => text,
    }
}

/// clap writes `[OPTIONS]` in usage lines whatever the headings say.
fn flags(text: &str) -> String {
    text.replace("[OPTIONS]", "[FLAGGOR]")
}
