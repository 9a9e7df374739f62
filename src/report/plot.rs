//! Plots (the crate's only plotters user): line and point charts as PNG and SVG, drawn with
//! an embedded DejaVu Sans font so no system fonts are needed. A [`Chart`] is plain data
//! (what tests snapshot); rendering never re-runs a study.

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use serde::{Deserialize, Serialize};

/// DejaVu Sans (see `assets/fonts/DejaVuSans-LICENSE.txt`), registered as `sans-serif`.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Pixel size of the PNG and SVG images.
pub const SIZE: (u32, u32) = (1100, 720);

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesKind {
    /// Connected line (analytic curves, dense sweeps).
    Line,
    /// Markers (simulated points).
    Points,
}

/// One named series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Line or points.
    pub kind: SeriesKind,
    /// Palette index: a curve and its simulated points share it.
    pub color: usize,
    /// (x, y) in axis units.
    pub points: Vec<(f64, f64)>,
}

/// A chart's data and words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// File stem (`drift-acceptance-vs-age`).
    pub name: String,
    /// Title above the plot.
    pub title: String,
    /// Seed and parameters, printed under the plot.
    pub caption: String,
    /// X axis label with unit.
    pub x_label: String,
    /// Y axis label with unit.
    pub y_label: String,
    /// The data.
    pub series: Vec<Series>,
    /// Where the legend goes (where the data is not).
    pub legend: Corner,
}

/// A corner of the plot area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Corner {
    /// Top left (curves that rise).
    UpperLeft,
    /// Bottom left (curves near the top, e.g. acceptance rates).
    LowerLeft,
}

/// A chart that could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[error("plot {}: {message}", path.display())]
pub struct PlotError {
    /// The image file.
    pub path: PathBuf,
    /// What plotters said.
    pub message: String,
}

impl Chart {
    /// A chart from its parts.
    pub fn new(name: &str, title: &str, caption: &str, x: &str, y: &str, series: Vec<Series>) -> Chart {
        Chart {
            name: name.to_owned(),
            title: title.to_owned(),
            caption: caption.to_owned(),
            x_label: x.to_owned(),
            y_label: y.to_owned(),
            series,
            legend: Corner::LowerLeft,
        }
    }

    /// The same chart with the legend in `corner`.
    pub fn with_legend(mut self, corner: Corner) -> Chart {
        self.legend = corner;
        self
    }

    /// Writes `<dir>/<name>.png` and `<dir>/<name>.svg`; returns both paths.
    ///
    /// # Errors
    /// [`PlotError`] naming the file when drawing or writing fails.
    pub fn render(&self, dir: &Path) -> Result<[PathBuf; 2], PlotError> {
        REGISTER.call_once(|| {
            // The font is compiled in and known to parse (tested); a failure would only
            // mean text is not drawn, which the image test catches.
            let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
        });
        let png = dir.join(format!("{}.png", self.name));
        let svg = dir.join(format!("{}.svg", self.name));
        let fail = |path: &Path, e: String| PlotError { path: path.to_owned(), message: e };
        self.draw(BitMapBackend::new(&png, SIZE).into_drawing_area()).map_err(|e| fail(&png, e))?;
        self.draw(SVGBackend::new(&svg, SIZE).into_drawing_area()).map_err(|e| fail(&svg, e))?;
        Ok([png, svg])
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(err)?;
        let (plot, foot) = root.split_vertically(SIZE.1 - 40);
        foot.draw_text(&self.caption, &("sans-serif", 14).into_font().color(&BLACK.mix(0.8)), (20, 12))
            .map_err(err)?;
        let (x0, x1, y0, y1) = self.ranges();
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, ("sans-serif", 24))
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .draw()
            .map_err(err)?;
        for s in &self.series {
            let color = Palette99::pick(s.color).to_rgba();
            let style = ShapeStyle::from(&color).stroke_width(2);
            let drawn = match s.kind {
                SeriesKind::Line => {
                    chart.draw_series(LineSeries::new(s.points.iter().copied(), style)).map_err(err)?
                }
                SeriesKind::Points => chart
                    .draw_series(s.points.iter().map(|&p| Circle::new(p, 4, style.filled())))
                    .map_err(err)?,
            };
            let drawn = drawn.label(&s.name);
            match s.kind {
                SeriesKind::Line => {
                    drawn.legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style))
                }
                SeriesKind::Points => drawn.legend(move |(x, y)| Circle::new((x + 9, y), 4, style.filled())),
            };
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .position(match self.legend {
                Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
                Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
            })
            .draw()
            .map_err(err)?;
        root.present().map_err(err)
    }

    /// Axis ranges covering every point, with a little room; a flat or empty chart still
    /// gets a non-empty range.
    fn ranges(&self) -> (f64, f64, f64, f64) {
        let pts =
            self.series.iter().flat_map(|s| s.points.iter()).filter(|(x, y)| x.is_finite() && y.is_finite());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in pts {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        if x0 > x1 {
            return (0.0, 1.0, 0.0, 1.0);
        }
        let pad = |lo: f64, hi: f64| {
            if hi - lo < 1e-9 { (lo - 1.0, hi + 1.0) } else { (lo, hi + (hi - lo) * 0.05) }
        };
        let (x0, x1) = pad(x0, x1);
        let (y0, y1) = pad(y0, y1);
        // Room for the legend on its side of the data, never below 0 for non-negative data.
        let room = (y1 - y0) * 0.6;
        match self.legend {
            Corner::UpperLeft => (x0, x1, if y0 >= 0.0 { 0.0 } else { y0 }, y1 + room),
            Corner::LowerLeft => (x0, x1, if y0 >= 0.0 { (y0 - room).max(0.0) } else { y0 - room }, y1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_font_parses() {
        assert!(ab_glyph_parses(FONT));
    }

    fn ab_glyph_parses(bytes: &'static [u8]) -> bool {
        plotters::style::register_font("test-font", FontStyle::Normal, bytes).is_ok()
    }
}
