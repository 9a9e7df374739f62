//! Plots (the crate's only plotters user): line and point charts, in one or several panels
//! side by side, as PNG and SVG, drawn with an embedded DejaVu Sans font so no system fonts
//! are needed. A [`Chart`] is plain data (what tests snapshot); rendering never re-runs a
//! study.
//!
//! Every series is visible even where series coincide: each has a colour, a marker shape and
//! a line style, and on dense lines the markers of the k-th series sit at every n-th point
//! shifted by k, so two identical lines show alternating markers. Where a point is a Monte
//! Carlo estimate it carries its confidence interval, drawn as a shaded band around a line or
//! as an error bar on a lone point. The legend sits beside the panels, never on the data.

mod draw;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;
use serde::{Deserialize, Serialize};

/// DejaVu Sans (see `assets/fonts/DejaVuSans-LICENSE.txt`), registered as `sans-serif`.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Pixel size of the PNG and SVG images.
pub const SIZE: (u32, u32) = (1200, 760);

/// How an axis maps values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Equal steps for equal differences.
    Linear,
    /// Equal steps for equal ratios (rare failures next to common ones). Values at or below
    /// zero are drawn on the bottom edge with hollow markers.
    Log,
}

/// How a series' points are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    /// A solid line.
    Solid,
    /// A dashed line.
    Dashed,
    /// Markers only (simulated points over a curve).
    None,
}

/// The shape drawn at a series' points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Marker {
    /// ●
    Circle,
    /// ▲
    Triangle,
    /// ■
    Square,
    /// ◆
    Diamond,
    /// ✕
    Cross,
    /// No marker: a curve that needs none (an analytic line beside simulated points).
    None,
}

impl Marker {
    /// Marker `i` of a fixed cycle, for series that need distinct shapes.
    pub fn nth(i: usize) -> Marker {
        const ALL: [Marker; 5] =
            [Marker::Circle, Marker::Triangle, Marker::Square, Marker::Diamond, Marker::Cross];
        ALL[i % ALL.len()]
    }
}

/// How a series looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Style {
    /// Index into a colour-blind-safe palette: a curve and its simulated points share it.
    pub color: usize,
    /// Marker shape.
    pub marker: Marker,
    /// Line style.
    pub line: Line,
}

/// One data point, with its confidence interval when it is an estimate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// X in axis units.
    pub x: f64,
    /// Y in axis units.
    pub y: f64,
    /// (low, high) of the confidence interval around `y`, in axis units.
    pub interval: Option<(f64, f64)>,
}

/// One named series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// How it looks.
    pub style: Style,
    /// The data.
    pub points: Vec<Point>,
}

/// One panel of a chart: its series on the chart's shared axes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    /// Title above the panel (empty for a single-panel chart).
    pub title: String,
    /// The data.
    pub series: Vec<Series>,
}

/// A chart's data and words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// File stem (`drift-acceptance-vs-age`).
    pub name: String,
    /// Title above the panels.
    pub title: String,
    /// Seed, parameters and what the marks mean, in words; one line per entry.
    pub caption: Vec<String>,
    /// X axis label with unit.
    pub x_label: String,
    /// Y axis label with unit.
    pub y_label: String,
    /// X axis scale.
    pub x_scale: Scale,
    /// Y axis scale.
    pub y_scale: Scale,
    /// Panels side by side, sharing both axes' ranges.
    pub panels: Vec<Panel>,
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
    /// A single-panel chart on linear axes.
    pub fn new(
        name: &str,
        title: &str,
        caption: Vec<String>,
        x: &str,
        y: &str,
        series: Vec<Series>,
    ) -> Chart {
        Chart {
            name: name.to_owned(),
            title: title.to_owned(),
            caption,
            x_label: x.to_owned(),
            y_label: y.to_owned(),
            x_scale: Scale::Linear,
            y_scale: Scale::Linear,
            panels: vec![Panel { title: String::new(), series }],
        }
    }

    /// The same chart with `panels` in place of its series.
    pub fn with_panels(mut self, panels: Vec<Panel>) -> Chart {
        self.panels = panels;
        self
    }

    /// The same chart with these axis scales.
    pub fn with_scales(mut self, x: Scale, y: Scale) -> Chart {
        self.x_scale = x;
        self.y_scale = y;
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
        draw::chart(self, BitMapBackend::new(&png, SIZE).into_drawing_area()).map_err(|e| fail(&png, e))?;
        draw::chart(self, SVGBackend::new(&svg, SIZE).into_drawing_area()).map_err(|e| fail(&svg, e))?;
        Ok([png, svg])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_font_parses() {
        assert!(plotters::style::register_font("test-font", FontStyle::Normal, FONT).is_ok());
    }
}
