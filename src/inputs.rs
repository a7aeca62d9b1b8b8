//! Finding inputs: folders expanded to the files in them, inputs given as
//! URLs downloaded (each to a name of its own), and which files are survey
//! exports rather than committee returns.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::finding::{Finding, Severity};
use crate::http::{Client, FetchError};
use crate::pipeline::Pipeline;

/// File types `validate` and `run` take as committee returns.
pub use crate::pipeline::RETURN_EXTENSIONS;
/// File types taken as survey exports (an `.xlsx` is one where the pipeline lists it).
pub const SURVEY_EXTENSIONS: [&str; 4] = ["csv", "txt", "tsv", "parquet"];

/// Expands folders to the files in them (sorted, recursively); files named
/// directly are kept as given. Files in folders that are not returns are
/// reported, not silently passed over.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Finding>) {
    let mut files = Vec::new();
    let mut findings = Vec::new();
    for p in paths {
        let file_name =
            has_extension(p, &RETURN_EXTENSIONS) || has_extension(p, &SURVEY_EXTENSIONS);
        if p.is_dir() && file_name {
            findings.push(Finding::file(
                Severity::Error,
                p.display().to_string(),
                "är en mapp, inte en fil, fast namnet slutar som ett filnamn, så inget i den läses. Ange filen själv, eller mappen under ett namn utan filändelse.",
            ));
        } else if p.is_dir() {
            let root = p.canonicalize().unwrap_or_else(|_| p.clone());
            walk(p, &root, &mut files, &mut findings);
        } else {
            files.push(p.clone());
        }
    }
    (files, findings)
}

fn warn(findings: &mut Vec<Finding>, path: &Path, message: impl Into<String>) {
    findings.push(Finding::file(
        Severity::Warning,
        path.display().to_string(),
        message,
    ));
}

/// A folder's files, subfolders and all. Symbolic links are followed only
/// to a file inside the folder given: a link to a folder could loop or
/// repeat the inbox, and one leading outside brings in what is not a return.
fn walk(dir: &Path, root: &Path, files: &mut Vec<PathBuf>, findings: &mut Vec<Finding>) {
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| Some((e.path(), e.file_type().ok()?)))
            .collect(),
        Err(e) => {
            findings.push(Finding::file(
                Severity::Error,
                dir.display().to_string(),
                format!("mappen kan inte läsas: den {}", crate::text::io_error(&e)),
            ));
            return;
        }
    };
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (e, kind) in entries {
        let name = e.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with("~$") {
            continue; // hidden files and Excel's lock files
        }
        let known = has_extension(&e, &RETURN_EXTENSIONS) || has_extension(&e, &SURVEY_EXTENSIONS);
        if kind.is_symlink() {
            match e.canonicalize() {
                Ok(target) if target.is_file() && target.starts_with(root) && known => {
                    files.push(e)
                }
                Ok(target) if target.is_dir() => warn(
                    findings,
                    &e,
                    "är en länk till en mapp och följs inte (den kan leda runt i en slinga eller utanför inkorgen); lägg filerna i inkorgen i stället",
                ),
                Ok(_) => warn(
                    findings,
                    &e,
                    "är en länk som leder utanför inkorgen eller till något annat än en arbetsbok, och följs inte; lägg filen i inkorgen i stället",
                ),
                Err(_) => warn(
                    findings,
                    &e,
                    "är en länk som inte leder någonstans (eller runt i en slinga) och följs inte",
                ),
            }
        } else if kind.is_dir() {
            if known {
                warn(
                    findings,
                    &e,
                    "är en mapp fast namnet slutar som en fil; den läses som en mapp. Byt namn på den om det var en fil som skulle lämnas in",
                );
            }
            walk(&e, root, files, findings);
        } else if known {
            files.push(e);
        } else {
            warn(
                findings,
                &e,
                format!(
                    "filtypen känns inte igen och filen läses inte in; återrapporteringar ska vara {} och enkätfiler {}",
                    RETURN_EXTENSIONS.map(|x| format!(".{x}")).join(", "),
                    SURVEY_EXTENSIONS.map(|x| format!(".{x}")).join(", ")
                ),
            );
        }
    }
}

pub fn has_extension(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| exts.iter().any(|e| e.eq_ignore_ascii_case(x)))
}

/// The year a file's folder names (`returns/2021/x.xlsx` → 2021), if any.
pub fn folder_year(path: &Path) -> Option<i32> {
    let name = path.parent()?.file_name()?.to_str()?;
    (name.len() == 4).then(|| name.parse().ok()).flatten()
}

/// Tells survey exports from committee returns: a file the pipeline lists
/// under `[[survey.files]]` or that lies beside one, or a CSV or Parquet
/// file outside the returns inbox. The listed files and their folders are
/// resolved once, and each folder asked about once (resolving a dozen paths
/// per file took a fifth of `validate`'s time over 5 000 returns).
pub struct SurveyPlaces {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    /// The returns inbox, resolved.
    inbox: Option<PathBuf>,
    /// A folder as given → the folder resolved.
    resolved: HashMap<PathBuf, Option<PathBuf>>,
}

impl SurveyPlaces {
    pub fn of(p: &Pipeline) -> SurveyPlaces {
        let listed: Vec<PathBuf> = p
            .survey
            .iter()
            .flat_map(|s| &s.files)
            .map(|f| p.resolve(&f.path))
            .collect();
        SurveyPlaces {
            files: listed
                .iter()
                .filter_map(|f| f.canonicalize().ok())
                .collect(),
            dirs: listed
                .iter()
                .filter_map(|f| f.parent()?.canonicalize().ok())
                .collect(),
            inbox: p
                .returns
                .inbox
                .as_ref()
                .and_then(|i| p.resolve(i).canonicalize().ok()),
            resolved: HashMap::new(),
        }
    }

    /// Whether `path` is a survey export: it lies in a survey file's folder,
    /// or is text or Parquet outside the returns inbox. What lies in the
    /// inbox is a return, whatever it is called, and is told so.
    pub fn holds(&mut self, path: &Path) -> bool {
        let dir = path.parent().and_then(|d| {
            self.resolved
                .entry(d.to_path_buf())
                .or_insert_with(|| d.canonicalize().ok())
                .clone()
        });
        if dir.as_ref().is_some_and(|d| self.dirs.contains(d)) {
            return true;
        }
        let in_inbox = dir
            .as_ref()
            .zip(self.inbox.as_ref())
            .is_some_and(|(d, inbox)| d.starts_with(inbox));
        if in_inbox {
            return false;
        }
        if has_extension(path, &SURVEY_EXTENSIONS) {
            return true;
        }
        !self.files.is_empty() && path.canonicalize().is_ok_and(|me| self.files.contains(&me))
    }
}

/// A path on the command line that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("{} finns inte; ange befintliga filer eller mappar", .0.display())]
pub struct Missing(pub PathBuf);

/// The inputs named on the command line: files as they are, folders expanded,
/// URLs downloaded. Findings for what could not be had; downloaded files are
/// named by their URL in messages.
pub struct Gathered {
    pub files: Vec<PathBuf>,
    pub findings: Vec<Finding>,
    /// Holds the downloaded files until the inputs are let go.
    downloads: Downloads,
}

impl Gathered {
    /// What to call a file in a message: its URL, if it was downloaded.
    pub fn name<'a>(&'a self, file: &'a str) -> &'a str {
        self.downloads.name(file)
    }
}

/// Gathers the inputs named on a command line.
pub fn gather(p: &Pipeline, args: &[PathBuf]) -> Result<Gathered, Missing> {
    let mut downloads = Downloads::default();
    let mut findings = Vec::new();
    let mut local = Vec::new();
    for arg in args {
        if !is_url(arg) {
            if !arg.exists() {
                return Err(Missing(arg.clone()));
            }
            local.push(arg.clone());
            continue;
        }
        let url = arg.to_string_lossy().to_string();
        match downloads.get(p, &url) {
            Ok(path) => local.push(path),
            Err(e) => findings.push(Finding::file(
                Severity::Error,
                url,
                format!("kunde inte hämtas: {e}. {}", e.advice()),
            )),
        }
    }
    let (files, mut found) = collect_files(&local);
    found.extend(findings);
    Ok(Gathered {
        files,
        findings: found,
        downloads,
    })
}

/// Whether an input is given as an http(s) address rather than a path.
pub fn is_url(path: &Path) -> bool {
    let text = path.to_string_lossy();
    text.starts_with("http://") || text.starts_with("https://")
}

/// Downloads inputs given as URLs into a private folder, made at the first
/// download and removed when this is dropped. Whatever is said of a
/// downloaded file names its URL ([`Downloads::name`]), never the folder.
#[derive(Default)]
pub struct Downloads {
    dir: Option<tempfile::TempDir>,
    count: usize,
    /// Downloaded file (as displayed) → its URL.
    urls: Vec<(String, String)>,
}

impl Downloads {
    /// What to call a file in a message or an output: its URL, if it was
    /// downloaded here.
    pub fn name<'a>(&'a self, file: &'a str) -> &'a str {
        self.urls
            .iter()
            .find(|(local, _)| local == file)
            .map_or(file, |(_, url)| url.as_str())
    }

    /// Downloads `url` under the pipeline's limits. Each download gets a
    /// folder of its own, so two URLs ending in the same name never overwrite
    /// each other; the file keeps the URL's name, whose extension says what
    /// kind of input it is.
    pub fn get(&mut self, p: &Pipeline, url: &str) -> Result<PathBuf, FetchError> {
        let body = Client::new(&p.http_limits())?.get(url)?;
        let saving = |e: std::io::Error| FetchError::Body {
            url: url.into(),
            what: format!("kan inte spara filen: den {}", crate::text::io_error(&e)),
        };
        let dir = match &mut self.dir {
            Some(dir) => dir,
            None => self.dir.insert(tempfile::tempdir().map_err(saving)?),
        };
        self.count += 1;
        let folder = dir.path().join(self.count.to_string());
        let path = folder.join(file_name_of(url));
        std::fs::create_dir_all(&folder)
            .and_then(|_| std::fs::write(&path, &body))
            .map_err(saving)?;
        self.urls
            .push((path.display().to_string(), url.to_string()));
        Ok(path)
    }
}

/// The last segment of a URL's path, or a stand-in.
fn file_name_of(url: &str) -> &str {
    url.split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .unwrap_or("nedladdad")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_its_file() {
        assert_eq!(
            file_name_of("http://x/a/bromma-2022.xlsx?v=2"),
            "bromma-2022.xlsx"
        );
        assert_eq!(file_name_of("http://x/a/"), "nedladdad");
        assert_eq!(file_name_of("http://x/.."), "nedladdad");
    }
}
