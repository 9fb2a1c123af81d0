#!/usr/bin/env python3
"""Real-world sweep helper (tests/realworld/sweep.sh runs it).

usage: sweep.py convert SRC_DIR OUT_DIR
       sweep.py report OUT

`convert` turns the Pods and workloads in a folder of Kubernetes manifests into files flyte-lsp
checks. For every `*.yaml`/`*.yml` file under SRC_DIR and every document in it:

- `apiVersion: v1` `kind: Pod` or `kind: PodTemplate`: copied as it is;
- a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
  CronJob, in any API group): its pod template (`spec.template`, for a CronJob
  `spec.jobTemplate.spec.template`) becomes `apiVersion: v1` `kind: PodTemplate` with the
  workload's name and `template:` = that pod template (metadata and spec);
- `kind: List`: its items, as above;
- anything else: skipped.

The pod template's text is cut out of the source and re-indented, so duplicate keys, YAML 1.1
scalars, quoting and comments reach flyte-lsp as they were written. The cut is checked: the new
document must load (PyYAML, YAML 1.1) to the same value; where it does not (anchors defined
outside the template, flow style), the value is dumped with PyYAML instead.

Each output file holds one document and starts with a `# source:` comment. OUT_DIR/map.tsv has
one row per output file: out file, source file, document index, kind, name, the source line
of the template's first key and the output line it landed on (both 0-based; -1 when dumped),
the StatefulSet's volumeClaimTemplate names, and why the document is a fragment (empty for a
manifest). OUT_DIR/summary.json counts what was read.

A fragment is a document not meant to be applied as it is, so its findings are counted apart:
`patch` (a file named `*patch*` or in a `patches/` folder), `no-selector` (an apps/v1 workload
without `spec.selector`, which the API server requires: a kustomize patch or overlay),
`assertion` (a kuttl/chainsaw `*assert*` file, the expected state a test matches).

`report` reads OUT/docs (the OUT_DIR of `convert`), OUT/converted.json and OUT/raw.json (the
`flyte-lsp check --format json` output over OUT/docs and over SRC_DIR), prints the figures, and
writes OUT/findings.tsv: every error and warning with its source file and 1-based source line,
for triage. FLY227 on a StatefulSet mount of one of its volumeClaimTemplates is left out (the
controller adds that volume; the conversion drops the claim templates).
"""

import json
import os
import re
import sys

import yaml

WORKLOADS = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}

# the workloads whose apps/v1 spec requires a selector
SELECTED = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def scalar(node, key):
    """The plain value of `key` in a mapping node, if it is a scalar."""
    child = lookup(node, key)
    if isinstance(child, yaml.ScalarNode):
        return child.value
    return None


def lookup(node, key):
    if not isinstance(node, yaml.MappingNode):
        return None
    found = None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            found = v  # the last one wins, as in sigs.k8s.io/yaml's non-strict reading
    return found


def construct(node):
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def cut(text, node):
    """The source text of a block mapping node, dedented to column 0, or None."""
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return None
    start, end = node.start_mark, node.end_mark
    col = start.column
    lines = text[start.index : end.index].split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        head = line[:col]
        if head.strip() == "":
            out.append(line[col:] if len(line) >= col else "")
        elif line.lstrip().startswith("#"):
            out.append(line.lstrip())
        else:
            return None
    while out and out[-1].strip() == "":
        out.pop()
    return "\n".join(out)


def safe_name(name, fallback):
    if isinstance(name, str) and name:
        return name
    return fallback


def emit_template(text, tmpl_node, name, header):
    """The PodTemplate document for a workload's pod template, and the output line of its
    first key (-1 when dumped)."""
    head = [header, "apiVersion: v1", "kind: PodTemplate", "metadata:"]
    head.append("  name: " + json.dumps(name))
    head.append("template:")
    body = cut(text, tmpl_node)
    expected = construct(tmpl_node)
    if body is not None:
        doc = "\n".join(head + ["  " + l if l else l for l in body.split("\n")]) + "\n"
        try:
            loaded = yaml.load(doc, Loader=Loader)
        except yaml.YAMLError:
            loaded = None
        if isinstance(loaded, dict) and loaded.get("template") == expected:
            return doc, len(head)
    dumped = yaml.safe_dump({"template": expected}, sort_keys=False, default_flow_style=False)
    return "\n".join(head[:-1]) + "\n" + dumped, -1


def documents(text):
    """(node, error) pairs for every document of a file."""
    loader = Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node(), None
    except yaml.YAMLError as e:
        yield None, str(e).split("\n")[0]
    finally:
        loader.dispose()


def fragment(rel):
    """Why the file holds fragments rather than manifests, judged by its path, or "":
    'assertion' for the expected-state files of kuttl and chainsaw tests (`01-assert.yaml`):
    partial objects matched against the cluster, never applied; 'patch' for a file named
    `*patch*` or in a `patches/` folder (kustomize strategic-merge patches)."""
    base = os.path.basename(rel).lower()
    if "assert" in base:
        return "assertion"
    if "patch" in base or "patches" in rel.lower().split("/")[:-1]:
        return "patch"
    return ""


def convert(text, rel, index, item, out, summary):
    """Write the output file for one document (or List item); its map.tsv rows."""
    kind, api = scalar(item, "kind"), scalar(item, "apiVersion")
    base = "%s__%d__L%d" % (re.sub(r"[^A-Za-z0-9._-]+", "_", rel), index, item.start_mark.line)
    if api == "v1" and kind in ("Pod", "PodTemplate"):
        name = "%s__%s.yaml" % (base, kind)
        header = "# source: %s document %d (%s)\n" % (rel, index, kind)
        body, line = cut(text, item), 1
        if body is None:
            body, line = yaml.safe_dump(construct(item), sort_keys=False), -1
            summary["dumped"] += 1
        summary["pods" if kind == "Pod" else "pod_templates"] += 1
        with open(os.path.join(out, name), "w", encoding="utf-8") as fh:
            fh.write(header + body + "\n")
        partial = fragment(rel)
        if partial:
            summary["fragments"][partial] = summary["fragments"].get(partial, 0) + 1
        return [(name, rel, index, kind, "", item.start_mark.line, line, "", partial)]
    if kind not in WORKLOADS:
        summary["other_documents"] += 1
        return []
    tmpl = item
    for key in WORKLOADS[kind]:
        tmpl = lookup(tmpl, key)
    if not isinstance(tmpl, yaml.MappingNode):
        summary["workloads_without_template"] += 1
        return []
    wname = safe_name(scalar(lookup(item, "metadata"), "name"), "unnamed")
    # apps/v1 requires spec.selector (ValidateDeploymentSpec & co.): without one the document
    # is a fragment (a kustomize strategic-merge patch, an overlay), not a manifest to apply
    partial = fragment(rel)
    if not partial and kind in SELECTED and api == "apps/v1":
        if lookup(lookup(item, "spec"), "selector") is None:
            partial = "no-selector"
    # A StatefulSet's controller adds one volume per volumeClaimTemplate to every pod it makes
    claims = []
    vcts = lookup(lookup(item, "spec"), "volumeClaimTemplates")
    if kind == "StatefulSet" and isinstance(vcts, yaml.SequenceNode):
        claims = [scalar(lookup(v, "metadata"), "name") or "" for v in vcts.value]
    name = "%s__%s.yaml" % (base, kind)
    header = "# source: %s document %d (%s %s)" % (rel, index, kind, wname)
    doc, line = emit_template(text, tmpl, wname, header)
    summary["workloads"][kind] = summary["workloads"].get(kind, 0) + 1
    if line < 0:
        summary["dumped"] += 1
    with open(os.path.join(out, name), "w", encoding="utf-8") as fh:
        fh.write(doc)
    if partial:
        summary["fragments"][partial] = summary["fragments"].get(partial, 0) + 1
    return [(name, rel, index, kind, wname, tmpl.start_mark.line, line, ",".join(claims), partial)]


def convert_dir(src, out):
    os.makedirs(out, exist_ok=True)
    summary = {
        "files": 0,
        "unparsable_files": 0,
        "documents": 0,
        "unconstructable_documents": 0,
        "other_documents": 0,
        "pods": 0,
        "pod_templates": 0,
        "workloads": {},
        "workloads_without_template": 0,
        "dumped": 0,
        "fragments": {},
    }
    rows = []
    paths = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".yaml", ".yml")):
                paths.append(os.path.join(root, f))
    for path in paths:
        rel = os.path.relpath(path, src)
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except (UnicodeDecodeError, OSError):
            summary["unparsable_files"] += 1
            continue
        summary["files"] += 1
        nodes = []
        for node, err in documents(text):
            if err is not None:
                # Helm templates and other non-YAML: the documents before the error still count
                summary["unparsable_files"] += 1
                break
            nodes.append(node)
        for index, node in enumerate(nodes):
            if node is None:
                continue
            summary["documents"] += 1
            items = [node]
            listed = lookup(node, "items")
            if scalar(node, "kind") == "List" and isinstance(listed, yaml.SequenceNode):
                items = listed.value
            for item in items:
                try:
                    rows.extend(convert(text, rel, index, item, out, summary))
                except yaml.YAMLError:
                    # e.g. `{{ .Values.x }}` read as a flow mapping used as a key
                    summary["unconstructable_documents"] += 1
    with open(os.path.join(out, "map.tsv"), "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write("\t".join(str(c) for c in row) + "\n")
    summary["written"] = len(rows)
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=1)


def report(top):
    out = os.path.join(top, "docs")
    converted_json = os.path.join(top, "converted.json")
    raw_json = os.path.join(top, "raw.json")
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as fh:
        summary = json.load(fh)
    rows = {}
    with open(os.path.join(out, "map.tsv"), encoding="utf-8") as fh:
        for line in fh:
            name, rel, _, kind, _, src_line, out_line, claims, partial = line.rstrip("\n").split("\t")
            rows[name] = (rel, int(src_line), int(out_line), kind, claims.split(","), partial)
    with open(converted_json, encoding="utf-8") as fh:
        checked = json.load(fh)["files"]
    with open(raw_json, encoding="utf-8") as fh:
        raw = json.load(fh)["files"]

    kinds = {}
    for f in checked:
        kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
    raw_kinds = {}
    for f in raw:
        raw_kinds[f["kind"]] = raw_kinds.get(f["kind"], 0) + 1
    # (code, severity) -> [diagnostics, documents], for manifests and for fragments
    codes = ({}, {})
    flagged = [0, 0]
    docs = [0, 0]
    claim_mounts = 0
    findings = []
    for f in checked:
        name = os.path.basename(f["path"])
        rel, src_line, out_line, kind, claims, reason = rows.get(name, (name, 0, -1, "?", [], ""))
        partial = int(bool(reason))
        docs[partial] += 1
        seen = set()
        bad = False
        for d in f["diagnostics"]:
            if d["code"] == "FLY227" and any('"%s"' % c in d["message"] for c in claims if c):
                # the mount names a volumeClaimTemplate: the StatefulSet controller adds that
                # volume, and the API server does not validate a StatefulSet's pod spec as a
                # PodTemplate (apps validation ValidatePodTemplateSpecForStatefulSet)
                claim_mounts += 1
                continue
            key = (d["code"], d["severity"])
            entry = codes[partial].setdefault(key, [0, 0])
            entry[0] += 1
            if key not in seen:
                entry[1] += 1
                seen.add(key)
            if d["severity"] in ("error", "warning"):
                bad = True
                line = d["range"]["start"]["line"]
                where = src_line + line - out_line + 1 if out_line >= 0 else -1
                msg = d["message"].replace("\t", " ").replace("\n", " ")
                what = "fragment:" + reason if partial else "manifest"
                findings.append((rel, where, kind, what, d["code"], d["severity"], msg, name, line + 1))
        flagged[partial] += bad
    with open(os.path.join(top, "findings.tsv"), "w", encoding="utf-8") as fh:
        fh.write("source\tsource_line\tkind\tdocument\tcode\tseverity\tmessage\tchecked_file\tchecked_line\n")
        for row in sorted(findings):
            fh.write("\t".join(str(c) for c in row) + "\n")

    w = summary["workloads"]
    print("source: %d YAML files (%d not YAML or not fully parsable), %d documents"
          % (summary["files"], summary["unparsable_files"], summary["documents"]))
    print("converted: %d documents = %d Pods + %d PodTemplates + %d workload templates (%s); "
          "%d re-dumped by PyYAML"
          % (summary["written"], summary["pods"], summary["pod_templates"], sum(w.values()),
             ", ".join("%s %d" % kv for kv in sorted(w.items())), summary["dumped"]))
    print("checked: %d documents, detected as %s"
          % (len(checked), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
    print("raw source files detected as: %s"
          % ", ".join("%s %d" % kv for kv in sorted(raw_kinds.items())))
    print("of which fragments: %d (%s)" % (docs[1], ", ".join(
        "%s %d" % kv for kv in sorted(summary["fragments"].items()))))
    print("  patch: a *patch* file or one in patches/; no-selector: an apps/v1 workload without")
    print("  spec.selector (kustomize patch, overlay); assertion: a kuttl/chainsaw *assert* file")
    print("flagged (>=1 error or warning): %d of %d manifests, %d of %d fragments"
          % (flagged[0], docs[0], flagged[1], docs[1]))
    print("left out: %d FLY227 on StatefulSet mounts of a volumeClaimTemplate (the controller "
          "adds those volumes)" % claim_mounts)
    print("")
    print("| code | severity | diagnostics (manifests) | documents (manifests) "
          "| diagnostics (fragments) | documents (fragments) |")
    print("|---|---|---|---|---|---|")
    for key in sorted(set(codes[0]) | set(codes[1])):
        m, p = codes[0].get(key, [0, 0]), codes[1].get(key, [0, 0])
        print("| %s | %s | %d | %d | %d | %d |" % (key + tuple(m) + tuple(p)))
    print("")
    print("errors and warnings, with source lines: %s" % os.path.join(top, "findings.tsv"))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "convert":
        convert_dir(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        report(sys.argv[2])
    else:
        sys.exit(__doc__)
