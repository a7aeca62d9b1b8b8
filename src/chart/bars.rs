//! Bars of 100 %: each row's categories as shares, labelled with counts.

use super::text::{blank_with_title, fit, label_font, text_width, title_height};
use super::{BLACK, GREEN, GREY, ORANGE, SKY, WIDTH, err};
use crate::error::Error;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The bars' row height and where a chart of `rows` bars is tall enough.
const BAR_ROW: i32 = 62;

/// A bar chart's size for its title and number of rows.
pub fn bars_size(title: &str, rows: usize) -> (u32, u32) {
    let height = title_height(title, WIDTH) + 70 + BAR_ROW as u32 * rows as u32;
    (WIDTH, height)
}

/// Horizontal bars of 100 %: per row, each category's share of the row,
/// labelled with its count, and the counts and shares in words below so
/// colour is never the only cue.
pub fn draw_bars<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    categories: &[&str],
    rows: &[(String, Vec<usize>)],
) -> Result<(), Error> {
    let head = blank_with_title(&root, title)?;
    for (i, (name, counts)) in rows.iter().enumerate() {
        let top = head + 8 + i as i32 * BAR_ROW;
        root.draw(&Text::new(
            fit(name, (BAR_LEFT - 30) as u32),
            (20, top + 8),
            label_font().color(&BLACK),
        ))
        .map_err(err)?;
        let total: usize = counts.iter().sum();
        draw_bar(&root, top, counts, total.max(1))?;
        let words: Vec<String> = categories
            .iter()
            .zip(counts)
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| format!("{c} {n} ({} %)", share(*n, total)))
            .collect();
        root.draw(&Text::new(
            words.join(" · "),
            (BAR_LEFT, top + 34),
            ("sans-serif", 12).into_font().color(&GREY),
        ))
        .map_err(err)?;
    }
    let bottom = head + 8 + rows.len() as i32 * BAR_ROW;
    draw_scale(&root, bottom)?;
    draw_bar_legend(&root, categories, bottom + 28)?;
    root.present().map_err(err)?;
    Ok(())
}

/// A whole-number percentage of a total.
fn share(n: usize, total: usize) -> usize {
    ((n as f64 / total.max(1) as f64) * 100.0).round() as usize
}

/// 0, 50 and 100 % under the bars.
fn draw_scale<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, y: i32) -> Result<(), Error> {
    let width = bar_width();
    for (k, label) in ["0 %", "50 %", "100 %"].into_iter().enumerate() {
        let x = BAR_LEFT + width * k as i32 / 2;
        root.draw(&PathElement::new(vec![(x, y - 6), (x, y)], GREY))
            .map_err(err)?;
        root.draw(&Text::new(
            label,
            (x - 12, y + 2),
            ("sans-serif", 12).into_font().color(&GREY),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The categories' colours, named.
fn draw_bar_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    categories: &[&str],
    y: i32,
) -> Result<(), Error> {
    let mut x = 20;
    for (k, c) in categories.iter().enumerate() {
        root.draw(&Rectangle::new(
            [(x, y), (x + 16, y + 16)],
            BAR_COLORS[k % BAR_COLORS.len()].filled(),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            c.to_string(),
            (x + 22, y),
            label_font().color(&BLACK),
        ))
        .map_err(err)?;
        x += 40 + text_width(c, &label_font()) as i32;
    }
    Ok(())
}

const BAR_COLORS: [RGBColor; 4] = [GREEN, SKY, ORANGE, RGBColor(200, 200, 200)];
/// Where the bars start, right of the row names.
const BAR_LEFT: i32 = 330;

fn bar_width() -> i32 {
    WIDTH as i32 - BAR_LEFT - 40
}

/// One bar of 100 %, each part with its count where there is room.
fn draw_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    top: i32,
    counts: &[usize],
    total: usize,
) -> Result<(), Error> {
    let width = bar_width();
    let mut x = BAR_LEFT;
    let mut done = 0;
    for (k, n) in counts.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        // Each part ends where the running total's share does, so the parts
        // fill the bar exactly.
        done += n;
        let end = BAR_LEFT + (done as f64 / total as f64 * width as f64).round() as i32;
        let rect = [(x, top), (end, top + 30)];
        root.draw(&Rectangle::new(
            rect,
            BAR_COLORS[k % BAR_COLORS.len()].filled(),
        ))
        .map_err(err)?;
        root.draw(&Rectangle::new(rect, WHITE.stroke_width(1)))
            .map_err(err)?;
        let label = n.to_string();
        if end - x > text_width(&label, &label_font()) as i32 + 8 {
            root.draw(&Text::new(
                label,
                (x + 5, top + 7),
                label_font().color(&BLACK),
            ))
            .map_err(err)?;
        }
        x = end;
    }
    Ok(())
}
