//! Swedish wording that knows nothing of a strategy: numbers with a decimal
//! comma and spaces between thousands, plurals, months, lists, and the
//! operating system's errors. The labels of the pipeline's own kinds
//! (sources, units, statuses, assessments, reasons) stand beside each kind's
//! id in `pipeline`; what the pipeline calls its units and groups is
//! `pipeline::names`.

use std::fmt;

/// Groups digits by thousands with a no-break space.
pub fn thousands(n: i64) -> String {
    let out = group_digits(&n.unsigned_abs().to_string());
    if n < 0 { format!("−{out}") } else { out }
}

fn group_digits(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// A number as it was written, with every decimal it has: "1 234", "12,5",
/// "−3". For quoting a committee's own figure back to it.
pub fn number(v: f64) -> String {
    let abs = v.abs();
    let s = if abs.fract() == 0.0 {
        format!("{abs:.0}")
    } else {
        format!("{abs}")
    };
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s, None),
    };
    let mut out = group_digits(&int);
    if v < 0.0 {
        out = format!("−{out}");
    }
    if let Some(f) = frac {
        out.push(',');
        out.push_str(&f);
    }
    out
}

/// A number with `decimals` decimals and a decimal comma.
pub fn decimal(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map(|(a, b)| (a.to_string(), Some(b.to_string())))
        .unwrap_or((s.clone(), None));
    let int: i64 = int.parse().unwrap_or(0);
    let mut out = thousands(int);
    if let Some(f) = frac {
        out.push(',');
        out.push_str(&f);
    }
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out = format!("−{out}");
    }
    out
}

/// A count and its noun: `Count(1, "fil", "filer")` shows "1 fil", and
/// `Count(3, "fil", "filer")` "3 filer".
pub struct Count<'a>(pub usize, pub &'a str, pub &'a str);

impl fmt::Display for Count<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.noun())
    }
}

impl Count<'_> {
    /// The noun alone, in the number the count needs.
    pub fn noun(&self) -> &str {
        if self.0 == 1 { self.1 } else { self.2 }
    }
}

/// "rad" or "rader".
pub fn rows(n: usize) -> &'static str {
    if n == 1 { "rad" } else { "rader" }
}

/// Swedish month names.
const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// "15 februari 2023".
pub fn date(day: u32, month: u32, year: i32) -> String {
    let month = MONTHS[(month as usize).saturating_sub(1).min(11)];
    format!("{day} {month} {year}")
}

/// "a", "a och b", "a, b och c".
pub fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} och {last}", init.join(", ")),
    }
}

/// The first letter in upper case.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// An operating-system error in Swedish, with what to do where there is
/// something to do; the OS's own English words never reach a user.
pub fn io_error(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let words = match e.kind() {
        NotFound => "finns inte",
        PermissionDenied => "saknar behörighet (kontrollera filens rättigheter)",
        AlreadyExists => "finns redan",
        IsADirectory => "är en mapp, inte en fil",
        NotADirectory => "är inte en mapp",
        DirectoryNotEmpty => "mappen är inte tom",
        ResourceBusy => "är upptagen (används av systemet eller ett annat program)",
        StorageFull => "disken är full",
        ReadOnlyFilesystem => "ligger på en skrivskyddad disk",
        InvalidFilename | InvalidInput => "har ett ogiltigt namn",
        TimedOut => "svarade inte i tid",
        UnexpectedEof => "tog slut för tidigt",
        InvalidData => "innehåller ogiltiga data",
        Interrupted => "avbröts",
        CrossesDevices => "ligger på en annan disk",
        _ => {
            return format!(
                "gick inte att komma åt (systemfel {})",
                e.raw_os_error().unwrap_or(0)
            );
        }
    };
    words.to_string()
}

/// A library's error in Swedish: the operating system's error behind it
/// where there is one, else only that the library failed. A library's own
/// words are English and may quote the data it was given, so they are
/// never passed on.
pub fn foreign(e: &(dyn std::error::Error + 'static)) -> String {
    let io = std::iter::successors(Some(e), |e| e.source())
        .find_map(|e| e.downcast_ref::<std::io::Error>());
    match io {
        Some(io) => format!("den {}", io_error(io)),
        None => "ett oväntat fel i programbiblioteket som gör jobbet".to_string(),
    }
}

/// A cell text quoted in a message, cut to a short excerpt so that a huge
/// cell is not echoed whole.
pub fn excerpt(s: &str) -> String {
    const MAX: usize = 40;
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= MAX {
        return one_line;
    }
    let cut: String = one_line.chars().take(MAX).collect();
    format!("{cut}…")
}

/// A name in the genitive, as Swedish writes it: "Kommunstyrelsens",
/// "Stockholms", and "SCB:s" after a capital abbreviation.
pub fn genitive(name: &str) -> String {
    let last = name.chars().last();
    match last {
        Some('s' | 'x' | 'z') => name.to_string(),
        Some(c) if c.is_uppercase() && name.chars().filter(|c| c.is_uppercase()).count() > 1 => {
            format!("{name}:s")
        }
        _ => format!("{name}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_numbers() {
        assert_eq!(thousands(1234), "1\u{a0}234");
        assert_eq!(thousands(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(decimal(12.345, 1), "12,3");
        assert_eq!(decimal(-3.25, 1), "−3,2");
    }

    #[test]
    fn numbers_as_written() {
        assert_eq!(number(1234.0), "1\u{a0}234");
        assert_eq!(number(12.5), "12,5");
        assert_eq!(number(-3.0), "−3");
        assert_eq!(number(1234567.25), "1\u{a0}234\u{a0}567,25");
    }

    #[test]
    fn plurals() {
        assert_eq!(Count(1, "fil", "filer").to_string(), "1 fil");
        assert_eq!(Count(0, "fil", "filer").to_string(), "0 filer");
        assert_eq!(
            Count(11, "varning", "varningar").to_string(),
            "11 varningar"
        );
        assert_eq!(rows(1), "rad");
        assert_eq!(rows(2), "rader");
    }

    #[test]
    fn lists() {
        assert_eq!(list(&["kön"]), "kön");
        assert_eq!(list(&["kön", "ålder", "område"]), "kön, ålder och område");
    }

    #[test]
    fn excerpts_and_os_errors() {
        assert_eq!(excerpt("ca 20"), "ca 20");
        let long = "x".repeat(1_000_000);
        assert_eq!(excerpt(&long).chars().count(), 41);
        assert_eq!(excerpt("a\nb"), "a b");
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(io_error(&e), "finns inte");
    }

    #[test]
    fn dates() {
        assert_eq!(date(15, 2, 2023), "15 februari 2023");
        assert_eq!(date(1, 12, 2020), "1 december 2020");
    }
}
