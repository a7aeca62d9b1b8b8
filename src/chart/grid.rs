//! The completeness grid: units × years, handed in or missing.

use super::text::{TEXT_LINE, blank_with_title, fit, label_font, text_width, title_height};
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

impl Mark {
    /// The symbol in the cell and what the legend says it is.
    fn said(self) -> (&'static str, &'static str) {
        match self {
            Mark::HandedIn => ("✓", "inlämnad"),
            Mark::WithRefusedValues => ("◐", "inlämnad, med värden som inte godtogs"),
            Mark::Missing => ("–", "saknas"),
        }
    }
}

/// The grid's geometry: the cells' and rows' sizes.
const GRID_CELL: i32 = 60;
const GRID_ROW: i32 = 32;
/// The widest a unit's name may be before it is shortened with "…".
const GRID_NAME_MAX: u32 = 340;

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

/// The marks the grid shows, in the legend's order.
fn marks_shown(rows: &[(String, Vec<Option<Mark>>)]) -> Vec<Mark> {
    [Mark::HandedIn, Mark::WithRefusedValues, Mark::Missing]
        .into_iter()
        .filter(|m| rows.iter().any(|(_, marks)| marks.contains(&Some(*m))))
        .collect()
}

/// The grid's size: wide enough for every name beside the years.
pub fn grid_size(title: &str, rows: &[(String, Vec<Option<Mark>>)], years: &[i32]) -> (u32, u32) {
    let width = (grid_left(rows) + GRID_CELL * years.len() as i32 + 20).max(WIDTH as i32) as u32;
    let legend = TEXT_LINE * marks_shown(rows).len() as i32;
    let height =
        title_height(title, width) as i32 + 40 + GRID_ROW * rows.len() as i32 + 16 + legend;
    (width, height as u32)
}

/// A grid of units × years: handed in (filled, ✓), with refused values
/// (outlined, ◐) or missing (outlined red, –), each said in the legend.
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
            (left + j as i32 * GRID_CELL + 6, head),
            label_font().color(&BLACK),
        ))
        .map_err(err)?;
    }
    for (i, (name, marks)) in rows.iter().enumerate() {
        let top = head + 32 + i as i32 * GRID_ROW;
        root.draw(&Text::new(
            fit(name, (left - 40) as u32),
            (20, top + 2),
            label_font().color(&BLACK),
        ))
        .map_err(err)?;
        for (j, m) in marks.iter().enumerate() {
            grid_cell(&root, left + j as i32 * GRID_CELL, top, *m)?;
        }
    }
    let below = head + 32 + rows.len() as i32 * GRID_ROW + 12;
    for (k, m) in marks_shown(rows).into_iter().enumerate() {
        let top = below + TEXT_LINE * k as i32;
        grid_cell(&root, 20, top, Some(m))?;
        root.draw(&Text::new(
            m.said().1,
            (20 + GRID_CELL + 4, top + 2),
            label_font().color(&BLACK),
        ))
        .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// One unit's year as its mark, or nothing where none was expected.
fn grid_cell<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    top: i32,
    mark: Option<Mark>,
) -> Result<(), Error> {
    let Some(mark) = mark else {
        return Ok(());
    };
    let rect = [(x, top), (x + GRID_CELL - 10, top + GRID_ROW - 6)];
    let color = match mark {
        Mark::HandedIn => {
            root.draw(&Rectangle::new(rect, BLUE.filled()))
                .map_err(err)?;
            WHITE
        }
        Mark::WithRefusedValues => {
            root.draw(&Rectangle::new(rect, BLUE.stroke_width(2)))
                .map_err(err)?;
            BLACK
        }
        Mark::Missing => {
            root.draw(&Rectangle::new(rect, VERMILLION.stroke_width(2)))
                .map_err(err)?;
            BLACK
        }
    };
    root.draw(&Text::new(
        mark.said().0,
        (x + 16, top),
        label_font().color(&color),
    ))
    .map_err(err)?;
    Ok(())
}
