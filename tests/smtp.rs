//! A small SMTP server on 127.0.0.1 for the reminder tests: it records what
//! it receives, or refuses every message, or accepts connections and never
//! answers.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Accept,
    Refuse,
    Silent,
}

/// One message as the server received it.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) to: Vec<String>,
    pub(crate) data: String,
}

pub(crate) struct Smtp {
    pub(crate) port: u16,
    pub(crate) got: Arc<Mutex<Vec<Received>>>,
}

impl Smtp {
    pub(crate) fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

pub(crate) fn start(mode: Mode) -> Smtp {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let kept = got.clone();
    std::thread::spawn(move || {
        let mut silent = Vec::new();
        for stream in listener.incoming().flatten() {
            match mode {
                // Held open and never answered.
                Mode::Silent => silent.push(stream),
                _ => {
                    let got = kept.clone();
                    std::thread::spawn(move || {
                        let _ = serve(stream, mode, &got);
                    });
                }
            }
        }
    });
    Smtp { port, got }
}

fn serve(stream: TcpStream, mode: Mode, got: &Mutex<Vec<Received>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 test ESMTP\r\n")?;
    let mut to = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-test\r\n250 OK\r\n"
        } else if upper.starts_with("RCPT") && mode == Mode::Refuse {
            b"550 ingen sadan mottagare\r\n"
        } else if upper.starts_with("RCPT") {
            to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
            b"250 OK\r\n"
        } else if upper.starts_with("DATA") {
            out.write_all(b"354 go on\r\n")?;
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if lines.read_line(&mut l)? == 0 || l == ".\r\n" {
                    break;
                }
                data.push_str(&l);
            }
            got.lock().unwrap().push(Received {
                to: std::mem::take(&mut to),
                data,
            });
            b"250 OK queued\r\n"
        } else if upper.starts_with("QUIT") {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            b"250 OK\r\n"
        };
        out.write_all(reply)?;
    }
}
