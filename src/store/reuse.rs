//! An output file that the previous run wrote with the very same bytes is
//! hard-linked from the previous output folder instead of written again. At
//! country scale that is 50 000 feedback files: linking them, and then
//! unlinking the old folder, costs a fraction of writing them and freeing
//! the old ones (which on a disk mounted with `discard` took 8 s).

use std::path::Path;

/// Writes `bytes` to `path`, or links `earlier` there when it is a regular
/// file of ours holding exactly `bytes`.
pub fn write(path: &Path, earlier: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if same(earlier, bytes) && std::fs::hard_link(earlier, path).is_ok() {
        return Ok(());
    }
    std::fs::write(path, bytes)
}

/// A regular file (not a link to one) with no other name, holding `bytes`.
fn same(old: &Path, bytes: &[u8]) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(old) else {
        return false;
    };
    meta.is_file()
        && meta.len() == bytes.len() as u64
        && alone(&meta)
        && std::fs::read(old).is_ok_and(|b| b == bytes)
}

/// A file with a second name elsewhere could be changed through it, and the
/// new output with it: such a file is written afresh.
#[cfg(unix)]
fn alone(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() == 1
}

#[cfg(not(unix))]
fn alone(_meta: &std::fs::Metadata) -> bool {
    false
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn only_a_lone_regular_file_with_the_same_bytes_is_linked() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let at = |n: &str| dir.path().join(n);
        std::fs::write(at("old.txt"), "samma").unwrap();
        write(&at("new.txt"), &at("old.txt"), b"samma").unwrap();
        assert_eq!(std::fs::metadata(at("new.txt")).unwrap().nlink(), 2);
        // Other bytes, or a file that now has two names: written.
        write(&at("other.txt"), &at("old.txt"), b"annat").unwrap();
        write(&at("third.txt"), &at("old.txt"), b"samma").unwrap();
        for n in ["other.txt", "third.txt"] {
            assert_eq!(std::fs::metadata(at(n)).unwrap().nlink(), 1, "{n}");
        }
        assert_eq!(std::fs::read(at("other.txt")).unwrap(), b"annat");
        // A symbolic link is never taken over, even to the same bytes.
        std::fs::write(at("target.txt"), "samma").unwrap();
        std::os::unix::fs::symlink(at("target.txt"), at("link.txt")).unwrap();
        write(&at("fourth.txt"), &at("link.txt"), b"samma").unwrap();
        let meta = std::fs::symlink_metadata(at("fourth.txt")).unwrap();
        assert!(meta.is_file() && meta.nlink() == 1);
        // No earlier file: written.
        write(&at("fifth.txt"), &at("saknas.txt"), b"x").unwrap();
        assert_eq!(std::fs::read(at("fifth.txt")).unwrap(), b"x");
    }
}
