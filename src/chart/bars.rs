//! Bars of 100 %: each row's categories as shares, labelled with counts.

use super::text::{
    SMALL_LINE, TEXT_LINE, blank_with_title, fit, flow, label_font, small_font, text_width,
    title_height, wrap,
};
use super::{BLACK, GREEN, GREY, ORANGE, SKY, WIDTH, err};
use crate::error::Error;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The bar's height.
const BAR: i32 = 30;

/// What a row says under its bar: each category's count and share.
fn words(categories: &[&str], counts: &[usize]) -> Vec<String> {
    let total: usize = counts.iter().sum();
    let said: Vec<String> = categories
        .iter()
        .zip(counts)
        .filter(|(_, n)| **n > 0)
        .map(|(c, n)| format!("{c} {n} ({} %)", share(*n, total)))
        .collect();
    wrap(&said.join(" · "), &small_font(), WIDTH - 40)
}

/// A row's height: its name with the base, the bar, its words.
fn row_height(lines: usize) -> i32 {
    TEXT_LINE + 4 + BAR + 6 + SMALL_LINE * lines as i32 + 14
}

/// A bar chart's size for its title and rows.
pub fn bars_size(title: &str, categories: &[&str], rows: &[(String, Vec<usize>)]) -> (u32, u32) {
    let body: i32 = rows
        .iter()
        .map(|(_, counts)| row_height(words(categories, counts).len()))
        .sum();
    let height = title_height(title, WIDTH) as i32 + 8 + body + 40 + legend_height(categories);
    (WIDTH, height as u32)
}

/// Horizontal bars of 100 %: per row its name and base (the number of
/// answers the 100 % is), each category's share, labelled with its count,
/// and the counts and shares in words below so colour is never the only cue.
pub fn draw_bars<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    categories: &[&str],
    rows: &[(String, Vec<usize>)],
) -> Result<(), Error> {
    let mut top = blank_with_title(&root, title)? + 8;
    for (name, counts) in rows {
        let total: usize = counts.iter().sum();
        let named = format!("{name} ({})", crate::text::Count(total, "svar", "svar"));
        root.draw(&Text::new(
            fit(&named, WIDTH - 40),
            (20, top),
            label_font().color(&BLACK),
        ))
        .map_err(err)?;
        let bar_top = top + TEXT_LINE + 4;
        draw_bar(&root, bar_top, counts, total.max(1))?;
        let lines = words(categories, counts);
        for (i, line) in lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (BAR_LEFT, bar_top + BAR + 6 + SMALL_LINE * i as i32),
                small_font().color(&GREY),
            ))
            .map_err(err)?;
        }
        top += row_height(lines.len());
    }
    draw_scale(&root, top + 4)?;
    draw_bar_legend(&root, categories, top + 40)?;
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
        root.draw(&PathElement::new(vec![(x, y - 8), (x, y)], GREY))
            .map_err(err)?;
        let w = text_width(label, &small_font()) as i32;
        let left = (x - w / 2).clamp(BAR_LEFT, BAR_LEFT + width - w);
        root.draw(&Text::new(label, (left, y + 2), small_font().color(&GREY)))
            .map_err(err)?;
    }
    Ok(())
}

/// The legend's rows: the categories, as many to a row as fit.
fn legend_rows<'c>(categories: &[&'c str]) -> Vec<Vec<(usize, &'c str)>> {
    let items = categories.iter().copied().enumerate();
    flow(items, WIDTH as i32 - 40, |(_, c)| {
        40 + text_width(c, &label_font()) as i32
    })
}

fn legend_height(categories: &[&str]) -> i32 {
    TEXT_LINE * legend_rows(categories).len() as i32 + 10
}

/// The categories' colours, named.
fn draw_bar_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    categories: &[&str],
    y: i32,
) -> Result<(), Error> {
    for (r, row) in legend_rows(categories).into_iter().enumerate() {
        let y = y + TEXT_LINE * r as i32;
        let mut x = 20;
        for (k, c) in row {
            root.draw(&Rectangle::new(
                [(x, y + 2), (x + 18, y + 20)],
                BAR_COLORS[k % BAR_COLORS.len()].filled(),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                c.to_string(),
                (x + 26, y),
                label_font().color(&BLACK),
            ))
            .map_err(err)?;
            x += 40 + text_width(c, &label_font()) as i32;
        }
    }
    Ok(())
}

const BAR_COLORS: [RGBColor; 4] = [GREEN, SKY, ORANGE, RGBColor(200, 200, 200)];
/// Where the bars start: under the row's name.
const BAR_LEFT: i32 = 20;

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
        let rect = [(x, top), (end, top + BAR)];
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
                (x + 5, top + 4),
                label_font().color(&BLACK),
            ))
            .map_err(err)?;
        }
        x = end;
    }
    Ok(())
}
