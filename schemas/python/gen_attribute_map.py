#!/usr/bin/env python3
"""Dump the kubernetes Python client's keyword -> API name table for the pod's models.

flyte-lsp reads Python like `V1PodSpec(host_ipc=True, containers=[V1Container(...)])`. The
keyword names map to the API's field names through each model's own `attribute_map`
(`host_ipc` -> `hostIPC`, `_exec` -> `exec`), never by a mechanical snake_case -> camelCase
rule. This script imports the real client and writes, for every model the pod's types reach,
each keyword, its API name, its declared type (`openapi_types`), whether it is required, and
the extra keyword spellings kubernetes >= 37 accepts (pydantic `AliasChoices`).

Output: schemas/python/kubernetes-client.json (embedded by src/python/k8s_names.rs).

Run it with kubernetes==37.0.2 installed, e.g. in a venv under ~/.cache:

    python3 -m venv ~/.cache/flyte-lsp-k8s-venv
    ~/.cache/flyte-lsp-k8s-venv/bin/pip install kubernetes==37.0.2
    ~/.cache/flyte-lsp-k8s-venv/bin/python schemas/python/gen_attribute_map.py          # write
    ~/.cache/flyte-lsp-k8s-venv/bin/python schemas/python/gen_attribute_map.py --check  # drift

`--check` regenerates in memory and exits 1 when the committed file differs (0 when equal).
A CI step runs it only where the venv exists, since installing the client is not part of the
Rust build:

    v=~/.cache/flyte-lsp-k8s-venv/bin/python
    if [ -x "$v" ]; then "$v" schemas/python/gen_attribute_map.py --check; fi

Exit codes: 0 written or no drift, 1 drift, 2 usage error or wrong kubernetes version.
"""

import difflib
import json
import os
import re
import sys

KUBERNETES_VERSION = "37.0.2"

# The pod's own types: everything reachable from these is dumped.
POD_ROOTS = [
    "V1Pod",
    "V1PodTemplate",
    "V1PodTemplateSpec",
    "V1PodSpec",
    "V1ObjectMeta",
    "V1Container",
]

# Workloads that embed a pod template: only these models themselves are dumped (their other
# field types, such as V1DeploymentStrategy or V1JobStatus, are not followed); each reaches the
# pod through a V1PodTemplateSpec (or V1JobTemplateSpec for V1CronJob).
WORKLOAD_MODELS = [
    "V1Deployment",
    "V1DeploymentSpec",
    "V1StatefulSet",
    "V1StatefulSetSpec",
    "V1DaemonSet",
    "V1DaemonSetSpec",
    "V1ReplicaSet",
    "V1ReplicaSetSpec",
    "V1ReplicationController",
    "V1ReplicationControllerSpec",
    "V1Job",
    "V1JobSpec",
    "V1CronJob",
    "V1CronJobSpec",
    "V1JobTemplateSpec",
]

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "kubernetes-client.json")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def model_names_in(type_string, models):
    """The client model classes a declared type such as `List[V1Container]` mentions."""
    return [name for name in IDENT.findall(type_string) if hasattr(models, name)]


def dump_model(cls):
    fields = {}
    pydantic_fields = getattr(cls, "model_fields", {})
    by_alias = {}
    for field_name, info in pydantic_fields.items():
        choices = []
        alias = info.validation_alias
        if alias is not None and hasattr(alias, "choices"):
            choices = [c for c in alias.choices if isinstance(c, str)]
        elif isinstance(alias, str):
            choices = [alias]
        by_alias[field_name] = (choices, info.is_required())
    for keyword, api in cls.attribute_map.items():
        entry = {"api": api, "type": cls.openapi_types[keyword]}
        # The pydantic field is named after the keyword, except for reserved words
        # (`_exec` is the keyword, `var_exec` the field): find it by its aliases.
        choices, required = by_alias.get(keyword, (None, False))
        if choices is None:
            for name, (cs, req) in by_alias.items():
                if keyword in cs:
                    choices, required = cs, req
                    break
            else:
                choices = []
        aliases = [c for c in choices if c != keyword]
        if aliases:
            entry["aliases"] = aliases
        if required:
            entry["required"] = True
        fields[keyword] = entry
    return fields


def generate():
    import kubernetes
    from kubernetes.client import models

    if kubernetes.__version__ != KUBERNETES_VERSION:
        sys.stderr.write(
            f"gen_attribute_map.py: kubernetes {kubernetes.__version__} is installed, "
            f"want {KUBERNETES_VERSION}\n"
        )
        sys.exit(2)

    table = {}
    pending = list(POD_ROOTS)
    while pending:
        name = pending.pop()
        if name in table:
            continue
        cls = getattr(models, name)
        table[name] = dump_model(cls)
        for entry in table[name].values():
            pending.extend(model_names_in(entry["type"], models))
    for name in WORKLOAD_MODELS:
        table.setdefault(name, dump_model(getattr(models, name)))
    return render(table)


def render(table):
    """Deterministic JSON: models and fields sorted, one field per line."""
    lines = [
        "{",
        f'  "generator": "schemas/python/gen_attribute_map.py",',
        f'  "kubernetes": "{KUBERNETES_VERSION}",',
        '  "models": {',
    ]
    names = sorted(table)
    for i, name in enumerate(names):
        lines.append(f"    {json.dumps(name)}: {{")
        keywords = sorted(table[name])
        for j, keyword in enumerate(keywords):
            entry = json.dumps(table[name][keyword], sort_keys=True)
            comma = "," if j + 1 < len(keywords) else ""
            lines.append(f"      {json.dumps(keyword)}: {entry}{comma}")
        lines.append("    }" + ("," if i + 1 < len(names) else ""))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv):
    if argv not in ([], ["--check"]):
        sys.stderr.write("usage: gen_attribute_map.py [--check]\n")
        return 2
    text = generate()
    if argv == ["--check"]:
        try:
            with open(OUTPUT, encoding="utf-8") as f:
                committed = f.read()
        except FileNotFoundError:
            committed = ""
        if committed == text:
            return 0
        diff = difflib.unified_diff(
            committed.splitlines(True), text.splitlines(True), "committed", "generated", n=1
        )
        sys.stderr.writelines(list(diff)[:40])
        sys.stderr.write(
            "gen_attribute_map.py: schemas/python/kubernetes-client.json drifted; "
            "run the script without --check and commit the file\n"
        )
        return 1
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
