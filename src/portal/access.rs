//! Who may do what: roles, sign-in tokens (random, 256 bits; only their
//! SHA-256 is stored), session cookies, CSRF tokens and the rate limit on
//! sign-in attempts.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::pipeline::Pipeline;

/// What a signed-in person may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// A committee: its own unit (and a merged district's predecessors) only.
    Committee,
    /// Kommunstyrelsen's analysts: every unit.
    Analyst,
    /// Decision makers: the latest published report only.
    Reader,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Committee => "committee",
            Role::Analyst => "analyst",
            Role::Reader => "reader",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Committee, Role::Analyst, Role::Reader]
            .into_iter()
            .find(|r| r.id() == s)
    }

    /// In Swedish, for lists.
    pub fn swedish(self) -> &'static str {
        match self {
            Role::Committee => "nämnd",
            Role::Analyst => "analytiker",
            Role::Reader => "läsare",
        }
    }
}

/// A fresh secret: 32 random bytes as hex.
pub fn secret() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(crate::ledger::hex(&bytes))
}

/// How a secret is stored: its SHA-256, never the secret.
pub fn hash(secret: &str) -> String {
    crate::ledger::sha256_hex(secret.as_bytes())
}

/// The name of the session cookie.
pub const COOKIE: &str = "uppfolj_session";

/// The session cookie for `id`: HttpOnly, SameSite=Strict, and Secure when
/// the portal's address is https.
pub fn session_cookie(id: &str, secure: bool) -> String {
    cookie(COOKIE, id, "/", None, secure)
}

/// A cookie only the portal's own pages see (HttpOnly, SameSite=Strict),
/// Secure on https; `max_age` in seconds, `Some(0)` ends it.
fn cookie(name: &str, value: &str, path: &str, max_age: Option<u32>, secure: bool) -> String {
    let age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict{age}{secure}")
}

/// The cookie a personal link's token waits in for the sign-in click:
/// sent only to the sign-in form, for a quarter of an hour.
pub fn link_cookie(token: &str, secure: bool) -> String {
    cookie(LINK_COOKIE, token, "/logga-in", Some(900), secure)
}

pub fn cleared_link_cookie(secure: bool) -> String {
    cookie(LINK_COOKIE, "", "/logga-in", Some(0), secure)
}

/// The name of the cookie a link's token waits in.
pub const LINK_COOKIE: &str = "uppfolj_lank";

/// The token in a `Cookie` header, if any.
pub fn link_token(cookie_header: &str) -> Option<&str> {
    cookie_value(cookie_header, LINK_COOKIE)
}

/// The address a request comes from: the connection's, unless that is a
/// trusted reverse proxy; then the last address in `X-Forwarded-For` that
/// is not itself a trusted proxy (the ones before it can be forged).
pub fn client_ip(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

/// A cookie that ends the session in the browser.
pub fn cleared_cookie(secure: bool) -> String {
    cookie(COOKIE, "", "/", Some(0), secure)
}

/// The session id in a `Cookie` header, if any.
pub fn session_id(cookie_header: &str) -> Option<&str> {
    cookie_value(cookie_header, COOKIE)
}

fn cookie_value<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The units a committee of `unit` may see: its own, and the units it took
/// over (a merged district sees its predecessors' history).
pub fn visible_units(p: &Pipeline, unit: &str) -> Vec<String> {
    let mut out = vec![unit.to_string()];
    let mut i = 0;
    while i < out.len() {
        let current = out[i].clone();
        for u in &p.units {
            if u.successors.contains(&current) && !out.contains(&u.id) {
                out.push(u.id.clone());
            }
        }
        i += 1;
    }
    out
}

/// Failed sign-in attempts per address within a window: beyond the limit a
/// wrong token is answered 429 until the window has passed. A valid token
/// is never refused, so that nobody can keep others out by failing.
pub struct RateLimit {
    max: usize,
    window: Duration,
    seen: HashMap<IpAddr, Vec<Instant>>,
}

impl RateLimit {
    pub fn new(max: usize, window: Duration) -> RateLimit {
        RateLimit {
            max,
            window,
            seen: HashMap::new(),
        }
    }

    /// Whether the address may try now.
    pub fn allow(&mut self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let window = self.window;
        let times = self.seen.entry(ip).or_default();
        times.retain(|t| now.duration_since(*t) < window);
        times.len() < self.max
    }

    /// Counts a failed attempt.
    pub fn failed(&mut self, ip: IpAddr) {
        self.seen.entry(ip).or_default().push(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_strict_and_secure_on_https() {
        assert_eq!(
            session_cookie("abc", false),
            "uppfolj_session=abc; Path=/; HttpOnly; SameSite=Strict"
        );
        assert_eq!(
            cleared_link_cookie(true),
            "uppfolj_lank=; Path=/logga-in; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
        );
    }

    #[test]
    fn the_session_id_is_found_among_other_cookies() {
        assert_eq!(session_id("a=1; uppfolj_session=abc; b=2"), Some("abc"));
        assert_eq!(session_id("uppfolj_session="), None);
        assert_eq!(session_id("x=uppfolj_session"), None);
    }

    #[test]
    fn the_rate_limit_refuses_beyond_the_maximum() {
        let mut r = RateLimit::new(2, Duration::from_secs(60));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(r.allow(ip) && r.allow(ip), "trying is not failing");
        r.failed(ip);
        assert!(r.allow(ip));
        r.failed(ip);
        assert!(!r.allow(ip));
        assert!(r.allow("127.0.0.2".parse().unwrap()));
    }

    #[test]
    fn a_forwarded_address_is_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 192.0.2.7".parse().unwrap());
        assert_eq!(client_ip(proxy, &h, &[]), proxy);
        assert_eq!(
            client_ip(proxy, &h, &[proxy]),
            "192.0.2.7".parse::<IpAddr>().unwrap()
        );
        let other: IpAddr = "192.0.2.99".parse().unwrap();
        assert_eq!(client_ip(other, &h, &[proxy]), other);
        h.insert("x-forwarded-for", "inte en adress".parse().unwrap());
        assert_eq!(client_ip(proxy, &h, &[proxy]), proxy);
    }

    #[test]
    fn secrets_are_long_random_hex_and_stored_hashed() {
        let a = secret().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, secret().unwrap());
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), a);
    }
}
