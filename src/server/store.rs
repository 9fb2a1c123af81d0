//! The open documents: a rope per document for incremental edits, and immutable snapshots.
//!
//! Edits are applied synchronously by the notification handler (before any `.await`), and a
//! change whose version is not newer than the stored one is ignored, because tower-lsp-server
//! may run notification handlers concurrently (tower-lsp#284).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, TextDocumentContentChangeEvent, Uri};

use crate::settings::Selection;
use crate::text::{Encoding, LineIndex};
use crate::tree::Stream;

/// Documents larger than this are not parsed or analysed: every feature sees an empty stream
/// and the diagnostics are one notice (see `guard::size_notice`). The same bound as the CLI's
/// `cli::MAX_FILE_BYTES`, so the editor and `check` agree on which files are checked.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// One version of a document, shared with analysis tasks. Parsed lazily, at most once.
pub struct Snapshot {
    pub version: i32,
    /// The document's source language, which picks its front end.
    pub language: crate::engine::Language,
    /// What the `files.*` settings say about the document: excluded (no documents at all), or
    /// the kind its documents are read as.
    pub selection: Selection,
    pub text: String,
    pub index: LineIndex,
    stream: OnceLock<Stream>,
    /// An earlier, parsed version of the same document, whose untouched `---` documents the
    /// parse of this one reuses (see [`crate::engine::reparse_file`]). Taken by that parse,
    /// so a chain of versions never holds more than one older text and tree.
    base: Mutex<Option<Arc<Snapshot>>>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version)
            .field("bytes", &self.text.len())
            .finish()
    }
}

impl Snapshot {
    pub fn new(version: i32, text: String) -> Snapshot {
        Snapshot::with_language(version, text, crate::engine::Language::Yaml)
    }

    pub fn with_language(
        version: i32,
        text: String,
        language: crate::engine::Language,
    ) -> Snapshot {
        Snapshot::selected(version, text, language, Selection::default())
    }

    pub fn selected(
        version: i32,
        text: String,
        language: crate::engine::Language,
        selection: Selection,
    ) -> Snapshot {
        Snapshot {
            version,
            language,
            selection,
            index: LineIndex::new(&text),
            text,
            stream: OnceLock::new(),
            base: Mutex::new(None),
        }
    }

    /// A later version of `base`'s document, whose parse may reuse `base`'s documents (or, when
    /// `base` itself was never parsed, those of the version `base` was to reuse).
    fn after(version: i32, text: String, base: &Arc<Snapshot>) -> Snapshot {
        let snap = Snapshot::selected(version, text, base.language, base.selection);
        let reuse = if base.stream.get().is_some() {
            Some(base.clone())
        } else {
            base.take_base()
        };
        // A YAML base is worth keeping even for a one-document file: a keystroke inside a
        // value patches its tree (see `crate::yaml::reparse`).
        let useful = |b: &Arc<Snapshot>| {
            !b.too_large()
                && !b.selection.excluded
                && b.language == crate::engine::Language::Yaml
                && b.stream.get().is_some_and(|s| !s.documents.is_empty())
        };
        if let Some(reuse) = reuse.filter(useful) {
            *snap.base.lock().unwrap_or_else(|e| e.into_inner()) = Some(reuse);
        }
        snap
    }

    fn take_base(&self) -> Option<Arc<Snapshot>> {
        self.base.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Parses this version, from its base's documents when it has a parsed base. The base's
    /// tree is moved out when this snapshot is its last holder, else cloned.
    fn parse(&self) -> Stream {
        let (language, kind) = (self.language, self.selection.kind);
        let Some(base) = self.take_base() else {
            return crate::engine::parse_file(&self.text, language, kind);
        };
        match Arc::try_unwrap(base) {
            Ok(mut owned) => match owned.stream.take() {
                Some(old) => {
                    crate::engine::reparse_file(&owned.text, old, &self.text, language, kind)
                }
                None => crate::engine::parse_file(&self.text, language, kind),
            },
            Err(shared) => match shared.stream.get() {
                Some(old) => crate::engine::reparse_file(
                    &shared.text,
                    old.clone(),
                    &self.text,
                    language,
                    kind,
                ),
                None => crate::engine::parse_file(&self.text, language, kind),
            },
        }
    }

    /// The parsed document; empty when the text is above [`MAX_DOCUMENT_BYTES`] or the
    /// settings exclude the file, so that every feature is silent on it.
    pub fn stream(&self) -> &Stream {
        self.stream.get_or_init(|| {
            if self.too_large() || self.selection.excluded {
                Stream {
                    language: self.language,
                    ..Stream::default()
                }
            } else {
                self.parse()
            }
        })
    }

    /// Whether the text is above [`MAX_DOCUMENT_BYTES`] and so is not analysed.
    pub fn too_large(&self) -> bool {
        self.text.len() > MAX_DOCUMENT_BYTES
    }
}

struct Entry {
    /// The text being edited, made from the current snapshot's text on the first incremental
    /// change rather than on open: a document that is only read (or a client that sends whole
    /// texts) never needs one, and the open's diagnostics do not wait for it.
    rope: Option<Rope>,
    current: Arc<Snapshot>,
    /// The last opened or saved version, for `diagnostics.trigger = save` with pull clients.
    saved: Saved,
}

/// Where the last opened or saved version is. It never shares the current snapshot once an
/// edit comes: the edit's parse moves the current tree out when it is the tree's last holder
/// and must clone it otherwise, which at 20,000 lines costs as much as the parse itself.
enum Saved {
    /// The current version is the saved one.
    Current,
    /// An older version, not yet asked for: kept as text, made a snapshot (and parsed) only
    /// when a client in save mode asks, so editing in the default mode pays one text copy.
    Text {
        version: i32,
        text: String,
        language: crate::engine::Language,
        selection: Selection,
    },
    /// An older version, as the snapshot made when it was first asked for.
    Snapshot(Arc<Snapshot>),
}

/// Thread-safe map from URI to document.
#[derive(Default)]
pub struct Store {
    docs: Mutex<HashMap<Uri, Entry>>,
}

/// What `change` did.
#[derive(Debug)]
pub enum ChangeOutcome {
    /// Applied; carries the replaced snapshot so the caller can drop its tree off the async
    /// threads (freeing a 20,000-line tree takes milliseconds).
    Applied(Arc<Snapshot>),
    /// The version was not newer than the stored one.
    Stale,
    /// The document was never opened.
    Unknown,
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uri, Entry>> {
        // A poisoned lock only means another handler panicked mid-update; the map itself is
        // still usable, and refusing all later requests would be worse.
        self.docs.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn open(&self, uri: Uri, version: i32, text: String) {
        self.open_as(uri, version, text, crate::engine::Language::Yaml);
    }

    /// Opens a document of `language` (from its LSP `languageId`).
    pub fn open_as(&self, uri: Uri, version: i32, text: String, language: crate::engine::Language) {
        self.open_selected(uri, version, text, language, Selection::default());
    }

    /// Opens a document of `language` that the `files.*` settings select as `selection`.
    pub fn open_selected(
        &self,
        uri: Uri,
        version: i32,
        text: String,
        language: crate::engine::Language,
        selection: Selection,
    ) {
        let snap = Arc::new(Snapshot::selected(version, text, language, selection));
        let entry = Entry {
            rope: None,
            current: snap,
            saved: Saved::Current,
        };
        self.lock().insert(uri, entry);
    }

    pub fn close(&self, uri: &Uri) {
        self.lock().remove(uri);
    }

    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        enc: Encoding,
    ) -> ChangeOutcome {
        let mut docs = self.lock();
        let Some(entry) = docs.get_mut(uri) else {
            return ChangeOutcome::Unknown;
        };
        if version <= entry.current.version {
            return ChangeOutcome::Stale;
        }
        // A whole text sent last is used as it is; a rope is made only to apply ranges.
        let mut whole: Option<&str> = None;
        for change in changes {
            match change.range {
                None => {
                    entry.rope = None;
                    whole = Some(&change.text);
                }
                Some(range) => {
                    let base = whole.take().unwrap_or(&entry.current.text);
                    let rope = entry.rope.get_or_insert_with(|| Rope::from_str(base));
                    let start = char_index(rope, range.start, enc);
                    let end = char_index(rope, range.end, enc).max(start);
                    rope.remove(start..end);
                    rope.insert(start, &change.text);
                }
            }
        }
        let text = match (&entry.rope, whole) {
            (_, Some(text)) => text.to_owned(),
            (Some(rope), None) => rope.to_string(),
            (None, None) => entry.current.text.clone(),
        };
        if matches!(entry.saved, Saved::Current) {
            let current = &entry.current;
            entry.saved = Saved::Text {
                version: current.version,
                text: current.text.clone(),
                language: current.language,
                selection: current.selection,
            };
        }
        let new = Arc::new(Snapshot::after(version, text, &entry.current));
        ChangeOutcome::Applied(std::mem::replace(&mut entry.current, new))
    }

    /// Marks the current version as saved. A full text sent with the save replaces it.
    pub fn save(&self, uri: &Uri, text: Option<String>) {
        let mut docs = self.lock();
        if let Some(entry) = docs.get_mut(uri) {
            if let Some(text) = text {
                if text != entry.current.text {
                    entry.rope = None;
                    let current = &entry.current;
                    let (version, language, selection) =
                        (current.version, current.language, current.selection);
                    entry.current =
                        Arc::new(Snapshot::selected(version, text, language, selection));
                }
            }
            entry.saved = Saved::Current;
        }
    }

    /// Gives a document a new selection (after a settings change): its current and saved
    /// snapshots are made again, same text and version, to be parsed afresh. Returns the
    /// replaced snapshots, for the caller to drop off the async threads, or `None` when the
    /// document is not open or its selection did not change.
    pub fn reselect(&self, uri: &Uri, selection: Selection) -> Option<Vec<Arc<Snapshot>>> {
        let mut docs = self.lock();
        let entry = docs.get_mut(uri)?;
        if entry.current.selection == selection {
            return None;
        }
        let again = |s: &Snapshot| {
            Arc::new(Snapshot::selected(
                s.version,
                s.text.clone(),
                s.language,
                selection,
            ))
        };
        let current = again(&entry.current);
        let mut replaced = vec![std::mem::replace(&mut entry.current, current)];
        match &mut entry.saved {
            Saved::Current => {}
            Saved::Text { selection: s, .. } => *s = selection,
            Saved::Snapshot(saved) => {
                let again = again(saved);
                replaced.push(std::mem::replace(saved, again));
            }
        }
        Some(replaced)
    }

    /// The language of an open document.
    pub fn language(&self, uri: &Uri) -> Option<crate::engine::Language> {
        self.lock().get(uri).map(|e| e.current.language)
    }

    pub fn current(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        self.lock().get(uri).map(|e| e.current.clone())
    }

    pub fn saved(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let mut docs = self.lock();
        let entry = docs.get_mut(uri)?;
        let snap = match &mut entry.saved {
            Saved::Current => entry.current.clone(),
            Saved::Snapshot(snap) => snap.clone(),
            Saved::Text {
                version,
                text,
                language,
                selection,
            } => {
                let text = std::mem::take(text);
                let snap = Arc::new(Snapshot::selected(*version, text, *language, *selection));
                entry.saved = Saved::Snapshot(snap.clone());
                snap
            }
        };
        Some(snap)
    }

    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.lock().get(uri).map(|e| e.current.version)
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.lock().keys().cloned().collect()
    }
}

/// Converts an LSP position to a rope char index, clamping as the specification asks: a line
/// past the end means the end of the text, a column past the line's end means the line's end.
fn char_index(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let slice = rope.line(line);
    // The line's length without its terminator.
    let mut content_chars = slice.len_chars();
    while content_chars > 0 && matches!(slice.char(content_chars - 1), '\n' | '\r') {
        content_chars -= 1;
    }
    let content = slice.slice(..content_chars);
    let col = pos.character as usize;
    let within = match enc {
        Encoding::Utf16 => content.utf16_cu_to_char(col.min(content.len_utf16_cu())),
        Encoding::Utf8 => {
            let byte = col.min(content.len_bytes());
            // A byte inside a character moves to that character's start.
            content.byte_to_char(byte)
        }
    };
    line_start + within
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::Range;

    fn edit(sl: u32, sc: u32, el: u32, ec: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(sl, sc), Position::new(el, ec))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_edits_in_utf16_around_an_emoji() {
        let store = Store::default();
        let uri: Uri = "file:///a.yaml".parse().expect("uri");
        store.open(uri.clone(), 1, "a: \"😀x\"\nb: 2\n".to_string());
        // After the emoji (2 UTF-16 units) and before `x`.
        assert!(matches!(
            store.change(&uri, 2, &[edit(0, 6, 0, 7, "y")], Encoding::Utf16),
            ChangeOutcome::Applied(_)
        ));
        assert_eq!(
            store.current(&uri).map(|s| s.text.clone()).as_deref(),
            Some("a: \"😀y\"\nb: 2\n")
        );
        assert!(matches!(
            store.change(&uri, 2, &[edit(0, 0, 0, 1, "z")], Encoding::Utf16),
            ChangeOutcome::Stale
        ));
        // Columns past the end of a line clamp to its end.
        store.change(&uri, 3, &[edit(1, 99, 1, 99, "0")], Encoding::Utf16);
        assert_eq!(
            store.current(&uri).map(|s| s.text.clone()).as_deref(),
            Some("a: \"😀y\"\nb: 20\n")
        );
    }

    fn whole(text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn whole_texts_and_ranges_mix_in_any_order() {
        let store = Store::default();
        let uri: Uri = "file:///a.yaml".parse().expect("uri");
        let text = |store: &Store| store.current(&uri).map(|s| s.text.clone());
        store.open(uri.clone(), 1, "a: 1\n".to_string());
        // The first range is applied to the opened text, the rope made then.
        store.change(&uri, 2, &[edit(0, 3, 0, 4, "2")], Encoding::Utf16);
        assert_eq!(text(&store).as_deref(), Some("a: 2\n"));
        // A whole text, then a range on it, in one notification.
        let batch = [whole("b: 1\nc: 1\n"), edit(1, 0, 1, 1, "d")];
        store.change(&uri, 3, &batch, Encoding::Utf16);
        assert_eq!(text(&store).as_deref(), Some("b: 1\nd: 1\n"));
        // A range, then a whole text that replaces its result.
        store.change(
            &uri,
            4,
            &[edit(0, 0, 0, 1, "x"), whole("e: 1\n")],
            Encoding::Utf16,
        );
        assert_eq!(text(&store).as_deref(), Some("e: 1\n"));
        // The next range applies to that whole text, not to the rope the earlier one left.
        store.change(&uri, 5, &[edit(0, 0, 0, 1, "f")], Encoding::Utf16);
        assert_eq!(text(&store).as_deref(), Some("f: 1\n"));
        // A text sent with a save replaces the current one; ranges then apply to it.
        store.save(&uri, Some("g: 1\n".to_string()));
        store.change(&uri, 6, &[edit(0, 4, 0, 4, "0")], Encoding::Utf16);
        assert_eq!(text(&store).as_deref(), Some("g: 10\n"));
        // No changes at all keep the text.
        store.change(&uri, 7, &[], Encoding::Utf16);
        assert_eq!(text(&store).as_deref(), Some("g: 10\n"));
    }

    #[test]
    fn utf8_columns() {
        let store = Store::default();
        let uri: Uri = "file:///a.yaml".parse().expect("uri");
        store.open(uri.clone(), 1, "é: 1\n".to_string());
        store.change(&uri, 2, &[edit(0, 2, 0, 2, "x")], Encoding::Utf8);
        assert_eq!(
            store.current(&uri).map(|s| s.text.clone()).as_deref(),
            Some("éx: 1\n")
        );
    }

    #[test]
    fn an_edit_leaves_the_saved_version_apart_from_the_parsed_tree() {
        let store = Store::default();
        let uri: Uri = "file:///a.yaml".parse().expect("uri");
        store.open(uri.clone(), 1, "a: 1\nb: 2\n".to_string());
        assert!(store
            .current(&uri)
            .is_some_and(|s| !s.stream().documents.is_empty()));
        let ChangeOutcome::Applied(previous) =
            store.change(&uri, 2, &[edit(0, 3, 0, 4, "3")], Encoding::Utf8)
        else {
            panic!("the change applies");
        };
        // Held here and as the new version's base, not as the saved version: dropping this
        // leaves the next parse the only holder, which moves the tree out instead of cloning.
        assert_eq!(Arc::strong_count(&previous), 2);
        drop(previous);
        let saved = store.saved(&uri).expect("saved");
        assert_eq!((saved.version, saved.text.as_str()), (1, "a: 1\nb: 2\n"));
        assert!(!saved.stream().documents.is_empty());
        // Asked again, the same snapshot, parsed once.
        assert!(store
            .saved(&uri)
            .is_some_and(|again| Arc::ptr_eq(&again, &saved)));
        assert_eq!(
            store.current(&uri).map(|s| s.text.clone()).as_deref(),
            Some("a: 3\nb: 2\n")
        );
        store.save(&uri, None);
        assert!(store.saved(&uri).is_some_and(|s| s.version == 2));
    }
}
