//! The completeness grid: units × years, handed in or missing.

use super::text::{blank_with_title, fit, label_font, text_width, title_height};
use super::{BLACK, BLUE, VERMILLION, WIDTH, err};
use crate::error::Error;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A unit's return for a year, as the grid shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    HandedIn,
    /// Handed in, but values in it were not accepted: not a whole return.
    WithRefusedValues,
    Missing,
}

/// The grid's geometry: where the cells start (right of the longest name),
/// and the cells' and rows' sizes.
const GRID_CELL: i32 = 90;
const GRID_ROW: i32 = 24;
/// The widest a unit's name may be before it is shortened with "…".
const GRID_NAME_MAX: u32 = 560;

/// Where the grid's cells start: right of the longest name.
fn grid_left(rows: &[(String, Vec<Option<Mark>>)]) -> i32 {
    let font = label_font();
    let longest = rows
        .iter()
        .map(|(name, _)| text_width(name, &font))
        .max()
        .unwrap_or(0)
        .min(GRID_NAME_MAX);
    (longest as i32 + 40).max(200)
}

/// The grid's size: wide enough for every name beside the years.
pub fn grid_size(title: &str, rows: &[(String, Vec<Option<Mark>>)], years: &[i32]) -> (u32, u32) {
    let width = (grid_left(rows) + GRID_CELL * years.len() as i32 + 20).max(WIDTH as i32) as u32;
    let height = title_height(title, width) + 40 + GRID_ROW as u32 * rows.len() as u32;
    (width, height)
}

/// A grid of units × years: reported (filled, ✓) or missing (open, –).
pub fn draw_grid<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    rows: &[(String, Vec<Option<Mark>>)],
    years: &[i32],
) -> Result<(), Error> {
    let head = blank_with_title(&root, title)?;
    let left = grid_left(rows);
    for (j, y) in years.iter().enumerate() {
        root.draw(&Text::new(
            y.to_string(),
            (left + j as i32 * GRID_CELL + 25, head),
            label_font().color(&BLACK),
        ))
        .map_err(err)?;
    }
    for (i, (name, marks)) in rows.iter().enumerate() {
        let top = head + 24 + i as i32 * GRID_ROW;
        root.draw(&Text::new(
            fit(name, (left - 40) as u32),
            (20, top + 3),
            label_font().color(&BLACK),
        ))
        .map_err(err)?;
        for (j, m) in marks.iter().enumerate() {
            grid_cell(&root, left + j as i32 * GRID_CELL, top, *m)?;
        }
    }
    root.present().map_err(err)?;
    Ok(())
}

/// One unit's year: reported (filled, ✓), reported with refused values
/// (light, ◐), missing (open, –) or not expected.
fn grid_cell<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    top: i32,
    mark: Option<Mark>,
) -> Result<(), Error> {
    let rect = [(x, top), (x + GRID_CELL - 8, top + GRID_ROW - 4)];
    let (text, color) = match mark {
        Some(Mark::HandedIn) => {
            root.draw(&Rectangle::new(rect, BLUE.filled()))
                .map_err(err)?;
            ("✓ inlämnad", WHITE)
        }
        Some(Mark::WithRefusedValues) => {
            root.draw(&Rectangle::new(rect, BLUE.stroke_width(2)))
                .map_err(err)?;
            ("◐ med fel", BLACK)
        }
        Some(Mark::Missing) => {
            root.draw(&Rectangle::new(rect, VERMILLION.stroke_width(2)))
                .map_err(err)?;
            ("– saknas", BLACK)
        }
        None => return Ok(()),
    };
    root.draw(&Text::new(
        text,
        (x + 6, top + 2),
        ("sans-serif", 13).into_font().color(&color),
    ))
    .map_err(err)?;
    Ok(())
}
