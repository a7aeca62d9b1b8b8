//! A workbook package laid out where the spreadsheet library looks for its
//! parts. The format finds the workbook through the package's relationships
//! and the workbook's parts through its own, so a writer may put them
//! anywhere (`book/main.xml`, `strings.xml`); calamine follows the package's
//! relationship to the workbook's folder but then takes the workbook, its
//! shared strings and its styles by their usual names there, and would read
//! such a file as empty or with its text missing. Such a package is rewritten
//! in memory with those parts at the usual names and every other part where
//! it was, named from the workbook by an absolute path.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use quick_xml::escape::{escape, unescape};
use quick_xml::events::Event;

use super::kind::ZipKind;

const WORKBOOK: &str = "xl/workbook.xml";
const WORKBOOK_RELS: &str = "xl/_rels/workbook.xml.rels";
const STRINGS: &str = "xl/sharedStrings.xml";
const STYLES: &str = "xl/styles.xml";
const PACKAGE_RELS: &str = "_rels/.rels";
const OFFICE_DOCUMENT: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";

/// One relationship of a part, its target resolved to a path in the package
/// unless it points outside it.
#[derive(Debug, Clone, PartialEq)]
struct Relationship {
    id: String,
    kind: String,
    target: String,
    external: bool,
}

/// The bytes of a workbook package to open: as they are, or laid out anew;
/// `None` for a package that is no workbook, or whose workbook is not found.
pub fn openable(bytes: Vec<u8>, zip: &ZipKind, cap: u64) -> Option<Vec<u8>> {
    match zip {
        ZipKind::Xlsx => Some(standard_layout(&bytes, WORKBOOK, cap).unwrap_or(bytes)),
        ZipKind::WorkbookElsewhere(part) => standard_layout(&bytes, part, cap),
        _ => None,
    }
}

/// The package in `bytes` with its workbook, shared strings and styles at the
/// usual names, or `None` when they are there already or no workbook part is
/// found (what the package is then is told elsewhere). The workbook is the
/// one the package's relationships name, else `main_part`. The archive has been
/// checked against `cap`, which also bounds what is read here.
pub fn standard_layout(bytes: &[u8], main_part: &str, cap: u64) -> Option<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let names: HashMap<String, String> = zip
        .file_names()
        .flatten()
        .map(|n| (n.to_lowercase(), n.to_string()))
        .collect();
    // A part that is there but cannot be read (a bad checksum) leaves the
    // package as it is, for the reader to call it damaged.
    let mut read = |path: &str| -> Option<Option<Vec<u8>>> {
        let Some(name) = names.get(&path.to_lowercase()) else {
            return Some(None);
        };
        let mut data = Vec::new();
        zip.by_name(name)
            .ok()?
            .take(cap)
            .read_to_end(&mut data)
            .ok()?;
        Some(Some(data))
    };
    let package_rels = read(PACKAGE_RELS)?
        .map(|x| relationships(&x, ""))
        .unwrap_or_default();
    let workbook = package_rels
        .iter()
        .find(|r| r.kind == OFFICE_DOCUMENT && !r.external)
        .map(|r| r.target.clone())
        .unwrap_or_else(|| main_part.to_string());
    let workbook_xml = read(&workbook)??;
    let (folder, file) = split(&workbook);
    let rels_path = format!("{folder}_rels/{file}.rels");
    let rels = read(&rels_path)?
        .map(|x| relationships(&x, folder))
        .unwrap_or_default();
    let part = |suffix: &str| {
        rels.iter()
            .find(|r| !r.external && r.kind.ends_with(suffix))
    };
    let (strings, styles) = (part("/sharedStrings"), part("/styles"));
    let at = |r: Option<&Relationship>, usual: &str| r.is_none_or(|r| same(&r.target, usual));
    if same(&workbook, WORKBOOK)
        && package_rels.iter().any(|r| same(&r.target, WORKBOOK))
        && at(strings, STRINGS)
        && at(styles, STYLES)
    {
        return None;
    }
    let mut moved: Vec<(&str, Vec<u8>)> = vec![
        (PACKAGE_RELS, package_relationship().into_bytes()),
        (WORKBOOK, workbook_xml),
        (WORKBOOK_RELS, rewritten(&rels).into_bytes()),
    ];
    let mut left = vec![workbook.clone(), rels_path];
    for (r, usual) in [(strings, STRINGS), (styles, STYLES)] {
        if let Some(r) = r {
            moved.push((usual, read(&r.target)??));
            left.push(r.target.clone());
        }
    }
    left.extend(moved.iter().map(|(name, _)| name.to_string()));
    repacked(&mut zip, &left, moved, cap)
}

/// A path's folder (with its slash, or empty) and its file name.
fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    }
}

/// Whether two part names are the same part: the format compares them
/// without regard to case.
fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A relationship's target as a path in the package: relative to `folder`
/// unless it starts with a slash, with `.` and `..` taken away.
fn resolve(folder: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("{folder}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The relationships in a `.rels` part, whose targets are relative to `folder`.
fn relationships(xml: &[u8], folder: &str) -> Vec<Relationship> {
    let text = String::from_utf8_lossy(xml);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e))
                if e.local_name().into_inner() == "Relationship" =>
            {
                let attr = |key: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.local_name().into_inner() == key)
                        .and_then(|a| unescape(&a.value).ok().map(|v| v.into_owned()))
                };
                let external = attr("TargetMode").is_some_and(|m| m == "External");
                let target = attr("Target").unwrap_or_default();
                out.push(Relationship {
                    id: attr("Id").unwrap_or_default(),
                    kind: attr("Type").unwrap_or_default(),
                    target: if external {
                        target
                    } else {
                        resolve(folder, &target)
                    },
                    external,
                });
            }
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

const RELATIONSHIPS_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

fn package_relationship() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"{RELATIONSHIPS_NS}\"><Relationship Id=\"rId1\" Type=\"{OFFICE_DOCUMENT}\" Target=\"{WORKBOOK}\"/></Relationships>"
    )
}

/// The workbook's relationships with absolute targets, its shared strings
/// and styles at their usual names.
fn rewritten(rels: &[Relationship]) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"{RELATIONSHIPS_NS}\">"
    );
    for r in rels {
        let target = if r.external {
            r.target.clone()
        } else if r.kind.ends_with("/sharedStrings") {
            format!("/{STRINGS}")
        } else if r.kind.ends_with("/styles") {
            format!("/{STYLES}")
        } else {
            format!("/{}", r.target)
        };
        let mode = if r.external {
            " TargetMode=\"External\""
        } else {
            ""
        };
        xml.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"{}\" Target=\"{}\"{mode}/>",
            escape(&r.id),
            escape(&r.kind),
            escape(&target)
        ));
    }
    xml + "</Relationships>"
}

/// The archive with the entries named in `left` left out and `moved` added,
/// stored uncompressed (it is read once, from memory).
fn repacked(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    left: &[String],
    moved: Vec<(&str, Vec<u8>)>,
    cap: u64,
) -> Option<Vec<u8>> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).ok()?;
        let name = entry.name().ok()?.to_string();
        if entry.is_dir() || left.iter().any(|l| same(l, &name)) {
            continue;
        }
        let mut data = Vec::new();
        (&mut entry).take(cap).read_to_end(&mut data).ok()?;
        out.start_file(name, stored).ok()?;
        out.write_all(&data).ok()?;
    }
    for (name, data) in moved {
        out.start_file(name, stored).ok()?;
        out.write_all(&data).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_from_their_folder() {
        assert_eq!(resolve("book/", "sheets/s1.xml"), "book/sheets/s1.xml");
        assert_eq!(resolve("book/", "../strings.xml"), "strings.xml");
        assert_eq!(resolve("book/", "/xl/./s.xml"), "xl/s.xml");
        assert_eq!(resolve("", "a/../../b.xml"), "b.xml");
    }

    #[test]
    fn relationships_are_read_with_their_kinds_and_modes() {
        let xml = br#"<Relationships xmlns="x"><Relationship Id="r1" Type="t/worksheet" Target="s/a.xml"/><Relationship Id="r2" Type="t/hyperlink" Target="https://example.org/?a=1&amp;b=2" TargetMode="External"/></Relationships>"#;
        let rels = relationships(xml, "book/");
        assert_eq!(rels[0].target, "book/s/a.xml");
        assert_eq!(rels[1].target, "https://example.org/?a=1&b=2");
        assert!(rels[1].external);
        assert!(
            rewritten(&rels)
                .contains("Target=\"https://example.org/?a=1&amp;b=2\" TargetMode=\"External\"")
        );
    }
}
