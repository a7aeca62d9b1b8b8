//! Progress for the person at the terminal: a spinner per stage on a
//! terminal, plain lines otherwise, nothing with `--quiet`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    quiet: bool,
    verbose: bool,
    terminal: bool,
    bar: Option<ProgressBar>,
    current: String,
}

impl Progress {
    pub fn new(quiet: bool, verbose: bool) -> Progress {
        Progress {
            quiet,
            verbose,
            terminal: std::io::stderr().is_terminal(),
            bar: None,
            current: String::new(),
        }
    }

    pub fn stage(&mut self, name: &str) {
        self.current = name.to_string();
        if self.quiet {
            return;
        }
        if self.terminal {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(format!("{name} …"));
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            self.bar = Some(bar);
        }
    }

    pub fn done(&mut self, what: &str) {
        if self.quiet {
            return;
        }
        let line = format!("{}: {what}", self.current);
        match self.bar.take() {
            Some(bar) => bar.finish_with_message(format!("✓ {line}")),
            None => eprintln!("{line}"),
        }
    }

    /// A line for everyone but `--quiet`.
    pub fn note(&self, what: &str) {
        if !self.quiet {
            eprintln!("{what}");
        }
    }

    /// Detail, shown with `-v`.
    pub fn detail(&self, what: &str) {
        if self.verbose && !self.quiet {
            eprintln!("  {what}");
        }
    }
}
