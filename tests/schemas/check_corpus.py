"""The strict schemas of `flyte-lsp schema` against the YAML corpus, with check-jsonschema.

Every file of tests/corpus/k8s is grouped by the kind `flyte-lsp check --format json` detects
(a Kubernetes document by its `kind:`, Pod or PodTemplate), and each group is checked in one
check-jsonschema run against `flyte-lsp schema --kind KIND`. A file with several documents is
split at its `---` lines and each part goes to its own group. Verdicts:

- every valid case (`# expect: clean`) passes;
- every invalid case that expects FLY101 fails with an `additionalProperties` error, every one
  that expects FLY105 with an `enum` error;
- for the other invalid cases, how many the schema also rejects is reported per code.

Valid files no YAML 1.2 reader takes (UNREADABLE) are skipped, and must still be unreadable;
an invalid file check-jsonschema cannot read (a duplicate key) counts as rejected.
Exit 1 on any FAIL. Usage: check_corpus.py FLYTE_LSP CHECK_JSONSCHEMA CORPUS_DIR WORK_DIR
"""

import collections
import json
import os
import re
import subprocess
import sys
import time

# Files check-jsonschema's reader (ruamel.yaml, YAML 1.2) refuses, with why; kubectl reads them.
UNREADABLE = {
    "valid/137-double-quoted-escaped-single-quote.yaml":
        "`\\'` in a double-quoted scalar: go-yaml v2 (kubectl) takes it, YAML 1.2 readers refuse it",
}

# `flyte-lsp check` kinds → `flyte-lsp schema --kind`; Kubernetes documents by their `kind:`.
FLYTE_KINDS = {"task-environment": "task-environment", "pod-template": "pod-template"}
KUBE_KINDS = {"PodTemplate": "kubernetes-pod-template", "Pod": "pod"}

# The jsonschema messages that mean "unknown field" and "value not allowed".
MESSAGE_FOR = {
    "FLY101": "Additional properties are not allowed",
    "FLY105": "is not one of",
}


def header(text):
    """The codes of the `# expect:` lines (empty for `# expect: clean`)."""
    codes = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*expect:\s*(\S+)", line)
        if m and m.group(1) != "clean":
            codes.append(m.group(1))
    return codes


def split_documents(text, starts):
    """The document texts that begin at the 0-based lines `starts`, cut at `---` lines."""
    lines = text.splitlines(keepends=True)
    cuts = [i for i, l in enumerate(lines) if re.match(r"---(\s|$)", l)]
    parts = []
    for start in starts:
        begin = max([c for c in cuts if c <= start], default=0)
        end = min([c for c in cuts if c > start], default=len(lines))
        parts.append("".join(lines[begin:end]))
    return parts


def schema_kind(detected, text):
    if detected in FLYTE_KINDS:
        return FLYTE_KINDS[detected]
    m = re.search(r"^kind:\s*[\"']?(\w+)", text, re.M)
    return KUBE_KINDS.get(m.group(1)) if m else None


def main():
    flyte_lsp, check_jsonschema, corpus, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    out = subprocess.run(
        [flyte_lsp, "check", "--format", "json", corpus], capture_output=True, text=True
    )
    report = json.loads(out.stdout)
    failures = []
    groups = collections.defaultdict(list)  # schema kind -> [instance path]
    owner = {}  # instance path -> corpus file (relative)
    cases = {}  # corpus file -> expected codes
    for f in report["files"]:
        rel = os.path.relpath(f["path"], corpus)
        text = open(f["path"], encoding="utf-8").read()
        cases[rel] = header(text)
        docs = f["documents"]
        if len(docs) == 1:
            parts = [(f["path"], docs[0]["kind"], text)]
        else:
            parts = []
            for i, (doc, part) in enumerate(zip(docs, split_documents(text, [d["line"] for d in docs]))):
                path = os.path.join(work, rel.replace("/", "__") + f".doc{i}.yaml")
                with open(path, "w", encoding="utf-8") as out_file:
                    out_file.write(part)
                parts.append((path, doc["kind"], part))
        for path, detected, part in parts:
            kind = schema_kind(detected, part)
            if kind is None:
                failures.append(f"FAIL {rel}: no schema kind for a `{detected}` document")
                continue
            groups[kind].append(path)
            owner[path] = rel

    errors = collections.defaultdict(list)  # corpus file -> [message]
    unreadable = set()
    started = time.monotonic()
    for kind, paths in sorted(groups.items()):
        schema_path = os.path.join(work, f"{kind}.schema.json")
        with open(schema_path, "w", encoding="utf-8") as schema_file:
            subprocess.run([flyte_lsp, "schema", "--kind", kind], stdout=schema_file, check=True)
        run = subprocess.run(
            [check_jsonschema, "-o", "json", "--schemafile", schema_path, *paths],
            capture_output=True, text=True,
        )
        result = json.loads(run.stdout)
        for e in result.get("errors", []):
            errors[owner[e["filename"]]].append(f"{e['path']}: {e['message']}")
        for e in result.get("parse_errors", []):
            unreadable.add(owner[e["filename"]])
        print(f"     {kind}: {len(paths)} documents, {len({owner[p] for p in paths})} files")
    elapsed = time.monotonic() - started

    valid = [c for c, codes in cases.items() if not codes]
    invalid = [c for c, codes in cases.items() if codes]
    for rel in sorted(unreadable):
        if not cases[rel]:
            if rel not in UNREADABLE:
                failures.append(f"FAIL {rel}: check-jsonschema cannot read a valid case")
        else:
            # An invalid case the reader refuses (a duplicate key) is rejected all the same.
            errors[rel].append("check-jsonschema cannot read it")
    for rel, why in sorted(UNREADABLE.items()):
        if rel not in unreadable:
            failures.append(f"FAIL {rel}: listed as unreadable, but it was read (remove it from UNREADABLE)")
        else:
            print(f"SKIP {rel}: {why}")
    clean = 0
    for rel in sorted(valid):
        if rel in unreadable:
            continue
        if errors.get(rel):
            failures.append(f"FAIL {rel}: a valid case is rejected: " + "; ".join(errors[rel]))
        else:
            clean += 1
    caught = 0
    required = [c for c in invalid if set(cases[c]) & set(MESSAGE_FOR)]
    for rel in sorted(required):
        for code in sorted(set(cases[rel]) & set(MESSAGE_FOR)):
            if any(MESSAGE_FOR[code] in m for m in errors.get(rel, [])):
                caught += 1
            else:
                got = "; ".join(errors.get(rel, [])) or "no error"
                failures.append(f"FAIL {rel}: expects {code}, the schema gives: {got}")
    also = collections.Counter()
    others = collections.Counter()
    for rel in invalid:
        if rel in required:
            continue
        for code in set(cases[rel]):
            others[code] += 1
            if errors.get(rel):
                also[code] += 1
    readable_valid = len([v for v in valid if v not in unreadable])
    print(f"{'PASS' if clean == readable_valid else 'FAIL'} valid: {clean} of {readable_valid} pass the strict schema")
    n_required = sum(len(set(cases[c]) & set(MESSAGE_FOR)) for c in required)
    print(f"{'PASS' if caught == n_required else 'FAIL'} FLY101/FLY105: {caught} of {n_required} rejected for that reason")
    total_other = sum(1 for c in invalid if c not in required)
    rejected_other = sum(1 for c in invalid if c not in required and errors.get(c))
    print(f"     other invalid cases the schema also rejects: {rejected_other} of {total_other}")
    if also:
        print("     by code: " + ", ".join(f"{c} {also[c]}/{others[c]}" for c in sorted(also)))
    print(f"     check-jsonschema: {len(groups)} runs, {elapsed:.1f} s")
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
