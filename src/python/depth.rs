//! A bound on how deeply a Python text nests, computed from tokens before parsing.
//!
//! ruff's parser grows its own stack, so it accepts `x = ------…1` or `[[[[…]]]]` 100,000 levels
//! deep. The tree it returns is as deep, and dropping it or walking it (both recursive) then
//! overflows the stack, which aborts the process. So [`crate::python::parse`] first bounds the
//! tree's depth from the token stream and parses only the lines before the first statement
//! that could be too deep.
//!
//! The bound: within each bracket level, every operator or keyword token since the last comma
//! can add one level (a chain `a + b + c`, `-x`, `a.b.c`, `lambda: lambda: …`), each open
//! bracket or f-string adds two (the display or call node and the slice or element it holds),
//! and each indentation level adds two (the compound statement and its body). Commas separate
//! siblings, which do not nest in each other, except between a `lambda` and its `:`.

use ruff_python_ast::token::TokenKind;
use ruff_python_parser::{lexer, Mode};

/// The deepest bound accepted. Real code stays far below it (a 200-term `a + b + …` chain is
/// 200). The tests walk and drop trees this deep on a 2 MiB stack (tokio's blocking threads) in
/// a debug build, where 2,000 overflowed: a margin of about 4 for callers' own recursion.
pub const MAX_DEPTH: usize = 500;

#[derive(Default)]
struct Level {
    count: usize,
    /// `lambda` tokens whose `:` has not come yet: commas between them are parameters.
    open_lambdas: usize,
}

/// Whether the bound exceeds [`MAX_DEPTH`] anywhere in `source`.
pub fn too_deep(source: &str) -> bool {
    let mut lexer = lexer::lex(source, Mode::Module);
    let mut levels: Vec<Level> = vec![Level::default()];
    let mut indent = 0usize;
    // Sum of `count` over `levels` plus two per open level, kept as the stack changes.
    let mut nested = 0usize;
    loop {
        let kind = lexer.next_token();
        match kind {
            TokenKind::EndOfFile => return false,
            TokenKind::Indent => indent += 1,
            TokenKind::Dedent => indent = indent.saturating_sub(1),
            TokenKind::Newline | TokenKind::Semi => {
                levels.truncate(1);
                levels[0] = Level::default();
                nested = 0;
            }
            TokenKind::Lpar
            | TokenKind::Lsqb
            | TokenKind::Lbrace
            | TokenKind::FStringStart
            | TokenKind::TStringStart => {
                nested += 2;
                levels.push(Level::default());
            }
            TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::Rbrace
            | TokenKind::FStringEnd
            | TokenKind::TStringEnd => {
                if levels.len() > 1 {
                    if let Some(level) = levels.pop() {
                        nested = nested.saturating_sub(level.count + 2);
                    }
                }
                // The closed display still counts at the enclosing level: `f(x)(y)` nests.
                if let Some(level) = levels.last_mut() {
                    level.count += 1;
                    nested += 1;
                }
            }
            TokenKind::Comma => {
                if let Some(level) = levels.last_mut() {
                    if level.open_lambdas == 0 {
                        nested = nested.saturating_sub(level.count);
                        level.count = 0;
                    }
                }
            }
            TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Complex
            | TokenKind::String
            | TokenKind::FStringMiddle
            | TokenKind::TStringMiddle
            | TokenKind::Comment
            | TokenKind::NonLogicalNewline
            | TokenKind::True
            | TokenKind::False
            | TokenKind::None
            | TokenKind::Ellipsis => {}
            other => {
                if let Some(level) = levels.last_mut() {
                    match other {
                        TokenKind::Lambda => level.open_lambdas += 1,
                        TokenKind::Colon => {
                            level.open_lambdas = level.open_lambdas.saturating_sub(1)
                        }
                        _ => {}
                    }
                    level.count += 1;
                    nested += 1;
                }
            }
        }
        if nested + 2 * indent > MAX_DEPTH {
            return true;
        }
    }
}

/// The longest prefix of `source` that ends at a line start and is not [`too_deep`]
/// (`source.len()` when the whole text is fine).
pub fn safe_prefix(source: &str) -> usize {
    if !too_deep(source) {
        return source.len();
    }
    let starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < source.len())
        .collect();
    // starts[lo] is fine (the empty prefix always is); find the last fine one.
    let (mut lo, mut hi) = (0usize, starts.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if too_deep(&source[..starts[mid]]) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    starts[lo]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_code_is_not_too_deep() {
        let chain = format!("x = {}\n", vec!["a"; 200].join(" + "));
        let dict = format!(
            "d = {{{}}}\n",
            (0..20_000)
                .map(|i| format!("\"k{i}\": -{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for text in [
            "import flyte\nenv = flyte.TaskEnvironment(name='x', resources=flyte.Resources(cpu=(1, 2)))\n",
            &chain,
            &dict,
            "def f(a, b=lambda x, y: x + y):\n    if a:\n        return [b(i, -i) for i in range(3) if not i]\n",
        ] {
            assert!(!too_deep(text), "{}", &text[..text.len().min(80)]);
            assert_eq!(safe_prefix(text), text.len());
        }
    }

    #[test]
    fn every_nesting_shape_counts() {
        let n = MAX_DEPTH + 1;
        for text in [
            format!("x = {}1{}", "(".repeat(n), ")".repeat(n)),
            format!("x = {}1{}", "[".repeat(n), "]".repeat(n)),
            format!("x = {}1", "-".repeat(n)),
            format!("x = {}1", "not ".repeat(n)),
            format!("x = 1{}", " + 1".repeat(n)),
            format!("x = a{}", ".b".repeat(n)),
            format!("x = f{}", "()".repeat(n)),
            format!("x = {}", "lambda a, b: ".repeat(n)),
            format!("x = {}", "f(".repeat(n)),
            format!("x = {}0", "f'{".repeat(n / 2)),
        ] {
            assert!(too_deep(&text), "{}", &text[..40]);
        }
        let mut blocks = String::new();
        for i in 0..n {
            blocks.push_str(&" ".repeat(i));
            blocks.push_str("if x:\n");
        }
        assert!(too_deep(&blocks));
    }

    #[test]
    fn the_safe_prefix_keeps_the_lines_before_the_deep_one() {
        let head = "import flyte\nA = 1\n";
        let text = format!("{head}x = {}1\nB = 2\n", "-".repeat(MAX_DEPTH * 3));
        assert_eq!(safe_prefix(&text), head.len());
        let text = format!("x = {}1", "-".repeat(MAX_DEPTH * 3));
        assert_eq!(safe_prefix(&text), 0);
    }
}
