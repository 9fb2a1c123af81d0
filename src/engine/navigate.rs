//! Navigation through the front end that wrote the tree: `analysis::navigation` finds a name's
//! occurrences in the tree's terms (value ranges); this file says where each is written in the
//! source, to show it and to rewrite it.
//!
//! YAML writes a value where its key is, so the tree's ranges are the answer. Python may not:
//! a keyword given a module constant (`name=MAIN`) has the constant's string as its value,
//! written once at `MAIN = "main"`. There a definition or reference is shown at the use next to
//! its keyword, and a rename rewrites the string between its quotes, once, whatever uses it.
//! Identifiers themselves are left to the type checker: a cursor on `MAIN` is no name of ours.

use crate::analysis::navigation::{self, Occurrences};
use crate::text::TextRange;
use crate::tree::{Language, Stream};

/// A name under the cursor, with its occurrences to show and to rewrite.
#[derive(Debug, Clone)]
pub struct NameAt {
    pub name: String,
    /// The name under the cursor as a rename would rewrite it.
    pub at: TextRange,
    /// Where definitions and references are shown.
    pub shown: Occurrences,
    /// What a rename rewrites (each range once).
    pub rewritten: Occurrences,
    /// An occurrence a rename cannot rewrite exactly (a Python string in several parts or with
    /// an escape), which would be left behind.
    pub unwritable: Option<TextRange>,
}

/// The name under `offset` of a parsed file.
pub fn name_at(source: &str, stream: &Stream, offset: usize) -> Option<NameAt> {
    let occ = navigation::occurrences_at(stream, offset)?;
    match stream.language {
        Language::Yaml => Some(NameAt {
            name: occ.name.clone(),
            at: occ.at.clone(),
            shown: occ.clone(),
            rewritten: occ,
            unwritable: None,
        }),
        Language::Python => python(source, occ),
    }
}

/// A Python name: shown at its uses, rewritten between its quotes. `None` when the string
/// under the cursor is not one plain literal (it could not be rewritten exactly).
fn python(source: &str, occ: Occurrences) -> Option<NameAt> {
    use crate::python::names::{constant_uses, string_content};
    let content = |r: &TextRange| string_content(source, r.clone());
    let at = content(&occ.at)?;
    // Whether only whitespace and the keyword's `=` (or a dict's `:`) stand between a key and
    // where its value is written.
    let next_to = |key: &TextRange, value: usize| {
        key.end <= value
            && source.get(key.end..value).is_some_and(|gap| {
                gap.chars()
                    .all(|c| c.is_whitespace() || c == '=' || c == ':')
            })
    };
    let away = occ.written.iter().any(|w| !next_to(&w.key, w.value.start));
    // Parsing again is the price of a constant: only paid when a value is written away.
    let uses = if away {
        constant_uses(source)
    } else {
        Vec::new()
    };
    let mut shown = Occurrences {
        definitions: Vec::new(),
        references: Vec::new(),
        ..occ.clone()
    };
    for w in &occ.written {
        let place = if next_to(&w.key, w.value.start) {
            content(&w.value)
        } else {
            uses.iter()
                .find(|(name, literal)| *literal == w.value && next_to(&w.key, name.start))
                .map(|(name, _)| name.clone())
                .or_else(|| content(&w.value))
        };
        let Some(place) = place else { continue };
        if w.definition {
            shown.definitions.push(place);
        } else {
            shown.references.push(place);
        }
    }
    let unwritable = occ
        .definitions
        .iter()
        .chain(&occ.references)
        .find(|r| content(r).is_none())
        .cloned();
    let rewrite =
        |ranges: &[TextRange]| -> Vec<TextRange> { ranges.iter().filter_map(content).collect() };
    let rewritten = Occurrences {
        definitions: rewrite(&occ.definitions),
        references: rewrite(&occ.references),
        ..occ.clone()
    };
    for list in [&mut shown.definitions, &mut shown.references] {
        list.sort_by_key(|r| (r.start, r.end));
        list.dedup();
    }
    Some(NameAt {
        name: occ.name,
        at,
        shown,
        rewritten,
        unwritable,
    })
}
