//! Drawing a [`Chart`] with plotters: the layout (title, panels side by side, a legend column,
//! caption lines), the axes (linear, or logarithmic through a log10 transform with ticks at
//! 1, 2 and 5 times powers of ten), then per panel bands and error bars, lines, and markers on
//! top.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{Chart, Line, Marker, Panel, Point, SIZE, Scale, Series, Style};

/// The Okabe–Ito colour-blind-safe palette without its yellow (too pale on white).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];
/// At most this many markers on one line; denser lines mark every n-th point.
const MARKERS_PER_LINE: usize = 12;
const CAPTION_LINE: i32 = 19;
const LEGEND_LINE: i32 = 24;

type Result<T> = std::result::Result<T, String>;

/// Evaluates `$draw` with `$e` bound to the element of marker `$m` centred `$dx` pixels right
/// of `$at` (data or pixel coordinates), filled or hollow. A macro because each shape is its
/// own element type and plotters draws only concrete (or `'static`) elements.
macro_rules! with_marker {
    ($m:expr, $at:expr, $dx:expr, $color:expr, $filled:expr, |$e:ident| $draw:expr) => {{
        let stroke = $color.stroke_width(2);
        let style = if $filled { $color.filled() } else { stroke };
        let origin = EmptyElement::at($at);
        let dx: i32 = $dx;
        let diamond = vec![(dx, -7), (dx + 7, 0), (dx, 7), (dx - 7, 0), (dx, -7)];
        let triangle = vec![(dx, -7), (dx + 7, 5), (dx - 7, 5), (dx, -7)];
        match ($m, $filled) {
            (Marker::None, _) => {}
            (Marker::Circle, _) => {
                let $e = origin + Circle::new((dx, 0), 5, style);
                $draw
            }
            (Marker::Triangle, true) => {
                let $e = origin + Polygon::new(triangle, style);
                $draw
            }
            (Marker::Triangle, false) => {
                let $e = origin + PathElement::new(triangle, stroke);
                $draw
            }
            (Marker::Square, _) => {
                let $e = origin + Rectangle::new([(dx - 5, -5), (dx + 5, 5)], style);
                $draw
            }
            (Marker::Diamond, true) => {
                let $e = origin + Polygon::new(diamond, style);
                $draw
            }
            (Marker::Diamond, false) => {
                let $e = origin + PathElement::new(diamond, stroke);
                $draw
            }
            (Marker::Cross, _) => {
                let $e = origin
                    + PathElement::new(vec![(dx - 5, -5), (dx + 5, 5)], stroke)
                    + PathElement::new(vec![(dx - 5, 5), (dx + 5, -5)], stroke);
                $draw
            }
        }
    }};
}

pub(super) fn chart<DB: DrawingBackend>(c: &Chart, root: DrawingArea<DB, Shift>) -> Result<()> {
    root.fill(&WHITE).map_err(text)?;
    let foot = 14 + CAPTION_LINE * c.caption.len() as i32;
    let (body, foot_area) = root.split_vertically(SIZE.1 as i32 - foot);
    let caption_font = ("sans-serif", 14).into_font().color(&BLACK.mix(0.8));
    for (i, line) in c.caption.iter().enumerate() {
        foot_area.draw_text(line, &caption_font, (20, 4 + CAPTION_LINE * i as i32)).map_err(text)?;
    }
    let body = body.titled(&c.title, ("sans-serif", 24)).map_err(text)?;
    let entries = legend_entries(c);
    let longest = entries.iter().map(|(name, _)| name.chars().count()).max().unwrap_or(0);
    let legend_width = (64 + 8 * longest as i32).clamp(150, 400);
    let (plots, legend) = body.split_horizontally(SIZE.0 as i32 - legend_width);
    draw_legend(&legend, &entries)?;
    let x = Axis::new(c.x_scale, c, true, |p| vec![p.x]);
    let y = Axis::new(c.y_scale, c, false, y_values);
    let areas = plots.split_evenly((1, c.panels.len().max(1)));
    for (k, (panel, area)) in c.panels.iter().zip(&areas).enumerate() {
        draw_panel(c, panel, area, (&x, &y), k == 0)?;
    }
    root.present().map_err(text)
}

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn y_values(p: &Point) -> Vec<f64> {
    let mut v = vec![p.y];
    v.extend(p.interval.map(|(lo, hi)| [lo, hi]).into_iter().flatten());
    v
}

/// One axis in drawing units (log10 of the value on a log axis), with its ticks: a plotters
/// coordinate that labels its ticks in the axis' units.
#[derive(Clone)]
struct Axis {
    scale: Scale,
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    light: Vec<f64>,
}

impl Axis {
    /// The range covering every value `values` takes from the chart's points.
    fn new(scale: Scale, c: &Chart, tight: bool, values: impl Fn(&Point) -> Vec<f64>) -> Axis {
        let all: Vec<f64> = c
            .panels
            .iter()
            .flat_map(|p| &p.series)
            .flat_map(|s| &s.points)
            .flat_map(values)
            .filter(|v| v.is_finite())
            .collect();
        match scale {
            Scale::Linear => Axis::linear(&all),
            Scale::Log => Axis::log(&all, tight),
        }
    }

    fn linear(values: &[f64]) -> Axis {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo > hi {
            (0.0, 1.0)
        } else if hi - lo < 1e-9 {
            (lo - 1.0, hi + 1.0)
        } else {
            let pad = (hi - lo) * 0.04;
            (if lo >= 0.0 { (lo - pad).max(0.0) } else { lo - pad }, hi + pad)
        };
        let coord = RangedCoordf64::from(lo..hi);
        Axis {
            scale: Scale::Linear,
            lo,
            hi,
            ticks: coord.key_points(9usize),
            light: coord.key_points(45usize),
        }
    }

    /// A log axis: whole decades, with room at the bottom for values that are zero; or,
    /// `tight`, just the data's range (an x axis of a few chosen values).
    fn log(values: &[f64], tight: bool) -> Axis {
        let positive: Vec<f64> = values.iter().copied().filter(|v| *v > 0.0).map(f64::log10).collect();
        let has_zero = values.iter().any(|v| *v <= 0.0);
        let min = positive.iter().copied().fold(f64::INFINITY, f64::min);
        let max = positive.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mut lo, mut hi) = if min > max {
            (-3.0, 0.0)
        } else if tight {
            let pad = ((max - min) * 0.05).max(0.05);
            (min - pad, max + pad)
        } else {
            (min.floor(), max.ceil())
        };
        if hi <= lo {
            hi = lo + 1.0;
        }
        if has_zero {
            // Room below the smallest decade for the values that are zero.
            lo -= 0.35;
        }
        let multiples: &[f64] = if hi - lo < 3.5 { &[1.0, 2.0, 5.0] } else { &[1.0] };
        let at = |d: i32, m: f64| (m * 10f64.powi(d)).log10();
        let inside = |v: &f64| (lo - 1e-9..=hi + 1e-9).contains(v);
        let decades = (lo.floor() as i32)..=(hi.ceil() as i32);
        let ticks =
            decades.clone().flat_map(|d| multiples.iter().map(move |&m| at(d, m))).filter(inside).collect();
        let light = decades.flat_map(|d| (1..10).map(move |m| at(d, f64::from(m)))).filter(inside).collect();
        Axis { scale: Scale::Log, lo, hi, ticks, light }
    }

    /// A value in drawing units; on a log axis values at or below zero go to the bottom edge.
    fn place(&self, v: f64) -> f64 {
        match self.scale {
            Scale::Linear => v,
            Scale::Log if v > 0.0 => v.log10().max(self.lo),
            Scale::Log => self.lo,
        }
    }

    /// Whether `v` is drawn on the bottom edge because a log axis cannot show it.
    fn off_scale(&self, v: f64) -> bool {
        self.scale == Scale::Log && v <= 0.0
    }

    fn label(&self, at: f64) -> String {
        match self.scale {
            Scale::Linear => number(at),
            Scale::Log => number(10f64.powf(at)),
        }
    }
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        RangedCoordf64::from(self.lo..self.hi).map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { self.light.clone() } else { self.ticks.clone() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, value: &f64) -> String {
        self.label(*value)
    }
}

/// A tick label: as few decimals as the value needs (`100`, `2.5`, `0.001`).
fn number(v: f64) -> String {
    let text = if v.abs() >= 1.0 || v == 0.0 {
        format!("{v:.2}")
    } else {
        let decimals = (-v.abs().log10()).ceil() as usize + 1;
        format!("{v:.decimals$}")
    };
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
}

fn draw_panel<DB: DrawingBackend>(
    c: &Chart,
    panel: &Panel,
    area: &DrawingArea<DB, Shift>,
    (x, y): (&Axis, &Axis),
    first: bool,
) -> Result<()> {
    let mut builder = ChartBuilder::on(area);
    builder.margin(12).x_label_area_size(48).y_label_area_size(if first { 78 } else { 58 });
    if !panel.title.is_empty() {
        builder.caption(&panel.title, ("sans-serif", 17));
    }
    let mut chart = builder.build_cartesian_2d(x.clone(), y.clone()).map_err(text)?;
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(&c.x_label)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .light_line_style(BLACK.mix(0.05));
    if first {
        mesh.y_desc(&c.y_label);
    }
    mesh.draw().map_err(text)?;
    let place = |p: &Point| (x.place(p.x), y.place(p.y));
    // Point-only series at the same x stand side by side, `dodge` pixels apart.
    let points_only: Vec<usize> =
        panel.series.iter().enumerate().filter(|(_, s)| s.style.line == Line::None).map(|(i, _)| i).collect();
    let dodge = |i: usize| {
        let n = points_only.len() as i32;
        points_only.iter().position(|&k| k == i).map(|k| 4 * (2 * k as i32 - (n - 1)))
    };
    for (i, s) in panel.series.iter().enumerate() {
        let color = PALETTE[s.style.color % PALETTE.len()];
        let spans: Vec<(f64, f64, f64)> = s
            .points
            .iter()
            .filter_map(|p| p.interval.map(|(lo, hi)| (x.place(p.x), y.place(lo), y.place(hi))))
            .collect();
        if let Some(dx) = dodge(i) {
            for &(px, lo, hi) in &spans {
                let h = chart.backend_coord(&(px, lo)).1 - chart.backend_coord(&(px, hi)).1;
                let path = vec![(dx - 5, 0), (dx + 5, 0), (dx, 0), (dx, h), (dx - 5, h), (dx + 5, h)];
                let bar = EmptyElement::at((px, hi)) + PathElement::new(path, color.stroke_width(2));
                chart.draw_series(std::iter::once(bar)).map_err(text)?;
            }
        } else if spans.len() > 1 {
            let band: Vec<(f64, f64)> = spans
                .iter()
                .map(|&(px, _, hi)| (px, hi))
                .chain(spans.iter().rev().map(|&(px, lo, _)| (px, lo)))
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(band, color.mix(0.12)))).map_err(text)?;
        }
    }
    for s in &panel.series {
        let style = PALETTE[s.style.color % PALETTE.len()].stroke_width(2);
        let points = s.points.iter().map(place);
        match s.style.line {
            Line::Solid => chart.draw_series(LineSeries::new(points, style)).map(drop),
            Line::Dashed => chart.draw_series(DashedLineSeries::new(points, 9, 6, style)).map(drop),
            Line::None => Ok(()),
        }
        .map_err(text)?;
    }
    // Markers on lines that would cover one already drawn move sideways (0, +9, -9, +18, ...
    // pixels); markers of point-only series take their dodge.
    let mut drawn: Vec<(i32, i32)> = Vec::new();
    for (ordinal, s) in panel.series.iter().enumerate().filter(|(_, s)| s.style.marker != Marker::None) {
        let color = PALETTE[s.style.color % PALETTE.len()];
        for p in marked(s, ordinal) {
            let (px, py) = chart.backend_coord(&place(p));
            let dx = dodge(ordinal).unwrap_or_else(|| {
                let covered =
                    drawn.iter().filter(|(dx, dy)| (dx - px).abs() < 8 && (dy - py).abs() < 8).count() as i32;
                9 * ((covered + 1) / 2) * if covered % 2 == 1 { 1 } else { -1 }
            });
            drawn.push((px + dx, py));
            let hollow = y.off_scale(p.y);
            if hollow {
                // White inside, so a line running through does not fill it.
                with_marker!(s.style.marker, place(p), dx, WHITE, true, |e| {
                    chart.draw_series(std::iter::once(e)).map_err(text)?;
                });
            }
            with_marker!(s.style.marker, place(p), dx, color, !hollow, |e| {
                chart.draw_series(std::iter::once(e)).map_err(text)?;
            });
        }
    }
    Ok(())
}

/// The points of `s` that get a marker: all of a sparse series; on a dense line every n-th,
/// starting at the series' ordinal, so coinciding lines show alternating markers.
fn marked(s: &Series, ordinal: usize) -> impl Iterator<Item = &Point> {
    let every = if s.style.line == Line::None { 1 } else { s.points.len().div_ceil(MARKERS_PER_LINE).max(1) };
    s.points.iter().enumerate().filter(move |(i, _)| i % every == ordinal % every).map(|(_, p)| p)
}

/// One legend entry per distinct (name, style), in order of first appearance.
fn legend_entries(c: &Chart) -> Vec<(String, Style)> {
    let mut entries: Vec<(String, Style)> = Vec::new();
    for s in c.panels.iter().flat_map(|p| &p.series) {
        if !entries.iter().any(|(n, st)| *n == s.name && *st == s.style) {
            entries.push((s.name.clone(), s.style));
        }
    }
    entries
}

fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[(String, Style)]) -> Result<()> {
    let font = TextStyle::from(("sans-serif", 14).into_font());
    for (i, (name, style)) in entries.iter().enumerate() {
        let y = 40 + LEGEND_LINE * i as i32;
        let color = PALETTE[style.color % PALETTE.len()];
        let stroke = color.stroke_width(2);
        match style.line {
            Line::Solid => area.draw(&PathElement::new(vec![(6, y), (46, y)], stroke)).map_err(text)?,
            Line::Dashed => {
                for x0 in [6, 21, 36] {
                    area.draw(&PathElement::new(vec![(x0, y), (x0 + 9, y)], stroke)).map_err(text)?;
                }
            }
            Line::None => {}
        }
        with_marker!(style.marker, (26, y), 0, color, true, |e| area.draw(&e).map_err(text)?);
        area.draw_text(name, &font, (56, y - 8)).map_err(text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, ys: &[f64]) -> Series {
        let style = Style { color: 0, marker: Marker::Circle, line: Line::Solid };
        let points = ys.iter().enumerate().map(|(i, &y)| Point { x: i as f64, y, interval: None }).collect();
        Series { name: name.to_owned(), style, points }
    }

    #[test]
    fn identical_dense_lines_carry_markers_at_different_points() {
        let flat = [100.0; 60];
        let (a, b) = (series("a", &flat), series("b", &flat));
        let at = |s: &Series, k| marked(s, k).map(|p| p.x as usize).collect::<Vec<_>>();
        let (first, second) = (at(&a, 0), at(&b, 1));
        assert!(first.len() <= MARKERS_PER_LINE && !first.is_empty());
        assert!(first.iter().all(|x| !second.contains(x)), "{first:?} vs {second:?}");
        assert_eq!(at(&series("sparse", &[1.0, 2.0, 3.0]), 4).len(), 3, "a sparse line marks every point");
    }

    #[test]
    fn log_axis_spans_decades_and_puts_zero_below_them() {
        let axis = Axis::log(&[0.0, 0.02, 3.0], false);
        assert_eq!((axis.hi, axis.lo.ceil()), (1.0, -2.0));
        assert!(axis.place(0.0) < (0.01f64).log10(), "zero sits below the lowest decade");
        assert!(axis.off_scale(0.0) && !axis.off_scale(0.02));
        let labels: Vec<String> = axis.ticks.iter().map(|&t| axis.label(t)).collect();
        assert!(labels.contains(&"0.01".to_owned()) && labels.contains(&"10".to_owned()), "{labels:?}");
    }

    #[test]
    fn tick_labels_use_as_few_decimals_as_needed() {
        assert_eq!([100.0, 2.5, 0.001, 0.05, 0.0].map(number), ["100", "2.5", "0.001", "0.05", "0"]);
    }
}
