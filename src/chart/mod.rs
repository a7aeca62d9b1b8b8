//! Chart: trend charts per indicator and overview charts, as SVG and PNG,
//! drawn with plotters in DejaVu Sans that comes with the program, so å, ä
//! and ö render on a machine without fonts. Colours from the Okabe–Ito
//! colour-blind-safe palette; series are told apart by marker and line too.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::Error;

mod bars;
mod grid;
mod text;
mod trend;

pub use bars::{bars_size, draw_bars};
pub use grid::{Mark, draw_grid, grid_size};
pub use text::title_height;
pub use trend::{
    Point, Series, TrendSpec, better, draw_trend, trend_size, trend_spec, write_trend,
};

/// The overview charts' names (their files are `<name>.svg` and `.png`).
pub const PARITY: &str = "paritet";
pub const COMPLETENESS: &str = "fullstandighet";
pub const STATUS: &str = "aktiviteter";

/// Every chart's width; a trend chart's height follows its text.
pub const WIDTH: u32 = 640;
/// A trend chart's plot, between its titles and its legend.
const PLOT_HEIGHT: u32 = 290;

const BLACK: RGBColor = RGBColor(0, 0, 0);
const ORANGE: RGBColor = RGBColor(230, 159, 0);
const BLUE: RGBColor = RGBColor(0, 114, 178);
const VERMILLION: RGBColor = RGBColor(213, 94, 0);
const GREEN: RGBColor = RGBColor(0, 158, 115);
const SKY: RGBColor = RGBColor(86, 180, 233);
const GREY: RGBColor = RGBColor(90, 90, 90);
const PURPLE: RGBColor = RGBColor(204, 121, 167);

static FONTS: Once = Once::new();

/// Registers the bundled DejaVu Sans as the sans-serif family.
pub fn register_fonts() {
    FONTS.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

/// A drawing error is the chart library's, in English, so its words are
/// not passed on; what a user can do about it is said instead.
fn err<E>(_: E) -> Error {
    Error::Output {
        file: "ett diagram".into(),
        reason: "det gick inte att rita eller spara (kontrollera att disken inte är full och att mappen går att skriva i)".into(),
    }
}

/// Writes a chart as SVG and PNG; returns the SVG text. The PNG is the SVG
/// rendered by resvg with the bundled font and a real text shaper, so both
/// files show the same chart with the same letter spacing.
pub fn write_chart(
    dir: &Path,
    name: &str,
    size: (u32, u32),
    draw: impl Fn(DrawingArea<SVGBackend, Shift>) -> Result<(), Error>,
) -> Result<String, Error> {
    if !crate::pipeline::plain_file_name(name) {
        return Err(Error::Output {
            file: format!("{}/{}", dir.display(), name.escape_debug()),
            reason: "namnet skulle hamna utanför diagrammappen".into(),
        });
    }
    register_fonts();
    let mut svg = String::new();
    draw(SVGBackend::with_string(&mut svg, size).into_drawing_area())?;
    let svg_path = dir.join(format!("{name}.svg"));
    std::fs::write(&svg_path, &svg).map_err(Error::writing(&svg_path))?;
    let png_path = dir.join(format!("{name}.png"));
    let png = to_png(&svg).map_err(|reason| Error::Output {
        file: png_path.display().to_string(),
        reason,
    })?;
    std::fs::write(&png_path, png).map_err(Error::writing(&png_path))?;
    Ok(svg)
}

/// The bundled fonts, for resvg; the system's fonts are never looked at.
fn font_db() -> std::sync::Arc<resvg::usvg::fontdb::Database> {
    static DB: std::sync::OnceLock<std::sync::Arc<resvg::usvg::fontdb::Database>> =
        std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(dejavu::sans::regular().to_vec());
        db.load_font_data(dejavu::sans::bold().to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        std::sync::Arc::new(db)
    })
    .clone()
}

/// An SVG chart as PNG bytes.
fn to_png(svg: &str) -> Result<Vec<u8>, String> {
    let options = resvg::usvg::Options {
        font_family: "DejaVu Sans".into(),
        fontdb: font_db(),
        ..Default::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| crate::text::foreign(&e))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| "diagrammet har ingen storlek".to_string())?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| crate::text::foreign(&e))
}
