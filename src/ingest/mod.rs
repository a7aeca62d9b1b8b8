//! Ingest: reading input files into plain records, refusing a file whole when
//! it cannot be trusted. Judging the values is validation's job.

pub mod cell;
pub mod returns;
pub mod survey;

use sha2::{Digest, Sha256};

/// Hex SHA-256 of a file's bytes, as recorded in the manifest.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
