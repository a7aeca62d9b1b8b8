//! What one client may hold of the portal, so that none keeps the others
//! waiting: its headers must come in time (hyper's header timeout, which
//! also ends a kept-alive connection left idle), an upload must keep a
//! minimum pace ([`Pace`]), every request has a deadline, and at most
//! `max_connections` are open at once: beyond that the oldest idle
//! connection is closed for the new one ([`Connections`]).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::Notify;

use crate::pipeline::Limits;

/// Descriptors the process keeps for itself (the database, files being
/// read and written, the listener) besides its connections.
const RESERVED_FILES: usize = 64;

/// An upload's pace: after the grace period it must have averaged at least
/// the minimum rate, or it is dropped.
pub struct Pace {
    started: Instant,
    bytes: u64,
    min_per_second: f64,
    grace: Duration,
}

impl Pace {
    pub fn new(limits: &Limits) -> Pace {
        Pace {
            started: Instant::now(),
            bytes: 0,
            min_per_second: limits.min_bytes_per_second as f64,
            grace: limits.grace,
        }
    }

    /// How long the next bytes may take before the pace is too slow.
    pub fn patience(&self) -> Duration {
        let allowed = self.grace + Duration::from_secs_f64(self.bytes as f64 / self.min_per_second);
        allowed.saturating_sub(self.started.elapsed())
    }

    /// Counts bytes that came; whether the pace still holds.
    pub fn received(&mut self, n: usize) -> bool {
        self.bytes += n as u64;
        !self.patience().is_zero()
    }
}

/// One open connection, as the cap sees it.
struct Connection {
    opened: Instant,
    /// Requests being answered on it now; 0 is idle.
    busy: AtomicUsize,
    close: Notify,
}

/// The open connections, so that a new one beyond the cap can take the
/// place of the oldest idle one.
pub struct Connections {
    max: usize,
    open: Mutex<Vec<Weak<Connection>>>,
}

impl Connections {
    /// At most `max`, and never more than the process may open files for.
    pub fn new(max: usize) -> Connections {
        let max = match open_file_limit() {
            Some(files) if files.saturating_sub(RESERVED_FILES) < max => {
                let lowered = files.saturating_sub(RESERVED_FILES).max(1);
                tracing::warn!(
                    "max_connections sänkt från {max} till {lowered}: processen får bara öppna {files} filer"
                );
                lowered
            }
            _ => max,
        };
        Connections {
            max,
            open: Mutex::new(Vec::new()),
        }
    }

    /// Registers a new connection; when the cap is reached, the oldest idle
    /// one is told to close. `None` when every open connection is busy.
    fn admit(&self) -> Option<Arc<Connection>> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.retain(|c| c.strong_count() > 0);
        if open.len() >= self.max {
            let idle = open
                .iter()
                .filter_map(Weak::upgrade)
                .filter(|c| c.busy.load(Ordering::SeqCst) == 0)
                .min_by_key(|c| c.opened)?;
            idle.close.notify_one();
            let gone = Arc::downgrade(&idle);
            open.retain(|c| !c.ptr_eq(&gone));
        }
        let c = Arc::new(Connection {
            opened: Instant::now(),
            busy: AtomicUsize::new(0),
            close: Notify::new(),
        });
        open.push(Arc::downgrade(&c));
        Some(c)
    }
}

/// The soft limit on open files (Linux's `/proc/self/limits`), if known.
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Accepts connections until the process is stopped, each served on its
/// own task with the limits.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: Limits,
) -> std::io::Result<()> {
    let connections = Arc::new(Connections::new(limits.max_connections));
    loop {
        let (stream, addr) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of descriptors or a connection reset before it was
            // accepted: wait a moment instead of spinning.
            Err(e) => {
                tracing::warn!(
                    "en anslutning kunde inte tas emot: {}",
                    crate::text::io_error(&e)
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(conn) = connections.admit() else {
            tracing::warn!(
                "alla {} anslutningar är upptagna; en ny stängdes",
                connections.max
            );
            drop(stream);
            continue;
        };
        tokio::spawn(serve_one(stream, addr, router.clone(), limits.header, conn));
    }
}

async fn serve_one(
    stream: tokio::net::TcpStream,
    addr: SocketAddr,
    router: Router,
    header: Duration,
    state: Arc<Connection>,
) {
    let seen = state.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(addr));
        let busy = Busy::new(seen.clone());
        let mut router = router.clone();
        async move {
            let response = tower::Service::call(&mut router, req.map(axum::body::Body::new)).await;
            drop(busy);
            Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = state.close.notified() => conn.as_mut().graceful_shutdown(),
    }
    let _ = conn.await;
}

/// Marks a connection busy while a request on it is answered.
struct Busy(Arc<Connection>);

impl Busy {
    fn new(c: Arc<Connection>) -> Busy {
        c.busy.fetch_add(1, Ordering::SeqCst);
        Busy(c)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(rate: u64, grace_ms: u64) -> Limits {
        Limits {
            min_bytes_per_second: rate,
            grace: Duration::from_millis(grace_ms),
            ..Limits::default()
        }
    }

    #[test]
    fn a_pace_holds_within_the_grace_and_at_the_rate() {
        let mut pace = Pace::new(&limits(1000, 200));
        assert!(pace.received(1));
        std::thread::sleep(Duration::from_millis(250));
        // 1 byte in 250 ms is far below 1000 bytes a second.
        assert!(!pace.received(1));
        let mut fast = Pace::new(&limits(1000, 200));
        std::thread::sleep(Duration::from_millis(250));
        assert!(fast.received(10_000));
        assert!(fast.patience() > Duration::from_secs(9));
    }

    #[test]
    fn beyond_the_cap_the_oldest_idle_connection_is_closed() {
        let c = Connections {
            max: 2,
            open: Mutex::new(Vec::new()),
        };
        let first = c.admit().unwrap();
        let second = c.admit().unwrap();
        first.busy.fetch_add(1, Ordering::SeqCst);
        let _third = c.admit().unwrap();
        // The second, idle, was told to close; the busy first was not.
        assert!(tokio_test_notified(&second.close));
        assert!(!tokio_test_notified(&first.close));
        second.busy.fetch_add(1, Ordering::SeqCst);
        _third.busy.fetch_add(1, Ordering::SeqCst);
        assert!(
            c.admit().is_none(),
            "every connection busy: the new one waits its turn"
        );
    }

    /// Whether a permit is stored in `n` (a `notify_one` nobody waited for).
    fn tokio_test_notified(n: &Notify) -> bool {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::timeout(Duration::from_millis(10), n.notified())
                .await
                .is_ok()
        })
    }
}
