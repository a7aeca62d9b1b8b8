//! Text in charts: the bundled font's metrics, titles wrapped at the
//! chart's width, and names shortened to fit.

use super::{BLACK, err};
use crate::error::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// Font sizes in plotters' units (the SVG says size / 1.24 px). A chart is
/// 640 px wide, printed at least 88 mm wide (two to a row on A4) and shown
/// 390 px wide on a phone: the smallest text, 23, is 18.5 px, so 7.2 pt on
/// paper and 11 px on the phone.
const TITLE_SIZE: f64 = 28.0;
const TEXT_SIZE: f64 = 23.0;
const SMALL_SIZE: f64 = 23.0;
/// The lines' heights for those sizes.
pub(super) const TITLE_LINE: i32 = 32;
pub(super) const TEXT_LINE: i32 = 27;
pub(super) const SMALL_LINE: i32 = 26;

/// The titles' font.
pub(super) fn title_font() -> FontDesc<'static> {
    ("sans-serif", TITLE_SIZE)
        .into_font()
        .style(FontStyle::Bold)
}

/// Subtitles, axes, legends and labels.
pub(super) fn text_font() -> FontDesc<'static> {
    ("sans-serif", TEXT_SIZE).into_font()
}

/// Notes and the source under a chart: the smallest text there is.
pub(super) fn small_font() -> FontDesc<'static> {
    ("sans-serif", SMALL_SIZE).into_font()
}

/// How wide a text is, in pixels, in the bundled DejaVu Sans as resvg
/// draws it: the glyphs' advances (the PNG and the browser agree on these).
pub(super) fn text_width(text: &str, font: &FontDesc<'_>) -> u32 {
    static FACES: std::sync::OnceLock<[Option<ttf_parser::Face<'static>>; 2]> =
        std::sync::OnceLock::new();
    let faces = FACES.get_or_init(|| {
        [
            ttf_parser::Face::parse(dejavu::sans::regular(), 0).ok(),
            ttf_parser::Face::parse(dejavu::sans::bold(), 0).ok(),
        ]
    });
    let bold = matches!(font.get_style(), FontStyle::Bold);
    let Some(face) = &faces[usize::from(bold)] else {
        return 0;
    };
    let units: u32 = text
        .chars()
        .filter_map(|c| face.glyph_index(c))
        .filter_map(|g| face.glyph_hor_advance(g))
        .map(u32::from)
        .sum();
    // plotters writes a font of size s as font-size s / 1.24 in the SVG.
    let px = font.get_size() / 1.24;
    (f64::from(units) * px / f64::from(face.units_per_em())).ceil() as u32
}

/// Splits a text over lines that fit `width` pixels in `font`.
pub(super) fn wrap(text: &str, font: &FontDesc<'_>, width: u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(last) if text_width(&format!("{last} {word}"), font) <= width => {
                last.push(' ');
                last.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Items in rows that fit `width` pixels, each as wide as `w` says: a
/// legend that wraps.
pub(super) fn flow<T>(
    items: impl IntoIterator<Item = T>,
    width: i32,
    w: impl Fn(&T) -> i32,
) -> Vec<Vec<T>> {
    let mut rows: Vec<Vec<T>> = Vec::new();
    let mut used = 0;
    for item in items {
        let wide = w(&item);
        match rows.last_mut() {
            Some(row) if used + wide <= width => {
                used += wide;
                row.push(item);
            }
            _ => {
                used = wide;
                rows.push(vec![item]);
            }
        }
    }
    rows
}

/// The lines a title takes across a chart `width` pixels wide.
pub(super) fn title_lines(title: &str, width: u32) -> Vec<String> {
    wrap(title, &title_font(), width.saturating_sub(40))
}

/// How far down a chart's content starts below its wrapped title.
pub fn title_height(title: &str, width: u32) -> u32 {
    (24 + TITLE_LINE * title_lines(title, width).len().max(1) as i32) as u32
}

pub(super) fn label_font() -> FontDesc<'static> {
    text_font()
}

/// A name that fits `width` pixels in the label font, shortened with "…".
pub(super) fn fit(name: &str, width: u32) -> String {
    let font = label_font();
    if text_width(name, &font) <= width {
        return name.to_string();
    }
    let mut chars: Vec<char> = name.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let s: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(&s, &font) <= width {
            return s;
        }
    }
    "…".into()
}

/// A white canvas with the chart's title, wrapped, in the top left; returns
/// where the content starts.
pub(super) fn blank_with_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<i32, Error> {
    root.fill(&WHITE).map_err(err)?;
    let width = root.dim_in_pixel().0;
    for (i, line) in title_lines(title, width).into_iter().enumerate() {
        root.draw(&Text::new(
            line,
            (20, 12 + TITLE_LINE * i as i32),
            title_font().color(&BLACK),
        ))
        .map_err(err)?;
    }
    Ok(title_height(title, width) as i32)
}
