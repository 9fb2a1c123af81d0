//! A model test for incremental sync: 10,000 random incremental edits (inserts, deletes and
//! replacements, within a line and across lines, with multi-byte and astral characters, in
//! UTF-16 positions) go to the real server; a plain `String` model applies the same edits.
//! The diagnostics and the pod preview published for the final version must equal those of a
//! fresh `didOpen` of the model's final text.
//!
//! The edits keep the YAML valid (they work inside quoted label values and on whole lines), so
//! the comparison covers many diagnostics at columns after astral characters, not one syntax
//! error. The PRNG is written here (no dependency); `FLYTE_LSP_MODEL_SEED=N` replays a run.
//!
//! A second model edits a file of several `---` documents (the server re-parses only the
//! documents an edit touched and reuses the others): values, whole lines, and separators added
//! and removed, waiting for each version's diagnostics so every version is analysed from the
//! one before; at checkpoints and at the end, they must equal a fresh `didOpen` of the text.

use crate::common::{push_client, Client};
use serde_json::{json, Value};

const EDITS: usize = 10_000;

/// xorshift64*: small, fast and good enough to pick edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Text pieces for values: ASCII, 2- and 3-byte characters (1 UTF-16 unit) and astral ones
/// (4 bytes, 2 UTF-16 units). No quote, backslash or line break: values stay valid.
const PIECES: &[&str] = &[
    "a", "Z9", "é", "ü-", "中", "😀", "𝄞", "x😀y", "🎉🎉", "ok", " ",
];

/// Byte offset to an LSP position (line, UTF-16 column); the model's own conversion.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": col})
}

/// The labels block's lines: (start offset, end offset without the newline) of each.
fn label_lines(text: &str) -> Vec<(usize, usize)> {
    let start = text.find("labels:\n").expect("labels") + "labels:\n".len();
    let end = text.find("pod_spec:").expect("pod_spec");
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let nl = text[at..].find('\n').map_or(text.len(), |i| at + i);
        out.push((at, nl));
        at = nl + 1;
    }
    out
}

/// Byte range strictly inside the quotes of a label line's value.
fn value_range(text: &str, line: (usize, usize)) -> (usize, usize) {
    let s = &text[line.0..line.1];
    let open = s.find('"').expect("open quote");
    let close = s.rfind('"').expect("close quote");
    (line.0 + open + 1, line.0 + close)
}

/// A char boundary in `[from, to]`, chosen at random.
fn boundary(rng: &mut Rng, text: &str, from: usize, to: usize) -> usize {
    let bounds: Vec<usize> = (from..=to).filter(|&i| text.is_char_boundary(i)).collect();
    bounds[rng.below(bounds.len())]
}

fn random_value(rng: &mut Rng) -> String {
    (0..1 + rng.below(3)).map(|_| rng.pick(PIECES)).collect()
}

/// One random edit of `text`: the LSP change to send, applied to `text` as the model.
fn random_edit(rng: &mut Rng, text: &mut String) -> Value {
    let lines = label_lines(text);
    let many = lines.len() > 40;
    let few = lines.len() < 4;
    let mut op = rng.below(10);
    if lines.len() < 12 && matches!(op, 6..=8) && rng.below(2) == 0 {
        // Keep the block from shrinking to nothing: grow it instead.
        op = 5;
    }
    let (start, end, new) = match op {
        // Insert inside a value.
        0..=2 => {
            let (a, b) = value_range(text, lines[rng.below(lines.len())]);
            let at = boundary(rng, text, a, b);
            (at, at, random_value(rng))
        }
        // Delete or replace inside a value.
        3..=4 => {
            let (a, b) = value_range(text, lines[rng.below(lines.len())]);
            let x = boundary(rng, text, a, b);
            let y = boundary(rng, text, a, b);
            let new = if rng.below(2) == 0 {
                String::new()
            } else {
                random_value(rng)
            };
            (x.min(y), x.max(y), new)
        }
        // Insert whole lines before a line (keys repeat now and then: duplicate keys).
        5 if !many => {
            let at = lines[rng.below(lines.len())].0;
            let n = 1 + rng.below(2);
            let new: String = (0..n)
                .map(|_| format!("  k{}: \"{}\"\n", rng.below(60), random_value(rng)))
                .collect();
            (at, at, new)
        }
        // Delete whole lines, possibly several.
        6 if !few => {
            let i = rng.below(lines.len() - 1);
            let j = (i + 1 + rng.below(3)).min(lines.len() - 1);
            (lines[i].0, lines[j].0, String::new())
        }
        // Across lines: from inside one value to inside a later one, joining them, or
        // splitting them again with a new line in between.
        7 | 8 if !few => {
            let i = rng.below(lines.len() - 1);
            let j = i + 1 + rng.below((lines.len() - i - 1).min(3));
            let (a, _) = value_range(text, lines[i]);
            let (_, b) = value_range(text, lines[j]);
            let x = boundary(rng, text, a, value_range(text, lines[i]).1);
            let y = boundary(rng, text, value_range(text, lines[j]).0, b);
            let new = if rng.below(2) == 0 || many {
                random_value(rng)
            } else {
                format!(
                    "{}\"\n  k{}: \"{}",
                    random_value(rng),
                    rng.below(60),
                    random_value(rng)
                )
            };
            (x, y, new)
        }
        // Append to the end of a line with a column far past it (clamped to the line end).
        _ => {
            let (_, line_end) = lines[rng.below(lines.len())];
            let new = format!("\n  k{}: \"{}\"", rng.below(60), random_value(rng));
            let mut pos = position(text, line_end);
            pos["character"] = json!(10_000);
            let change = json!({"range": {"start": pos, "end": pos}, "text": new});
            text.insert_str(line_end, &new);
            return change;
        }
    };
    let change = json!({
        "range": {"start": position(text, start), "end": position(text, end)},
        "text": new,
    });
    text.replace_range(start..end, &new);
    change
}

const START: &str = "primary_container_name: primary
labels:
  team: \"ml\"
  k1: \"é😀 start\"
  k2: \"中文 🎉\"
  k3: \"plain\"
  k4: \"x𝄞y\"
pod_spec:
  containers:
    - name: primary
      image: ghcr.io/acme/x:1
";

fn preview(client: &mut Client, uri: &str) -> Value {
    client.request(
        "workspace/executeCommand",
        json!({"command": "flyte-lsp.renderPreview", "arguments": [{"uri": uri}]}),
    )
}

#[test]
fn ten_thousand_random_edits_match_a_fresh_open_of_the_final_text() {
    let seed = std::env::var("FLYTE_LSP_MODEL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_f1e7_e15b_0001_u64);
    let mut rng = Rng(seed | 1);
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///model/edited.yaml";
    client.did_open(uri, 1, START);
    client.wait_version(uri, 1);

    let mut text = START.to_string();
    let mut version = 1;
    let mut sent = 0;
    while sent < EDITS {
        // One to three changes per notification, applied in order as the specification says.
        let n = (1 + rng.below(3)).min(EDITS - sent);
        let changes: Vec<Value> = (0..n).map(|_| random_edit(&mut rng, &mut text)).collect();
        sent += n;
        version += 1;
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }
    let edited = client.wait_version(uri, version);

    let fresh_uri = "file:///model/fresh.yaml";
    client.did_open(fresh_uri, 1, &text);
    let fresh = client.wait_version(fresh_uri, 1);
    let diagnostics = &edited["diagnostics"];
    assert!(
        diagnostics.as_array().is_some_and(|d| d.len() >= 3),
        "the final text should have several diagnostics (seed {seed:#x}): {edited}\n{text}"
    );
    assert_eq!(
        diagnostics, &fresh["diagnostics"],
        "seed {seed:#x}: the edited document differs from the final text\n{text}"
    );
    assert_eq!(
        preview(&mut client, uri),
        preview(&mut client, fresh_uri),
        "seed {seed:#x}"
    );
    client.shutdown_and_exit();
}

/// Three documents of three kinds, with findings in each: a task environment, a Kubernetes
/// PodTemplate and a Flyte pod template.
const MULTI: &str = "name: train
image: ghcr.io/acme/train:1
pod_template:
  primary_container_name: primary
  labels:
    team: \"ml\"
    k1: \"é😀\"
  pod_spec:
    containers:
      - name: primary
        image: ghcr.io/acme/x:1
        ports:
          - containerPort: \"80\"
---
apiVersion: v1
kind: PodTemplate
metadata:
  name: gpu
  labels:
    a: \"x𝄞\"
template:
  spec:
    terminationGracePeriodSecond: 3
    containers:
      - name: c
        image: x
---
primary_container_name: primary
labels:
  k2: \"中文\"
pod_spec:
  containers:
    - name: primary
      image: ghcr.io/acme/x:1
      imagePullPolicy: Sometimes
";

/// Line starts of `text` (and its end).
fn line_starts(text: &str) -> Vec<usize> {
    let mut out = vec![0];
    out.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    out
}

/// One random edit of a multi-document `text`, as an LSP change, applied to `text`.
fn random_multi_edit(rng: &mut Rng, text: &mut String) -> Value {
    let starts = line_starts(text);
    let lines = starts.len() - 1;
    let line = |i: usize| (starts[i], starts[i + 1]);
    let separators: Vec<usize> = (0..lines)
        .filter(|&i| &text[line(i).0..line(i).1] == "---\n")
        .collect();
    let quoted: Vec<(usize, usize)> = (0..lines)
        .filter_map(|i| {
            let (a, b) = line(i);
            let s = &text[a..b];
            let open = s.find('"')?;
            let close = s.rfind('"').filter(|&c| c > open)?;
            Some((a + open + 1, a + close))
        })
        .collect();
    let indent = |i: usize| {
        let (a, b) = line(i);
        text[a..b].len() - text[a..b].trim_start_matches(' ').len()
    };
    // Lines whose next line is not nested under them: removing or copying one keeps the YAML
    // valid (mostly: a copied key is a duplicate key, which is a finding).
    let leaves: Vec<usize> = (0..lines)
        .filter(|&i| i + 1 >= lines || indent(i + 1) <= indent(i))
        .filter(|&i| !separators.contains(&i) && indent(i) > 0)
        .collect();
    // Top-level keys: a separator before one splits a document into two valid ones.
    let tops: Vec<usize> = (1..lines)
        .filter(|&i| indent(i) == 0 && !separators.contains(&i) && !separators.contains(&(i - 1)))
        .collect();
    // Separators this model added: removing one of MULTI's own would join a Kubernetes
    // document to a Flyte one, and the joined document has no kind, so no findings.
    let added: Vec<usize> = separators
        .iter()
        .copied()
        .filter(|&i| {
            let next = &text[starts[i + 1]..];
            !next.starts_with("apiVersion:") && !next.starts_with("primary_container_name:")
        })
        .collect();
    let mut op = rng.below(12);
    if text.len() > 2_500 && op >= 8 {
        op = 6;
    }
    let (start, end, new) = match op {
        // Inside a quoted value: insert, delete or replace.
        0..=3 if !quoted.is_empty() => {
            let (a, b) = quoted[rng.below(quoted.len())];
            let x = boundary(rng, text, a, b);
            let y = if op < 2 { x } else { boundary(rng, text, a, b) };
            let new = if op == 3 {
                String::new()
            } else {
                random_value(rng)
            };
            (x.min(y), x.max(y), new)
        }
        // A separator before a top-level key: one document splits in two.
        4 if separators.len() < 6 && !tops.is_empty() => {
            let at = starts[tops[rng.below(tops.len())]];
            (at, at, "---\n".to_string())
        }
        // A separator goes: two documents join.
        5 if !added.is_empty() => {
            let (a, b) = line(added[rng.below(added.len())]);
            (a, b, String::new())
        }
        // A leaf line goes.
        6 | 7 if leaves.len() > 6 => {
            let (a, b) = line(leaves[rng.below(leaves.len())]);
            (a, b, String::new())
        }
        // A leaf line is copied below itself (a duplicate key, a second item...).
        8 | 9 if !leaves.is_empty() => {
            let (a, b) = line(leaves[rng.below(leaves.len())]);
            let copy = text[a..b].to_string();
            (b, b, copy)
        }
        // A new key before a line, at that line's indentation.
        _ => {
            let i = rng.below(lines);
            let at = starts[i];
            let pad = " ".repeat(indent(i));
            (
                at,
                at,
                format!("{pad}k{}: \"{}\"\n", rng.below(20), random_value(rng)),
            )
        }
    };
    let change = json!({
        "range": {"start": position(text, start), "end": position(text, end)},
        "text": new,
    });
    text.replace_range(start..end, &new);
    change
}

#[test]
fn random_edits_of_a_multi_document_file_match_a_fresh_open() {
    const NOTIFICATIONS: usize = 400;
    const CHECK_EVERY: usize = 25;
    let seed = std::env::var("FLYTE_LSP_MODEL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_d0c5_0000_0002_u64);
    let mut rng = Rng(seed | 1);
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///model/multi.yaml";
    client.did_open(uri, 1, MULTI);
    client.wait_version(uri, 1);
    let mut text = MULTI.to_string();
    let mut findings = 0;
    for version in 2..2 + NOTIFICATIONS as i32 {
        let n = 1 + rng.below(2);
        let changes: Vec<Value> = (0..n)
            .map(|_| random_multi_edit(&mut rng, &mut text))
            .collect();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
        // Waiting makes the server analyse every version, each from the one before.
        let edited = client.wait_version(uri, version);
        if !(version as usize).is_multiple_of(CHECK_EVERY) && version as usize != NOTIFICATIONS + 1
        {
            continue;
        }
        let fresh_uri = format!("file:///model/fresh-{version}.yaml");
        client.did_open(&fresh_uri, 1, &text);
        let fresh = client.wait_version(&fresh_uri, 1);
        assert_eq!(
            edited["diagnostics"], fresh["diagnostics"],
            "seed {seed:#x}, version {version}: the edited document differs from its text\n{text}"
        );
        findings += fresh["diagnostics"].as_array().map_or(0, Vec::len);
        client.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": fresh_uri}}),
        );
        // Closing clears the fresh document's diagnostics.
        client.wait_diagnostics(
            &fresh_uri,
            |p| p["version"].is_null(),
            std::time::Duration::from_secs(30),
        );
    }
    assert!(
        findings >= 3 * NOTIFICATIONS / CHECK_EVERY,
        "the checkpoints should compare several findings each (seed {seed:#x}): {findings}"
    );
    client.shutdown_and_exit();
}
