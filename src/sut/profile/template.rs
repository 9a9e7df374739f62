//! `{{variable}}` templates and `${ENV}` expansion: the only two kinds of substitution a profile
//! has, so a profile stays data and never code.

use std::collections::BTreeMap;

/// A parsed template: literal text and variable references, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(String),
}

/// Where [`Template::render`] looks variables up. Returns `None` for an unset variable.
pub trait Lookup {
    /// The value of `name`, if set.
    fn value(&self, name: &str) -> Option<String>;
}

impl Lookup for BTreeMap<String, String> {
    fn value(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl Template {
    /// Parses `text`. Variable names are letters, digits, `_` and `.`.
    ///
    /// # Errors
    /// A message saying what is wrong (an unclosed `{{`, an empty or malformed name).
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                return Err(format!("unclosed \"{{{{\" in {text:?}"));
            };
            let name = after[..close].trim();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                return Err(format!("bad variable name {name:?} in {text:?}"));
            }
            parts.push(Part::Var(name.to_owned()));
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(Template { parts })
    }

    /// The variables the template uses, in order of appearance.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(name) => Some(name.as_str()),
            Part::Text(_) => None,
        })
    }

    /// The text with every variable replaced.
    ///
    /// # Errors
    /// The name of the first variable `lookup` does not know.
    pub fn render(&self, lookup: &dyn Lookup) -> Result<String, String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(name) => out.push_str(&lookup.value(name).ok_or_else(|| name.clone())?),
            }
        }
        Ok(out)
    }
}

/// Expands `${NAME}` and `${NAME:-default}` from `env` (the process environment in practice,
/// passed in so tests do not depend on it).
///
/// # Errors
/// A message naming an unset variable without a default, or an unclosed `${`.
pub fn expand_env(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("${") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find('}') else {
            return Err(format!("unclosed \"${{\" in {text:?}"));
        };
        let inner = &after[..close];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        match env(name).filter(|v| !v.is_empty()).or_else(|| default.map(str::to_owned)) {
            Some(value) => out.push_str(&value),
            None => return Err(format!("environment variable {name} is not set and has no default")),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_replaced_and_text_kept() {
        let t = Template::parse("/token/{{serial}}?u={{ user }}").unwrap();
        let vars: BTreeMap<String, String> =
            [("serial".to_owned(), "S1".to_owned()), ("user".to_owned(), "alice".to_owned())].into();
        assert_eq!(t.render(&vars).unwrap(), "/token/S1?u=alice");
        assert_eq!(t.variables().collect::<Vec<_>>(), ["serial", "user"]);
    }

    #[test]
    fn an_unset_variable_is_named() {
        let t = Template::parse("{{a}}{{b}}").unwrap();
        let vars: BTreeMap<String, String> = [("a".to_owned(), "1".to_owned())].into();
        assert_eq!(t.render(&vars).unwrap_err(), "b");
    }

    #[test]
    fn malformed_templates_are_refused() {
        assert!(Template::parse("x {{open").unwrap_err().contains("unclosed"));
        assert!(Template::parse("{{}}").unwrap_err().contains("bad variable"));
        assert!(Template::parse("{{a b}}").unwrap_err().contains("bad variable"));
    }

    #[test]
    fn environment_defaults_apply_only_when_unset() {
        let env = |name: &str| (name == "SET").then(|| "value".to_owned());
        assert_eq!(expand_env("${SET:-d}/${UNSET:-d}", &env).unwrap(), "value/d");
        assert!(expand_env("${UNSET}", &env).unwrap_err().contains("UNSET"));
        assert!(expand_env("${SET", &env).unwrap_err().contains("unclosed"));
    }
}
