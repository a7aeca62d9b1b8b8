//! The folders a pipeline reads from, and how outputs keep clear of them.

use std::path::{Path, PathBuf};

use super::Pipeline;

/// A folder the pipeline reads from.
pub struct InputFolder {
    /// What it is, in Swedish, for messages.
    pub what: &'static str,
    pub path: PathBuf,
    /// Holds data files (inbox, survey files, cache), so no output may lie
    /// inside it either. The pipeline's own folder holds only pipeline files.
    pub holds_data: bool,
}

impl Pipeline {
    /// The folders the pipeline reads from: an output folder is replaced
    /// wholesale, so it must keep clear of them all.
    pub fn input_folders(&self) -> Vec<InputFolder> {
        let folder = |what, path| InputFolder {
            what,
            path,
            holds_data: true,
        };
        let mut folders = vec![InputFolder {
            holds_data: false,
            ..folder("pipelinefilens mapp", self.base.clone())
        }];
        if let Some(inbox) = &self.returns.inbox {
            folders.push(folder(
                "inkorgen för återrapporteringar",
                self.resolve(inbox),
            ));
        }
        for f in self.survey.iter().flat_map(|s| &s.files) {
            let local = !f.path.to_string_lossy().contains("://");
            if let (true, Some(dir)) = (local, self.resolve(&f.path).parent()) {
                folders.push(folder("mappen med enkätfiler", dir.to_path_buf()));
            }
        }
        if let Some(r) = &self.reference {
            folders.push(folder(
                "cachen för referensstatistik",
                self.resolve(&r.cache),
            ));
        }
        folders
    }

    /// Why `dir` may not be an output folder: it is, contains or lies inside a
    /// folder the pipeline reads data from (the inbox is read subfolders and
    /// all; an output among data files is one careless setting from replacing
    /// them). Inside the pipeline's own folder is allowed: `ut/` beside the
    /// pipeline file is the usual layout, and nothing there is read.
    pub fn output_clash(&self, dir: &Path) -> Option<String> {
        let out = normalized(dir);
        if out.parent().is_none() {
            return Some(format!(
                "{} är en rotmapp; ange en egen mapp för utdata",
                dir.display()
            ));
        }
        self.input_folders().into_iter().find_map(|folder| {
            let (what, input) = (folder.what, normalized(&folder.path));
            let inside = out.starts_with(&input) && folder.holds_data;
            let clash = out == input || input.starts_with(&out) || inside;
            clash.then(|| {
                format!(
                    "{} är, innehåller eller ligger i {what} ({}); utdatamappen ersätts vid varje körning och skulle ta bort indata. Välj en egen mapp för utdata",
                    dir.display(),
                    input.display()
                )
            })
        })
    }
}

/// Whether `name` is a plain file name: joined to a folder, the file stays
/// in it. Every file named after an id is checked with this as it is
/// written, besides `check`'s rules for ids.
pub fn plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
        && Path::new(name).file_name() == Some(std::ffi::OsStr::new(name))
}

/// An absolute path with `.` and `..` worked out, and symbolic links
/// followed where the path exists, so that two names of one folder compare equal.
pub fn normalized(path: &Path) -> PathBuf {
    if path.as_os_str().is_empty() {
        return normalized(Path::new("."));
    }
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    // The part that exists may be reached through a link.
    match (out.parent().map(normalized), out.file_name()) {
        (Some(parent), Some(name)) if parent != out => parent.join(name),
        _ => out,
    }
}

/// The kinds of workbook a return may be; which one a file is, is told by
/// its bytes, never by its name.
pub const RETURN_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// A unit's return for a year, as the template names it: `<unit>-<year>.xlsx`.
pub fn return_file_name(unit: &str, year: i32) -> String {
    return_file_name_as(unit, year, "xlsx")
}

/// A unit's return for a year as a file of kind `extension`; the inbox may
/// hold it under any of [`RETURN_EXTENSIONS`].
pub fn return_file_name_as(unit: &str, year: i32, extension: &str) -> String {
    format!("{unit}-{year}.{extension}")
}

/// The kind a file name says, lower case, if it is one a return may be.
pub fn return_extension(name: &str) -> Option<&'static str> {
    let (_, ext) = name.rsplit_once('.')?;
    RETURN_EXTENSIONS
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(ext))
}
