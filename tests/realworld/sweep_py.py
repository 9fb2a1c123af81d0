#!/usr/bin/env python3
"""Real-world Python sweep helper (tests/realworld/sweep_py.sh runs it).

usage: sweep_py.py report SRC_DIR CHECK_JSON OUT

Reads every `*.py` file under SRC_DIR and the `flyte-lsp check --format json` output over it
(CHECK_JSON), prints the figures and writes OUT/findings.tsv: every error and warning with its
file, 1-based line, code, severity, message and the source line.

The figures:
- Python files read, and those that import flyte, flytekit or kubernetes (an absolute
  `import`/`from` of the package, at any indentation; flyte-lsp reads only those);
- the documents flyte-lsp found (`documents` in the JSON), split by the call on their first
  line: task environments, Flyte pod templates (`PodTemplate`, flytekitplugins `Pod`, a
  `V1PodSpec` no construct holds in a Flyte file), Kubernetes ones (V1Pod, V1PodTemplate,
  V1PodTemplateSpec, V1PodSpec), and how many of each sit inside a def or class;
- files flagged (at least one error or warning) and findings per code;
- what the sweep does not read yet, counted in the source text of the importing files, for the
  Python lowering to take on next: `@env.task(...)` decorators with a `pod_template=`,
  flytekit `@task(pod_template=...)` / `task_config=Pod(...)`, `.override(pod_template=...)`,
  `.with_overrides(pod_template=...)`, `clone_with(...)`, functions that return a pod template
  or pod spec, and pod templates or specs built in a function body (not at module level).
  These are textual counts (regular expressions), not what flyte-lsp parsed.
"""

import ast
import collections
import json
import os
import re
import sys

IMPORT = re.compile(r"^\s*(?:import|from)\s+(flyte|flytekit|kubernetes)\b", re.M)

# textual counts of what the lowering does not read yet (see the docstring)
UNREAD = [
    ("@...task(pod_template=...) decorator (flyte 2 env.task or flytekit task)",
     re.compile(r"^\s*@[\w.]*task\((?:[^()]|\([^()]*\))*\bpod_template\s*=", re.M | re.S)),
    ("@task(task_config=Pod(...)) (flytekitplugins-pod; read since this sweep, as a flytekit template)",
     re.compile(r"task_config\s*=\s*Pod\(")),
    (".override(... pod_template=...)",
     re.compile(r"\.override\((?:[^()]|\([^()]*\))*\bpod_template\s*=", re.S)),
    (".override(...) any", re.compile(r"\.override\(")),
    (".with_overrides(... pod_template=...)",
     re.compile(r"\.with_overrides\((?:[^()]|\([^()]*\))*\bpod_template\s*=", re.S)),
    (".clone_with(...)", re.compile(r"\.clone_with\(")),
    ("flyte.app AppEnvironment(...) (apps, not read)", re.compile(r"\bAppEnvironment\(")),
    ("TaskEnvironment(...) in the text (compare: task-environment documents)",
     re.compile(r"\bTaskEnvironment\(")),
    ("PodTemplate(...) in the text (compare: pod-template documents)",
     re.compile(r"\bPodTemplate\(")),
    ("def returning a PodTemplate / V1PodSpec",
     re.compile(r"^\s*def \w+\([^)]*\)\s*->\s*[\w.]*(PodTemplate|V1PodSpec)\b", re.M)),
]


def importing(text):
    return IMPORT.search(text) is not None


def function_spans(text):
    """The (first, last) 1-based lines of every def and class of a module (none if it does
    not parse)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    return [(n.lineno, n.end_lineno) for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def in_function(spans, line):
    """Whether 0-based `line` is inside a def or class body."""
    return any(a < line + 1 <= b for a, b in spans)


def doc_kind(kind, source_line):
    """A document's kind, with the call that starts it for the Python ones."""
    if kind == "task-environment":
        return kind
    for name in ("V1PodTemplateSpec", "V1PodTemplate", "V1PodSpec", "V1Pod", "PodTemplate",
                 "Pod"):
        if re.search(r"\b%s\s*[.(]" % name, source_line):
            if kind == "pod-template" and name == "V1PodSpec":
                return "pod-template (a V1PodSpec no construct holds)"
            if kind == "pod-template" and name == "Pod":
                return "pod-template (flytekitplugins Pod)"
            if kind == "pod-template":
                return "pod-template (PodTemplate)"
            return "kubernetes (%s)" % name
    return kind + " (other)"


def report(src, check_json, out):
    with open(check_json, encoding="utf-8") as fh:
        checked = {os.path.realpath(f["path"]): f for f in json.load(fh)["files"]}
    read = 0
    relevant = []
    per_repo = collections.Counter()
    per_repo_relevant = collections.Counter()
    for base, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(base, name)
            read += 1
            repo = os.path.relpath(path, src).split(os.sep)[0]
            per_repo[repo] += 1
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            if importing(text):
                relevant.append((path, text))
                per_repo_relevant[repo] += 1

    docs = collections.Counter()
    nested = collections.Counter()
    codes = collections.defaultdict(lambda: [0, set()])
    unread = collections.defaultdict(lambda: [0, 0])
    flagged = 0
    files_with_docs = 0
    missing = 0
    findings = []
    for path, text in relevant:
        lines = text.split("\n")
        for label, pattern in UNREAD:
            n = len(pattern.findall(text))
            if n:
                unread[label][0] += n
                unread[label][1] += 1
        f = checked.get(os.path.realpath(path))
        if f is None:
            missing += 1
            continue
        if f.get("documents"):
            files_with_docs += 1
            spans = function_spans(text)
        for d in f.get("documents", []):
            kind = doc_kind(d["kind"], lines[d["line"]] if d["line"] < len(lines) else "")
            docs[kind] += 1
            if in_function(spans, d["line"]):
                nested[kind] += 1
        bad = False
        for d in f["diagnostics"]:
            if d["severity"] not in ("error", "warning"):
                continue
            bad = True
            line = d["range"]["start"]["line"]
            c = codes[(d["code"], d["severity"])]
            c[0] += 1
            c[1].add(path)
            msg = d["message"].replace("\t", " ").replace("\n", " ")
            src_line = lines[line].strip() if line < len(lines) else ""
            findings.append((os.path.relpath(path, src), line + 1, d["code"], d["severity"],
                             msg, src_line.replace("\t", " ")))
        flagged += bad

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "findings.tsv"), "w", encoding="utf-8") as fh:
        fh.write("file\tline\tcode\tseverity\tmessage\tsource_line\n")
        for row in sorted(findings):
            fh.write("\t".join(str(c) for c in row) + "\n")

    print("Python files read: %d; importing flyte, flytekit or kubernetes: %d"
          % (read, len(relevant)))
    for repo in sorted(per_repo):
        print("  %s: %d read, %d importing" % (repo, per_repo[repo], per_repo_relevant[repo]))
    if missing:
        print("importing files missing from the check output: %d" % missing)
    print("documents found: %d in %d files" % (sum(docs.values()), files_with_docs))
    for kind in sorted(docs):
        print("  %s: %d (%d inside a def or class)" % (kind, docs[kind], nested[kind]))
    print("files flagged (>=1 error or warning): %d of %d importing files"
          % (flagged, len(relevant)))
    print("")
    print("| code | severity | findings | files |")
    print("|---|---|---|---|")
    for (code, sev), (n, fs) in sorted(codes.items()):
        print("| %s | %s | %d | %d |" % (code, sev, n, len(fs)))
    print("")
    print("not read yet (textual counts over the importing files):")
    print("| construct | occurrences | files |")
    print("|---|---|---|")
    for label, _ in UNREAD:
        n, files = unread.get(label, [0, 0])
        print("| %s | %d | %d |" % (label, n, files))
    print("")
    print("errors and warnings, with source lines: %s" % os.path.join(out, "findings.tsv"))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
