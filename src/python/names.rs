//! Where a Python file writes the names navigation and rename move (container, volume and
//! PodTemplate names, which Kubernetes links by string): the text of a string literal between
//! its quotes, and the identifiers that stand for a module constant's string.
//!
//! Identifiers themselves are the type checker's to rename; this module only says where the
//! string is and where it is used, so that a rename rewrites the literal once and keeps the
//! quotes the user chose.

use std::ops::Range;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};

use super::{range_of, Resolved, Resolver};

/// The range of a string literal's text between its quotes, when the literal at `span` is one
/// plain part (`"main"`, `'main'`, `"""main"""`, `r"main"`) whose text is its value: no escape,
/// no implicit concatenation, no bytes or f-string. `None` otherwise, so that a rename never
/// rewrites a literal it cannot rewrite exactly.
pub fn string_content(source: &str, span: Range<usize>) -> Option<Range<usize>> {
    let text = source.get(span.clone())?;
    let prefix = text.len() - text.trim_start_matches(['r', 'R', 'u', 'U']).len();
    if prefix > 1 {
        return None;
    }
    let quoted = &text[prefix..];
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| quoted.starts_with(q))?;
    let inner = quoted
        .strip_prefix(quote)?
        .strip_suffix(quote)
        .filter(|_| quoted.len() >= 2 * quote.len())?;
    let q = quote.chars().next()?;
    if inner.contains(['\\', q, '\n', '\r']) {
        return None;
    }
    let start = span.start + prefix + quote.len();
    Some(start..start + inner.len())
}

/// Every identifier of the module, read as a value (not assigned), that stands for a string
/// literal (a module constant, `MAIN = "main"`, or an alias of one): the identifier's range and
/// the literal's, in source order.
pub fn constant_uses(source: &str) -> Vec<(Range<usize>, Range<usize>)> {
    let parsed = super::parse(source);
    let resolver = Resolver::new(&parsed.module);
    if !resolver.is_relevant() {
        return Vec::new();
    }
    let mut finder = Uses {
        resolver: &resolver,
        found: Vec::new(),
    };
    for stmt in &parsed.module.body {
        finder.visit_stmt(stmt);
    }
    finder.found
}

/// What kind of name a Python file defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defines {
    Container,
    Volume,
}

/// A container or volume name a Python file defines: a `V1Container(name=...)` or
/// `V1Volume(name=...)` call anywhere in the module (a module constant of a shared module
/// included), whose name is a string literal or a constant bound to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defined {
    pub kind: Defines,
    pub name: String,
    /// The string literal's range (quotes included).
    pub literal: Range<usize>,
}

/// Every container and volume name `text` defines; nothing for a file that imports neither
/// flyte, flytekit nor kubernetes.
pub fn defined_names(text: &str) -> Vec<Defined> {
    let parsed = super::parse(text);
    let resolver = Resolver::new(&parsed.module);
    defined_in(&parsed.module, &resolver)
}

/// [`defined_names`] of a module already parsed and resolved.
pub(super) fn defined_in<'m>(module: &'m ast::ModModule, resolver: &Resolver<'m>) -> Vec<Defined> {
    if !resolver.is_relevant() {
        return Vec::new();
    }
    let mut finder = Definitions {
        resolver,
        found: Vec::new(),
    };
    for stmt in &module.body {
        finder.visit_stmt(stmt);
    }
    finder.found
}

struct Definitions<'r, 'm> {
    resolver: &'r Resolver<'m>,
    found: Vec<Defined>,
}

impl<'m> Visitor<'m> for Definitions<'_, 'm> {
    fn visit_expr(&mut self, expr: &'m Expr) {
        if let Expr::Call(call) = expr {
            let kind = match self.resolver.callee(call).as_deref() {
                Some("kubernetes.client.V1Container") => Some(Defines::Container),
                Some("kubernetes.client.V1Volume") => Some(Defines::Volume),
                _ => None,
            };
            let name = call
                .arguments
                .keywords
                .iter()
                .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "name"));
            if let (Some(kind), Some(name)) = (kind, name) {
                let value = match &name.value {
                    literal @ Expr::StringLiteral(_) => Some(literal),
                    other => match self.resolver.resolve(other) {
                        Resolved::Value(literal @ Expr::StringLiteral(_)) => Some(literal),
                        _ => None,
                    },
                };
                if let Some(literal @ Expr::StringLiteral(s)) = value {
                    self.found.push(Defined {
                        kind,
                        name: s.value.to_str().to_string(),
                        literal: range_of(literal),
                    });
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}

struct Uses<'r, 'm> {
    resolver: &'r Resolver<'m>,
    found: Vec<(Range<usize>, Range<usize>)>,
}

impl<'m> Visitor<'m> for Uses<'_, 'm> {
    fn visit_expr(&mut self, expr: &'m Expr) {
        if let Expr::Name(name) = expr {
            if name.ctx == ast::ExprContext::Load {
                if let Resolved::Value(value @ Expr::StringLiteral(_)) = self.resolver.resolve(expr)
                {
                    self.found.push((range_of(expr), range_of(value)));
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(text: &str) -> Option<&str> {
        string_content(text, 0..text.len()).map(|r| &text[r])
    }

    #[test]
    fn the_text_between_the_quotes_of_a_plain_literal() {
        assert_eq!(content("\"main\""), Some("main"));
        assert_eq!(content("'main'"), Some("main"));
        assert_eq!(content("\"\"\"main\"\"\""), Some("main"));
        assert_eq!(content("r'main'"), Some("main"));
        assert_eq!(content("\"\""), Some(""));
        assert_eq!(content("\"ma\" \"in\""), None, "two parts");
        assert_eq!(content("\"ma\\x69n\""), None, "an escape");
        assert_eq!(content("b\"main\""), None);
        assert_eq!(content("f\"main\""), None);
        assert_eq!(content("\""), None);
        assert_eq!(content("main"), None);
    }

    #[test]
    fn identifiers_that_stand_for_a_string_constant() {
        let text = "import flyte\nMAIN = \"main\"\nOTHER = MAIN\nx = flyte.PodTemplate(primary_container_name=OTHER)\ndef f(MAIN):\n    return MAIN\n";
        let uses = constant_uses(text);
        let shown: Vec<(&str, &str)> = uses
            .iter()
            .map(|(u, l)| (&text[u.clone()], &text[l.clone()]))
            .collect();
        // The parameter shadows the constant; the assignment targets are not uses.
        assert_eq!(shown, [("MAIN", "\"main\""), ("OTHER", "\"main\"")]);
        assert!(constant_uses("MAIN = \"main\"\nx = MAIN\n").is_empty());
    }

    #[test]
    fn containers_and_volumes_a_module_defines() {
        let text = "from kubernetes import client as k8s\nNAME = 'worker'\nWORKER = k8s.V1Container(name=NAME, image='x')\nDATA = k8s.V1Volume(name=\"data\")\nother = k8s.V1Container(name=f'{NAME}-2')\n";
        let found: Vec<(Defines, String, &str)> = defined_names(text)
            .into_iter()
            .map(|d| (d.kind, d.name, &text[d.literal]))
            .collect();
        assert_eq!(
            found,
            [
                (Defines::Container, "worker".to_string(), "'worker'"),
                (Defines::Volume, "data".to_string(), "\"data\""),
            ]
        );
        assert!(defined_names("V1Container = dict\nx = V1Container(name='a')\n").is_empty());
    }
}
