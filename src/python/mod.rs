//! The Python front end's groundwork: parsing, import resolution, the kubernetes client's names.
//!
//! Flyte users write pod templates in Python far more often than in YAML
//! (`flyte.PodTemplate(pod_spec=V1PodSpec(...))`, flytekit's `PodTemplate`, the kubernetes
//! client's `V1*` models). This module reads such files without running them:
//! - [`parse`]: ruff's error-tolerant parser; a half-typed call keeps the statements above it.
//! - [`resolve`]: what a name or dotted expression means through the file's imports and its
//!   single, unconditional assignments (`k8s.V1Pod` → `kubernetes.client.V1Pod`); everything
//!   else is opaque. Constructs are never recognised by their bare name.
//! - [`k8s_names`]: the client's keyword → API field table (`host_ipc` → `hostIPC`).
//! - [`names`]: where a string name is written (between its quotes, or through a constant),
//!   for navigation and rename.
//!
//! Inputs are `&str` (invalid UTF-8 is handled by the caller); positions are byte offsets.

pub mod depth;
pub mod k8s_names;
mod lower;
pub mod names;
pub mod resolve;
mod sites;
mod write;

use std::ops::Range;

pub use resolve::{canonical_name, Frameworks, Resolved, Resolver};
pub use ruff_python_ast as ast;
pub use sites::PythonSites;
pub use write::PythonWriter;

use ruff_python_parser::{Mode, ParseOptions};
use ruff_text_size::{Ranged, TextRange};

/// A parsed Python module and the syntax errors the parser recovered from.
#[derive(Debug)]
pub struct ParsedModule {
    pub module: ast::ModModule,
    pub errors: Vec<SyntaxError>,
}

/// A syntax error with the byte range it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: Range<usize>,
    pub message: String,
}

/// Parses `text` as a module. Never fails: errors are recovered from (an unclosed call at the
/// end keeps every statement before it, and the call itself with the arguments read so far).
/// A file that nests more deeply than [`depth::MAX_DEPTH`] is read up to the line where that
/// happens, with an error from there on.
pub fn parse(text: &str) -> ParsedModule {
    let readable = depth::safe_prefix(text);
    let source = &text[..readable];
    let parsed = std::panic::catch_unwind(|| {
        ruff_python_parser::parse_unchecked(source, ParseOptions::from(Mode::Module))
    });
    let Ok(parsed) = parsed else {
        tracing::error!("the Python parser panicked; treating the file as empty");
        return ParsedModule {
            module: empty_module(text),
            errors: vec![SyntaxError {
                range: 0..text.len(),
                message: "internal error: the Python parser failed on this file".to_string(),
            }],
        };
    };
    let mut errors: Vec<SyntaxError> = parsed
        .errors()
        .iter()
        .map(|e| SyntaxError {
            range: byte_range(e.location),
            message: e.error.to_string(),
        })
        .collect();
    if readable < text.len() {
        let line_end = text[readable..]
            .find('\n')
            .map_or(text.len(), |i| readable + i);
        errors.push(SyntaxError {
            range: readable..line_end,
            message: format!(
                "nested more than {} levels deep: this line and the rest of the file are not read",
                depth::MAX_DEPTH
            ),
        });
    }
    let module = match parsed.into_syntax() {
        ast::Mod::Module(module) => module,
        ast::Mod::Expression(_) => empty_module(text),
    };
    ParsedModule { module, errors }
}

/// A ruff range as a byte range.
pub fn byte_range(range: TextRange) -> Range<usize> {
    range.start().to_usize()..range.end().to_usize()
}

/// The byte range of any node.
pub fn range_of(node: &impl Ranged) -> Range<usize> {
    byte_range(node.range())
}

fn empty_module(text: &str) -> ast::ModModule {
    ast::ModModule {
        node_index: ast::AtomicNodeIndex::NONE,
        range: TextRange::up_to(ruff_text_size::TextSize::try_from(text.len()).unwrap_or_default()),
        body: Default::default(),
    }
}

/// Reads a Python file into the neutral tree: one document per recognised construct (see
/// [`lower`]), none for a file that imports neither `flyte`, `flytekit` nor `kubernetes`.
/// Collections that a syntax error runs into are marked cut, so nothing is reported about
/// what the half-typed code has not said yet. Syntax errors themselves are the type
/// checker's and the interpreter's to report.
pub fn parse_tree(text: &str) -> crate::tree::Stream {
    let parsed = parse(text);
    let resolver = Resolver::new(&parsed.module);
    tree_of(text, &parsed, &resolver)
}

/// [`parse_tree`] and [`names::defined_names`] from one parse, for the workspace index.
pub fn parse_indexed(text: &str) -> (crate::tree::Stream, Vec<names::Defined>) {
    let parsed = parse(text);
    let resolver = Resolver::new(&parsed.module);
    let defined = names::defined_in(&parsed.module, &resolver);
    (tree_of(text, &parsed, &resolver), defined)
}

fn tree_of<'m>(
    text: &str,
    parsed: &'m ParsedModule,
    resolver: &Resolver<'m>,
) -> crate::tree::Stream {
    let mut documents = if resolver.is_relevant() {
        lower::lower(resolver, &parsed.module, text)
    } else {
        Vec::new()
    };
    if !parsed.errors.is_empty() {
        let mut starts: Vec<usize> = parsed.errors.iter().map(|e| e.range.start).collect();
        starts.sort_unstable();
        starts.dedup();
        for doc in &mut documents {
            if let Some(root) = doc.root.as_mut() {
                mark_cut(root, &starts, text);
            }
        }
    }
    crate::tree::Stream {
        documents,
        surfaces: &[],
        language: crate::tree::Language::Python,
    }
}

/// Marks as cut every collection that a syntax error runs into, and every call, list or dict
/// whose closing bracket is missing (ruff's recovery may end an unclosed call before the error
/// it reports, after whitespace or on the next line).
///
/// A collection runs into an error when it and every collection around it hold the error's
/// start (or end there). `starts` is sorted; the starts that all of a node's ancestors hold are
/// a contiguous run of it, narrowed at each level by binary search, so a file that is all
/// syntax errors costs O(nodes × log errors), not O(nodes × errors).
///
/// What follows a collection's own first error (one between its items, not inside one of them)
/// is the parser's guess: `f(a=1 b=2 !! c=3)` recovers `b` and `c` as keywords of `f`. Those
/// items become opaque, and so does a scalar with an error in it (an unterminated string), so
/// a file that is all syntax errors gives almost no findings (what remains is a keyword that was
/// written in full, `TaskEnvironment(memory=...`), while the items before the error (what the
/// user had finished) are still checked.
fn mark_cut(root: &mut crate::tree::Node, starts: &[usize], source: &str) {
    use crate::tree::NodeKind;
    let mut stack = vec![(root, 0, starts.len())];
    while let Some((n, lo, hi)) = stack.pop() {
        let run = &starts[lo..hi];
        let first = lo + run.partition_point(|&at| at < n.span.start);
        let last = lo + run.partition_point(|&at| at <= n.span.end);
        let (lo, hi) = (first, last.max(first));
        let unclosed = || {
            !n.span.is_empty()
                && source
                    .get(n.span.clone())
                    .is_some_and(|t| !t.ends_with([')', ']', '}']))
        };
        let holds_error = lo < hi;
        match &mut n.kind {
            NodeKind::Map(_) | NodeKind::Seq(_) if holds_error || unclosed() => n.cut = true,
            // An unterminated string runs to the end of its line: its value is a guess.
            NodeKind::Scalar(_) if holds_error => make_opaque(n),
            _ => {}
        }
        let span = n.span.clone();
        match &mut n.kind {
            NodeKind::Map(entries) => {
                let guessed = if holds_error {
                    first_error_between(&starts[lo..hi], &span, entries.iter().map(|e| &e.value))
                } else {
                    None
                };
                for e in entries.iter_mut() {
                    if guessed.is_some_and(|at| !e.key.span.is_empty() && e.key.span.start >= at) {
                        make_opaque(&mut e.key);
                        make_opaque(&mut e.value);
                        continue;
                    }
                    stack.push((&mut e.value, lo, hi));
                }
            }
            NodeKind::Seq(items) => {
                let guessed = if holds_error {
                    first_error_between(&starts[lo..hi], &span, items.iter())
                } else {
                    None
                };
                for item in items.iter_mut() {
                    if guessed.is_some_and(|at| !item.span.is_empty() && item.span.start >= at) {
                        make_opaque(item);
                        continue;
                    }
                    stack.push((item, lo, hi));
                }
            }
            _ => {}
        }
    }
}

/// The first of `errors` (sorted) that lies in none of `items`' spans (half-open: an error where
/// an item ends is between items). Items whose span lies outside `within` (values followed
/// through a name, defined elsewhere) are not between anything here.
fn first_error_between<'a>(
    errors: &[usize],
    within: &Range<usize>,
    items: impl Iterator<Item = &'a crate::tree::Node>,
) -> Option<usize> {
    let mut spans: Vec<Range<usize>> = items
        .map(|item| item.span.clone())
        .filter(|s| !s.is_empty() && within.start <= s.start && s.end <= within.end)
        .collect();
    spans.sort_unstable_by_key(|s| s.start);
    let mut next = spans.iter().peekable();
    for &at in errors {
        while next.peek().is_some_and(|s| s.end <= at) {
            next.next();
        }
        match next.peek() {
            Some(s) if s.start <= at => {}
            _ => return Some(at),
        }
    }
    None
}

/// A node the rules read as "a value known at run time".
fn make_opaque(n: &mut crate::tree::Node) {
    n.kind = crate::tree::NodeKind::Opaque;
    n.cut = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(module: &ast::ModModule) -> Vec<String> {
        module
            .body
            .iter()
            .filter_map(|stmt| match stmt {
                ast::Stmt::Assign(a) => match &*a.value {
                    ast::Expr::Call(c) => Some(format!(
                        "{}:{}",
                        match &a.targets[0] {
                            ast::Expr::Name(n) => n.id.to_string(),
                            _ => "?".into(),
                        },
                        c.arguments.keywords.len()
                    )),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_valid_file_has_no_errors() {
        let p = parse("import flyte\nenv = flyte.TaskEnvironment(name=\"x\", image=\"y\")\n");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(calls(&p.module), ["env:2"]);
    }

    #[test]
    fn a_half_typed_call_at_the_end_keeps_the_finished_calls_above_it() {
        let text = "import flyte\n\
                    a = flyte.Resources(cpu=1, memory=\"1Gi\")\n\
                    b = flyte.PodTemplate(primary_container_name=\"main\")\n\
                    env = flyte.TaskEnvironment(name=\"x\", image=";
        let p = parse(text);
        assert!(!p.errors.is_empty());
        assert_eq!(calls(&p.module), ["a:2", "b:1", "env:2"]);
        let end = text.len();
        assert!(
            p.errors.iter().all(|e| e.range.end <= end),
            "{:?}",
            p.errors
        );
        // The unfinished call keeps the keyword that is complete.
        let ast::Stmt::Assign(env) = &p.module.body[3] else {
            panic!()
        };
        let ast::Expr::Call(call) = &*env.value else {
            panic!()
        };
        assert_eq!(
            call.arguments.keywords[0].arg.as_ref().unwrap().as_str(),
            "name"
        );
    }

    #[test]
    fn an_unclosed_bracket_in_the_middle_keeps_the_statements_before_it() {
        let p = parse("import flyte\na = flyte.Resources(cpu=1)\nb = {\"x\": [1,\nc = flyte.Resources(cpu=2)\n");
        assert!(!p.errors.is_empty());
        assert_eq!(calls(&p.module)[0], "a:1");
    }

    #[test]
    fn errors_carry_byte_ranges() {
        let text = "x = (1,\n";
        let p = parse(text);
        let e = &p.errors[0];
        assert!(
            e.range.start <= e.range.end && e.range.end <= text.len(),
            "{e:?}"
        );
        assert!(!e.message.is_empty());
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        for text in [
            "",
            "\u{feff}import flyte",
            "\0\0\0",
            "def f(:\n  return",
            "x = '''unterminated",
            "f\"{\"",
            "\t\t  \n\t x = 1\n  y = 2",
            "class A:\n\tdef f(self):\n  \t pass",
            "lambda: (yield)",
            "@\n",
            "é = 1; ü = é",
        ] {
            let p = parse(text);
            for e in &p.errors {
                assert!(e.range.end <= text.len(), "{text:?}: {e:?}");
            }
        }
    }

    #[test]
    fn deep_nesting_is_cut_where_it_starts_and_never_overflows() {
        let n = 50_000;
        for text in [
            format!("A = 1\nx = {}1{}\nB = 2\n", "(".repeat(n), ")".repeat(n)),
            format!("A = 1\nx = {}1{}\nB = 2\n", "[".repeat(n), "]".repeat(n)),
            format!("A = 1\nx = {}1\nB = 2\n", "-".repeat(n)),
            format!("A = 1\nx = 1{}\nB = 2\n", "+1".repeat(n)),
            format!("A = 1\nx = {}\nB = 2\n", "f(".repeat(n)),
            format!("A = 1\nx = a{}\nB = 2\n", ".b".repeat(n)),
            format!("A = 1\nx = {}0\nB = 2\n", "f'{".repeat(n)),
            format!("A = 1\nx = {}1\nB = 2\n", "lambda a, b: ".repeat(n)),
        ] {
            let p = parse(&text);
            assert_eq!(p.module.body.len(), 1, "{}", &text[..20]);
            let last = p.errors.last().unwrap();
            assert_eq!(last.range, 6..text.len() - "\nB = 2\n".len());
            assert!(last.message.contains("nested more than"));
            let _ = resolve::Resolver::new(&p.module);
        }
    }

    #[test]
    fn trees_just_under_the_limit_walk_and_drop_on_a_small_stack() {
        let n = depth::MAX_DEPTH - 10;
        let texts = [
            format!("x = {}1{}", "[".repeat(n / 2), "]".repeat(n / 2)),
            format!("x = {}1{}", "{1: ".repeat(n / 3), "}".repeat(n / 3)),
            format!("x = {}1", "-".repeat(n)),
            format!("x = {}1", "not ".repeat(n)),
            format!("x = 1{}", "+1".repeat(n)),
            format!("x = a{}", ".b".repeat(n)),
            format!("x = f{}", "()".repeat(n)),
            format!("x = {}1{}", "f(".repeat(n / 3), ")".repeat(n / 3)),
            format!("x = {}1", "lambda: ".repeat(n / 2)),
            format!("x = {}1", "await ".repeat(n)),
            format!("x = 1{}", " if a else 1".repeat(n / 3)),
        ];
        // The smallest stack a thread of ours (tokio's blocking pool) gets: 2 MiB.
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                for text in &texts {
                    let p = parse(text);
                    assert!(
                        !p.errors.iter().any(|e| e.message.contains("nested")),
                        "{}",
                        &text[..20]
                    );
                    let r = resolve::Resolver::new(&p.module);
                    let _ = r.is_relevant();
                    drop(r);
                    drop(p);
                }
            })
            .unwrap();
        handle.join().unwrap();
    }
}
