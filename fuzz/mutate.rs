//! Mutations: bytes flipped, inserted, deleted, repeated or spliced from
//! another seed, numbers and text swapped for troublesome ones; inside a zip
//! (a workbook), one entry is mutated and the archive rebuilt, so that the
//! readers behind the zip layer are reached.

use std::io::{Cursor, Read, Write};

/// xorshift64*: small, seeded, the same run for the same seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Text that has broken readers before: extreme numbers, identifiers, quotes.
const TOKENS: &[&str] = &[
    "1.79E+308",
    "1E308",
    "-1",
    "NaN",
    "inf",
    "99999999999999999999999",
    "\"",
    "\"\"",
    ";",
    ",",
    "\t",
    "\r\n",
    "\n",
    "811218-9876",
    "８１１２１８－９８７６",
    "anna@example.se",
    "070-123 45 67",
    "XFD1048576",
    "<row r=\"1048576\">",
    "<c r=\"XFD1\"><v>1</v></c>",
    "&amp;",
    "]]>",
    "\u{0}",
    "\u{feff}",
    "ö",
    "\u{ff}",
    "2021",
    "_uppfolj",
    "r=\"A1\"",
];

pub fn mutate(base: &[u8], corpus: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    if base.starts_with(b"PK\x03\x04")
        && rng.below(4) != 0
        && let Some(z) = mutate_zip(base, corpus, rng)
    {
        return z;
    }
    let mut out = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        mutate_bytes(&mut out, corpus, rng);
    }
    out
}

fn mutate_bytes(out: &mut Vec<u8>, corpus: &[Vec<u8>], rng: &mut Rng) {
    let at = rng.below(out.len() + 1);
    match rng.below(7) {
        0 if !out.is_empty() => {
            let i = at.min(out.len() - 1);
            out[i] ^= 1 << rng.below(8);
        }
        1 => out.insert(at, rng.next() as u8),
        2 => {
            let end = (at + 1 + rng.below(64)).min(out.len());
            out.drain(at..end);
        }
        3 => {
            let end = (at + 1 + rng.below(256)).min(out.len());
            let chunk = out[at..end].to_vec();
            for _ in 0..1 + rng.below(8) {
                out.splice(at..at, chunk.iter().copied());
            }
        }
        4 => {
            let other = &corpus[rng.below(corpus.len())];
            let from = rng.below(other.len() + 1);
            let end = (from + rng.below(512)).min(other.len());
            out.splice(at..at, other[from..end].iter().copied());
        }
        _ => {
            let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
            let end = (at + rng.below(8)).min(out.len());
            out.splice(at..end, token.iter().copied());
        }
    }
}

/// One entry of the archive mutated, the rest kept; the archive rebuilt.
fn mutate_zip(base: &[u8], corpus: &[Vec<u8>], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(base)).ok()?;
    let pick = rng.below(zip.len());
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).ok()?;
        let name = f.name().ok()?.to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).ok()?;
        if i == pick {
            for _ in 0..1 + rng.below(3) {
                mutate_bytes(&mut data, corpus, rng);
            }
        }
        w.start_file(name, opts).ok()?;
        w.write_all(&data).ok()?;
    }
    Some(w.finish().ok()?.into_inner())
}
