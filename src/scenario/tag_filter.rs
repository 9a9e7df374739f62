//! `--tags`: a Cucumber tag expression (`@a and not (@b or @c)`), checked before it is parsed
//! (the parser recurses, so depth and size are bounded first) and against the documented tags
//! (so a typo cannot silently select nothing).

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;

use super::suite::{SuiteError, known_tag};

/// How deep a `--tags` expression may nest (parentheses and `not`s): far beyond any real
/// selection, and far below what would overflow the stack of the recursive parser and of
/// every walk over the parsed tree.
pub const MAX_TAG_DEPTH: usize = 32;
/// How many tags a `--tags` expression may name: a chain of `or`s is a tree as deep as it is
/// long.
pub const MAX_TAG_TERMS: usize = 256;

/// A parsed `--tags` expression (Cucumber tag expression syntax: `@a and not (@b or @c)`).
#[derive(Clone, Debug)]
pub struct TagFilter {
    expression: String,
    operation: TagOperation,
}

impl TagFilter {
    /// Parses `expression`, refusing tags outside the documented list so a typo cannot
    /// silently select nothing.
    ///
    /// # Errors
    /// [`SuiteError::TagExpression`].
    pub fn parse(expression: &str) -> Result<TagFilter, SuiteError> {
        let error =
            |message: String| SuiteError::TagExpression { expression: expression.to_owned(), message };
        check_tag_size(expression).map_err(error)?;
        let operation: TagOperation = expression.parse().map_err(|e| error(format!("{e}")))?;
        let mut tags = Vec::new();
        collect_tags(&operation, &mut tags);
        if let Some(bad) = tags.iter().find(|t| !known_tag(t)) {
            return Err(error(format!("unknown tag @{bad}")));
        }
        Ok(TagFilter { expression: expression.to_owned(), operation })
    }

    /// Whether a scenario with these tags is selected.
    pub fn matches(&self, tags: &[String]) -> bool {
        self.operation.eval(tags.iter())
    }

    /// The expression as given.
    pub fn expression(&self) -> &str {
        &self.expression
    }
}

/// Refuses expressions nested deeper than [`MAX_TAG_DEPTH`] or naming more than
/// [`MAX_TAG_TERMS`] tags, before the recursive parser sees them. Counts lexically, so it
/// cannot overflow itself: `(` and `not` open a level, `)` closes the levels opened since its
/// `(` (a `not` lasts until the end of its operand, which is never later than that).
fn check_tag_size(expression: &str) -> Result<(), String> {
    // Levels open: one entry per `(`, holding the `not`s opened inside it so far.
    let mut open: Vec<usize> = vec![0];
    let mut depth = 0usize;
    let mut terms = 0usize;
    let mut escaped = false;
    let mut word = String::new();
    for (index, c) in expression.chars().chain(std::iter::once(' ')).enumerate() {
        let column = index + 1;
        if escaped {
            escaped = false;
            word.push(c);
            continue;
        }
        if c == '\\' {
            escaped = true;
            word.push(c);
            continue;
        }
        if c.is_whitespace() || c == '(' || c == ')' {
            if word == "not" {
                depth += 1;
                if let Some(nots) = open.last_mut() {
                    *nots += 1;
                }
            } else if word.starts_with('@') {
                terms += 1;
                // A `not` ends with the tag it negates (unless it negates a parenthesis).
                if let Some(nots) = open.last_mut() {
                    depth -= *nots;
                    *nots = 0;
                }
            }
            word.clear();
        } else {
            word.push(c);
        }
        match c {
            '(' => {
                depth += 1;
                open.push(0);
            }
            // An unbalanced `)` is left for the parser to report.
            ')' if open.len() > 1 => {
                let nots = open.pop().unwrap_or(0);
                depth = depth.saturating_sub(nots + 1);
                // A `not` before the parenthesis ends with it.
                if let Some(outer) = open.last_mut() {
                    depth -= *outer;
                    *outer = 0;
                }
            }
            _ => {}
        }
        if depth > MAX_TAG_DEPTH {
            return Err(format!("nested more than {MAX_TAG_DEPTH} deep at column {column}"));
        }
        if terms > MAX_TAG_TERMS {
            return Err(format!("more than {MAX_TAG_TERMS} tags (at column {column})"));
        }
    }
    Ok(())
}

fn collect_tags(op: &TagOperation, out: &mut Vec<String>) {
    match op {
        TagOperation::And(a, b) | TagOperation::Or(a, b) => {
            collect_tags(a, out);
            collect_tags(b, out);
        }
        TagOperation::Not(a) => collect_tags(a, out),
        TagOperation::Tag(t) => out.push(t.trim_start_matches('@').to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_expressions_select_and_reject_unknown_tags() {
        let filter = TagFilter::parse("@area.window and not @needs.sms").unwrap();
        assert!(filter.matches(&["area.window".into()]));
        assert!(!filter.matches(&["area.window".into(), "needs.sms".into()]));
        assert!(TagFilter::parse("@area.windw").unwrap_err().to_string().contains("unknown tag @area.windw"));
        assert!(TagFilter::parse("@area.window and").is_err());
    }

    #[test]
    fn a_not_ends_with_its_operand_so_long_flat_expressions_pass() {
        let flat = vec!["not @area.replay"; 40].join(" and ");
        assert!(TagFilter::parse(&flat).is_ok());
        let grouped = vec!["not (@area.replay or not @area.sms)"; 40].join(" and ");
        assert!(TagFilter::parse(&grouped).is_ok());
        let nested = format!("{}@area.replay{}", "not (".repeat(17), ")".repeat(17));
        assert!(TagFilter::parse(&nested).unwrap_err().to_string().contains("nested more than 32 deep"));
    }
}
