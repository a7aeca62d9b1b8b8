//! The one HTTP client every download goes through (reference statistics,
//! inputs given as URLs): timeouts, bounded retries with exponential backoff
//! and jitter, `Retry-After`, and a size cap.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::pipeline::HttpLimits;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: servern svarade inte inom {ms} ms (försökte {tries} gånger)")]
    Timeout { url: String, ms: u64, tries: u32 },
    #[error("{url}: det gick inte att ansluta ({reason}; försökte {tries} gånger)")]
    Connect {
        url: String,
        reason: String,
        tries: u32,
    },
    #[error("{url}: servern svarade {status}{}", if *.tries > 1 { format!(" (försökte {} gånger)", .tries) } else { String::new() })]
    Status {
        url: String,
        status: u16,
        tries: u32,
    },
    #[error("{url}: svaret är större än gränsen {max} byte")]
    TooLarge { url: String, max: u64 },
    #[error("{url}: {what}")]
    Body { url: String, what: String },
    #[error("{url}: hämtningen avbröts när tidsgränsen för hela hämtningen ({secs} s) gick ut")]
    Deadline { url: String, secs: u64 },
}

impl FetchError {
    /// What to do about it, as a sentence.
    pub fn advice(&self) -> &'static str {
        match self {
            FetchError::Timeout { .. } | FetchError::Deadline { .. } => {
                "Kör igen senare, eller höj tidsgränserna (timeout_ms, deadline_ms) under [reference] i pipelinefilen."
            }
            FetchError::Connect { .. } => {
                "Kontrollera adressen och nätverket, eller kör med --offline."
            }
            FetchError::Status { .. } | FetchError::Body { .. } => {
                "Kontrollera adressen; är den rätt, kör igen senare."
            }
            FetchError::TooLarge { .. } => {
                "Kontrollera att adressen pekar ut rätt fil; ska den vara så stor, höj max_bytes under [reference] i pipelinefilen."
            }
        }
    }
}

/// The limits as durations.
#[derive(Clone, Debug)]
struct Settings {
    connect_timeout: Duration,
    timeout: Duration,
    max_tries: u32,
    backoff: Duration,
    max_retry_after: Duration,
    max_bytes: u64,
}

impl From<&HttpLimits> for Settings {
    fn from(l: &HttpLimits) -> Settings {
        Settings {
            connect_timeout: Duration::from_millis(l.connect_timeout_ms),
            timeout: Duration::from_millis(l.timeout_ms),
            max_tries: l.max_tries.max(1),
            backoff: Duration::from_millis(l.backoff_ms),
            max_retry_after: Duration::from_millis(l.max_retry_after_ms),
            max_bytes: l.max_bytes,
        }
    }
}

/// Spreads retries out so that clients that failed together do not come back
/// together. Not for anything that must be unpredictable: xorshift, seeded
/// from the clock.
struct Jitter(u64);

impl Jitter {
    fn from_clock() -> Jitter {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Jitter(nanos | 1)
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub struct Client {
    http: reqwest::blocking::Client,
    settings: Settings,
    jitter: Jitter,
    /// When every request, retries and waits included, must be over.
    deadline: Option<(Instant, Duration)>,
}

enum Attempt {
    Done(Vec<u8>),
    /// Worth another try, after at least this long (Retry-After).
    Retry(FetchError, Option<Duration>),
    Fail(FetchError),
}

impl Client {
    pub fn new(limits: &HttpLimits) -> Result<Client, FetchError> {
        let settings = Settings::from(limits);
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .user_agent(concat!("uppfolj/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Connect {
                url: String::new(),
                reason: format!(
                    "HTTP-klienten kunde inte starta: {}",
                    crate::text::foreign(&e)
                ),
                tries: 0,
            })?;
        Ok(Client {
            http,
            settings,
            jitter: Jitter::from_clock(),
            deadline: None,
        })
    }

    /// Ends every request of this client within `total` from now, so that
    /// a server that never answers cannot hold a fetch for tries × timeout.
    pub fn with_deadline(mut self, total: Duration) -> Client {
        self.deadline = Some((Instant::now() + total, total));
        self
    }

    /// Time left before the deadline, or the error to give when none is.
    fn remaining(&self, url: &str) -> Result<Option<Duration>, FetchError> {
        let Some((at, total)) = self.deadline else {
            return Ok(None);
        };
        match at.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(Some(left)),
            _ => Err(FetchError::Deadline {
                url: url.into(),
                secs: total.as_secs(),
            }),
        }
    }

    /// GETs `url`, retrying timeouts, failed connections, 429 and 5xx.
    pub fn get(&mut self, url: &str) -> Result<Vec<u8>, FetchError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let left = self.remaining(url)?;
            let outcome = self.attempt(url, tries, left);
            let (err, retry_after) = match outcome {
                Attempt::Done(body) => return Ok(body),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(e, after) => (e, after),
            };
            if tries >= self.settings.max_tries {
                return Err(err);
            }
            let backoff = self.settings.backoff * 2u32.saturating_pow(tries - 1);
            let jitter = self.settings.backoff.mul_f64(self.jitter.unit());
            let wait = match retry_after {
                Some(after) => after.min(self.settings.max_retry_after),
                None => backoff + jitter,
            };
            let Some(left) = self.remaining(url)? else {
                std::thread::sleep(wait);
                continue;
            };
            if wait >= left {
                return Err(err);
            }
            std::thread::sleep(wait);
        }
    }

    fn attempt(&mut self, url: &str, tries: u32, left: Option<Duration>) -> Attempt {
        let timeout = left.map_or(self.settings.timeout, |l| l.min(self.settings.timeout));
        let response = match self.http.get(url).timeout(timeout).send() {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(self.send_error(&e, url, tries), None),
        };
        let status = response.status();
        if status.is_success() {
            return self.body(response, url, tries);
        }
        let err = FetchError::Status {
            url: url.into(),
            status: status.as_u16(),
            tries,
        };
        if status.as_u16() == 429 || status.is_server_error() {
            let after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            Attempt::Retry(err, after)
        } else {
            Attempt::Fail(err)
        }
    }

    /// Why a request got no response, in Swedish (reqwest's words are English).
    fn send_error(&self, e: &reqwest::Error, url: &str, tries: u32) -> FetchError {
        if e.is_timeout() {
            return self.timeout(url, tries);
        }
        let reason = if e.is_connect() {
            "anslutningen nekades eller servern gick inte att nå".to_string()
        } else if e.is_body() || e.is_decode() {
            "svaret bröts eller gick inte att läsa".to_string()
        } else {
            format!("förfrågan misslyckades: {}", crate::text::foreign(e))
        };
        FetchError::Connect {
            url: url.into(),
            reason,
            tries,
        }
    }

    fn timeout(&self, url: &str, tries: u32) -> FetchError {
        FetchError::Timeout {
            url: url.into(),
            ms: self.settings.timeout.as_millis() as u64,
            tries,
        }
    }

    /// A successful response's body, read up to the size cap.
    fn body(&self, response: reqwest::blocking::Response, url: &str, tries: u32) -> Attempt {
        let max = self.settings.max_bytes;
        let too_large = || {
            Attempt::Fail(FetchError::TooLarge {
                url: url.into(),
                max,
            })
        };
        if response.content_length().is_some_and(|n| n > max) {
            return too_large();
        }
        let mut body = Vec::new();
        match response.take(max + 1).read_to_end(&mut body) {
            Ok(_) if body.len() as u64 > max => too_large(),
            Ok(_) => Attempt::Done(body),
            Err(_) => Attempt::Retry(self.timeout(url, tries), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_in_the_unit_interval_and_varies() {
        let mut j = Jitter(42);
        let draws: Vec<f64> = (0..1000).map(|_| j.unit()).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((0.4..0.6).contains(&mean), "mean {mean}");
    }
}
