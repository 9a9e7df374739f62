//! The grading table and the grade card. The rules are data (`grading.toml`, built in), and
//! `docs/grading.md` shows [`GradingTable::markdown`] of the same file, so the documentation
//! and the grades cannot disagree.
//!
//! Each rule caps an area's grade when a measured figure crosses a line. An area starts at A
//! and takes its lowest cap; the overall grade is the lowest area's. A rule whose figure was
//! not measured cannot lower anything, so the grade is then only an upper bound ("at best"),
//! and an area none of whose graded figures was measured gets no grade at all.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::figure;
use super::report::{Measured, ProbeReport};

/// The built-in table.
pub const TABLE: &str = include_str!("grading.toml");

/// A grade, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// Within every published bound.
    A,
    /// A weakness with a usability or cost side, or slightly past a recommendation.
    B,
    /// A real weakness.
    C,
    /// A serious weakness.
    D,
    /// A requirement broken outright.
    F,
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Why the table cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("grading table: {0}")]
pub struct GradingError(String);

/// An area of the grade card.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaSpec {
    /// `window`, `lockout`, ...
    pub id: String,
    /// Words for the card.
    pub title: String,
}

/// A published bound.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// `nist-5.2.2`.
    pub id: String,
    /// `NIST SP 800-63B §5.2.2`.
    pub name: String,
    /// Where to read it.
    pub url: String,
    /// What it says, paraphrased.
    pub says: String,
}

/// A measured figure and the bound shown next to it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    /// `lockout.threshold`: how the code reads it.
    pub id: String,
    /// The area it belongs to.
    pub area: String,
    /// Words for reports.
    pub label: String,
    /// The published bound, in words.
    pub bound: String,
    /// Where the bound comes from.
    pub sources: Vec<String>,
}

/// A grade cap.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The figure it looks at.
    pub figure: String,
    /// When it applies.
    pub when: Condition,
    /// The best grade the area can have then.
    pub cap: Grade,
    /// Why, in words.
    pub why: String,
    /// The bounds behind it.
    pub sources: Vec<String>,
}

/// `> 100`, `== 0`: a comparison of a figure's value with a number.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(try_from = "String")]
pub struct Condition {
    op: Op,
    value: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Less,
    AtMost,
    Equal,
    AtLeast,
    More,
}

const OPS: [(&str, Op); 5] =
    [("<=", Op::AtMost), (">=", Op::AtLeast), ("==", Op::Equal), ("<", Op::Less), (">", Op::More)];

impl Condition {
    /// Whether `value` satisfies the condition.
    pub fn holds(self, value: f64) -> bool {
        match self.op {
            Op::Less => value < self.value,
            Op::AtMost => value <= self.value,
            Op::Equal => value == self.value,
            Op::AtLeast => value >= self.value,
            Op::More => value > self.value,
        }
    }
}

impl FromStr for Condition {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (symbol, op) = OPS
            .iter()
            .find(|(symbol, _)| text.starts_with(symbol))
            .ok_or_else(|| format!("condition {text:?}: expected <, <=, ==, >= or > and a number"))?;
        let value = text[symbol.len()..]
            .trim()
            .parse()
            .map_err(|_| format!("condition {text:?}: expected a number after {symbol}"))?;
        Ok(Condition { op: *op, value })
    }
}

impl TryFrom<String> for Condition {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let symbol = OPS.iter().find(|(_, op)| *op == self.op).map_or("?", |(s, _)| s);
        write!(f, "{symbol} {}", self.value)
    }
}

/// The whole table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradingTable {
    /// Areas, in card order.
    pub area: Vec<AreaSpec>,
    /// Published bounds.
    pub source: Vec<Source>,
    /// Figures, in report order.
    pub figure: Vec<FigureSpec>,
    /// Grade caps.
    pub rule: Vec<Rule>,
}

impl GradingTable {
    /// The built-in table, parsed once.
    ///
    /// # Errors
    /// Only if the built-in file is broken, which the test suite rules out.
    pub fn builtin() -> Result<&'static GradingTable, GradingError> {
        static TABLE_PARSED: OnceLock<Result<GradingTable, String>> = OnceLock::new();
        TABLE_PARSED
            .get_or_init(|| GradingTable::parse(TABLE).map_err(|e| e.0))
            .as_ref()
            .map_err(|e| GradingError(e.clone()))
    }

    /// Parses a table and checks that every id it refers to exists.
    ///
    /// # Errors
    /// [`GradingError`] naming the bad entry.
    pub fn parse(text: &str) -> Result<GradingTable, GradingError> {
        let table: GradingTable = toml::from_str(text).map_err(|e| GradingError(e.to_string()))?;
        let known_source = |id: &String| table.source.iter().any(|s| s.id == *id);
        for f in &table.figure {
            if !table.area.iter().any(|a| a.id == f.area) {
                return Err(GradingError(format!("figure {}: unknown area {:?}", f.id, f.area)));
            }
            if let Some(s) = f.sources.iter().find(|s| !known_source(s)) {
                return Err(GradingError(format!("figure {}: unknown source {s:?}", f.id)));
            }
        }
        for r in &table.rule {
            if !table.figure.iter().any(|f| f.id == r.figure) {
                return Err(GradingError(format!("rule on {:?}: no such figure", r.figure)));
            }
            if let Some(s) = r.sources.iter().find(|s| !known_source(s)) {
                return Err(GradingError(format!("rule on {}: unknown source {s:?}", r.figure)));
            }
        }
        Ok(table)
    }

    /// The figure spec for `id`.
    pub fn figure(&self, id: &str) -> Option<&FigureSpec> {
        self.figure.iter().find(|f| f.id == id)
    }

    /// Source names for ids, joined: `RFC 6238 §5.2; NIST SP 800-63B §5.2.2`.
    pub fn source_names(&self, ids: &[String]) -> String {
        let names: Vec<&str> = ids
            .iter()
            .filter_map(|id| self.source.iter().find(|s| s.id == *id))
            .map(|s| s.name.as_str())
            .collect();
        names.join("; ")
    }

    /// The rules, figures and sources as Markdown tables (what `docs/grading.md` shows).
    pub fn markdown(&self) -> String {
        let mut out =
            String::from("### Grading rules\n\n| area | figure | when | grade at most | why | sources |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for r in &self.rule {
            let area = self.figure(&r.figure).map_or("", |f| f.area.as_str());
            out.push_str(&format!(
                "| {area} | `{}` | {} | {} | {} | {} |\n",
                r.figure,
                r.when,
                r.cap,
                r.why,
                self.source_names(&r.sources)
            ));
        }
        out.push_str(
            "\n### Figures and published bounds\n\n| figure | area | what | published bound | sources |\n",
        );
        out.push_str("|---|---|---|---|---|\n");
        for f in &self.figure {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                f.id,
                f.area,
                f.label,
                f.bound,
                self.source_names(&f.sources)
            ));
        }
        out.push_str("\n### Sources\n\n| id | source | says | where |\n|---|---|---|---|\n");
        for s in &self.source {
            out.push_str(&format!("| `{}` | {} | {} | <{}> |\n", s.id, s.name, s.says, s.url));
        }
        out
    }
}

/// The grade card: one grade per area and one overall, each with the figures behind it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeCard {
    /// Areas, in card order.
    pub areas: Vec<AreaGrade>,
    /// The lowest area grade.
    pub overall: Option<Grade>,
    /// Whether every area was graded on every figure its rules need.
    pub complete: bool,
}

/// One area's grade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaGrade {
    /// The area id.
    pub area: String,
    /// The area's title.
    pub title: String,
    /// The grade; `None` when no figure its rules need was measured.
    pub grade: Option<Grade>,
    /// The rules that capped it, with the measured figure behind each.
    pub caps: Vec<Cap>,
    /// Figures the rules need that were not measured: the grade is then at best.
    pub unmeasured: Vec<Unmeasured>,
}

/// A figure a rule needs that has no value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmeasured {
    /// The figure id.
    pub figure: String,
    /// Why (`not measured: needs clock control`, `error: ...`).
    pub why: String,
}

impl AreaGrade {
    /// Whether every figure the area's rules need was measured.
    pub fn complete(&self) -> bool {
        self.grade.is_some() && self.unmeasured.is_empty()
    }
}

/// A rule that applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cap {
    /// The figure id.
    pub figure: String,
    /// The measured figure, in words.
    pub measured: String,
    /// The cap.
    pub cap: Grade,
    /// The rule's reason.
    pub why: String,
}

/// Grades `report` (its own `grades` field is ignored).
///
/// # Errors
/// A figure id in the table that the code cannot read.
pub fn grade(table: &GradingTable, report: &ProbeReport) -> Result<GradeCard, GradingError> {
    let mut areas = Vec::new();
    for area in &table.area {
        let (mut graded, mut caps, mut unmeasured) = (false, Vec::new(), Vec::new());
        for f in table.figure.iter().filter(|f| f.area == area.id) {
            let rules: Vec<&Rule> = table.rule.iter().filter(|r| r.figure == f.id).collect();
            let reading = figure::read(report, &f.id)
                .ok_or_else(|| GradingError(format!("figure {}: the probe has no such figure", f.id)))?;
            match reading {
                Measured::Measured { value } => {
                    graded |= !rules.is_empty();
                    caps.extend(rules.iter().filter(|r| r.when.holds(value.value)).map(|r| Cap {
                        figure: f.id.clone(),
                        measured: value.text.clone(),
                        cap: r.cap,
                        why: r.why.clone(),
                    }));
                }
                other if !rules.is_empty() => {
                    unmeasured
                        .push(Unmeasured { figure: f.id.clone(), why: other.missing().unwrap_or_default() });
                }
                _ => {}
            }
        }
        let grade = graded.then(|| caps.iter().map(|c| c.cap).max().unwrap_or(Grade::A));
        areas.push(AreaGrade { area: area.id.clone(), title: area.title.clone(), grade, caps, unmeasured });
    }
    let overall = areas.iter().filter_map(|a| a.grade).max();
    let complete = areas.iter().all(AreaGrade::complete);
    Ok(GradeCard { areas, overall, complete })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_parses_and_refers_only_to_known_ids() {
        let table = GradingTable::builtin().unwrap();
        assert!(table.rule.len() >= 20, "{}", table.rule.len());
        assert!(table.markdown().contains("| lockout | `lockout.threshold` | > 100 | F |"));
    }

    #[test]
    fn conditions_compare_and_print_as_written() {
        let c: Condition = "> 100".parse().unwrap();
        assert!(c.holds(101.0) && c.holds(f64::INFINITY) && !c.holds(100.0));
        assert_eq!(c.to_string(), "> 100");
        assert!("<= 3".parse::<Condition>().unwrap().holds(3.0));
        assert!("about 3".parse::<Condition>().is_err());
    }

    #[test]
    fn a_rule_on_an_unknown_figure_is_an_error() {
        let text = TABLE.replacen("figure = \"window.current\"\nwhen", "figure = \"window.curent\"\nwhen", 1);
        let err = GradingTable::parse(&text).unwrap_err().to_string();
        assert!(err.contains("window.curent"), "{err}");
    }
}
