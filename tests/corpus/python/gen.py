#!/usr/bin/env python3
"""Translate the YAML corpus (tests/corpus/k8s/) into Python: kubernetes `V1*` calls.

Every case `tests/corpus/k8s/{invalid,valid}/NNN-name.yaml` becomes
`tests/corpus/python/{invalid,valid}/NNN-name.py` (checked by tests/corpus_python.rs), e.g. for
`kind: PodTemplate`:

    from kubernetes.client import V1Container, V1ObjectMeta, V1PodSpec, V1PodTemplate, ...

    template = V1PodTemplate(
        api_version="v1",
        kind="PodTemplate",
        metadata=V1ObjectMeta(name="trainer"),
        ...
    )

How the translation is made (nothing of it is written by hand):

- Nested models come from the client's own `openapi_types` (`List[V1Container]` for a
  PodSpec's `containers`), keywords from the client's reversed `attribute_map` (`hostIPC` is
  `host_ipc`); `Dict[str, str]` and `object` fields get dict literals.
- Values are what the API server decodes: plain scalars are read the way go-yaml v2 reads them
  (`yes` is true, `0644` is 420, `1e3` a float; `go_read`), not the way PyYAML would, and
  become Python literals of that type. A field whose value is not the shape its model wants
  (`command: python train.py`) gets the literal as it is, which is what a user would write.
- Except in quantity fields (`resources.limits`, `sizeLimit`, ...; `quantity_fields`): the API
  server takes a number there (`cpu: 2`), the client types them `str`, so the Python form is
  the string as written (`"cpu": "2"`). An octal YAML integer (`0644`) is written `0o644`.
- A key the client does not know (`imagePullSecret`, `requests` on a container) becomes the
  keyword a Python user would write for it: its snake_case spelling (`image_pull_secret`).

The header keeps the YAML case's `#` lines. Its `# expect:` lines are rewritten through
`MAPPED` where Python's verdict differs from YAML's (each entry says why); a case whose
translation would change meaning unnoticed (a plain scalar go-yaml and PyYAML read differently,
a non-string literal where the client wants a string, an unknown key whose snake_case spelling
is a real keyword) must have a `MAPPED` or `SKIPPED` entry, or the generator stops. `SKIPPED`
lists, in one place, the cases with no Python form and why. A Flyte document becomes
`flyte.TaskEnvironment(...)` or `flyte.PodTemplate(...)` (its keys are the SDK's keywords; its
`pod_spec` a `V1PodSpec`), read the way PyYAML reads it; a file of several documents becomes one
assignment per document, in order.

Run with PyYAML and kubernetes==37.0.2 (the conformance venv has both):

    ~/.cache/flyte-lsp/conformance-venv/bin/python tests/corpus/python/gen.py          # write
    ~/.cache/flyte-lsp/conformance-venv/bin/python tests/corpus/python/gen.py --check  # stale?

`--check` exits 1 when a generated file is missing, differs or is left over (0 when all are
current); exit 2 on a usage error, the wrong kubernetes version, or a case needing an entry.
"""

import json
import os
import re
import sys

import yaml

import kubernetes
import kubernetes.client as client

KUBERNETES_VERSION = "37.0.2"

HERE = os.path.dirname(os.path.abspath(__file__))
YAML_CORPUS = os.path.normpath(os.path.join(HERE, "..", "k8s"))

# Cases whose Python verdict differs from the YAML one: {case: ({yaml code: python code}, why)}.
# The Python code keeps the YAML severity unless given as "CODE severity".
MAPPED = {
    "valid/137-double-quoted-escaped-single-quote.yaml": (
        {},
        "go-yaml reads `\\'` in a double-quoted scalar as `'` (PyYAML refuses the escape): "
        "the Python string holds the `'` go-yaml gives the API server",
    ),
    "invalid/225-env-value-number.yaml": (
        {"FLY106": "FLY103"},
        "`value: 8080` is the integer 8080 to go-yaml; in Python `value=8080` is an int where "
        "V1EnvVar.value wants a str: a wrong type (FLY103), not a YAML 1.1 reading",
    ),
    "invalid/226-label-value-yes.yaml": (
        {"FLY106": "FLY103"},
        "go-yaml reads `yes` as true; the Python form of what the API server receives is the "
        "bool `True` in a Dict[str, str]: a wrong type (FLY103)",
    ),
    "invalid/227-annotation-value-number-pod.yaml": (
        {"FLY106": "FLY103"},
        "`3` is an int where annotations are Dict[str, str]: a wrong type (FLY103)",
    ),
    "invalid/228-node-selector-true.yaml": (
        {"FLY106": "FLY103"},
        "`true` is the bool `True` where nodeSelector is Dict[str, str]: a wrong type (FLY103)",
    ),
    "invalid/241-flyte-node-selector-on.yaml": (
        {"FLY106": "FLY103"},
        "PyYAML reads `on` as true; in Python the bool `True` in nodeSelector (Dict[str, str]) "
        "is a wrong type (FLY103)",
    ),
    "invalid/229-args-number.yaml": (
        {"FLY106": "FLY103"},
        "`10` is an int in args (List[str]): a wrong type (FLY103)",
    ),
}

# Cases with no Python form: {case: why}.
SKIPPED = {
    "valid/136-pod-status-fields-not-required.yaml": (
        "a partial `status`: the API server ignores it on create, but the client's models "
        "require its fields (V1PodCondition(type=...) without status= does not build)"
    ),
    "invalid/233-duplicate-key.yaml": (
        "a duplicate key: the Python form, a keyword given twice, is a syntax error "
        "(`keyword argument repeated`), not a pod"
    ),
    "invalid/234-snake-case-field-in-kubernetes-object.yaml": (
        "`volume_mounts` is the wrong key in YAML and the right keyword in Python: the "
        "translation is a valid pod"
    ),
}


def quantity_fields():
    """(client model, API field) of every `resource.Quantity` field (or map of them) of the
    newest embedded Kubernetes schema. The API server decodes a JSON number there as the
    quantity (`cpu: 2`), the client types them `str`: their Python form is the string."""
    path = os.path.join(HERE, "..", "..", "..", "schemas", "k8s", "v1.37.json")
    with open(path, encoding="utf-8") as f:
        defs = json.load(f)["$defs"]
    out = set()
    for name, schema in defs.items():
        for field, s in schema.get("properties", {}).items():
            ref = s.get("$ref") or s.get("additionalProperties", {}).get("$ref", "")
            if ref.endswith(".Quantity") and name.startswith("io.k8s.api.core.v1."):
                out.add(("V1" + name.rsplit(".", 1)[1], field))
    return out


QUANTITY = quantity_fields()


class NeedsEntry(Exception):
    """The translation changes the case's meaning in a way MAPPED or SKIPPED must decide."""


# ---------------------------------------------------------------------------------------------
# go-yaml v2's reading of plain scalars (mirrors src/yaml/scalar.rs, Dialect::Go).

NULLS = {"", "~", "null", "Null", "NULL"}
TRUES = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "y", "Y"}
FALSES = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "n", "N"}
GO_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def go_int(v):
    if not v or not (v[0].isdigit() or v[0] in "+-"):
        return None
    plain = v.replace("_", "")
    sign = -1 if plain.startswith("-") else 1
    body = plain[1:] if plain[:1] in "+-" else plain
    low = body.lower()
    if low.startswith("0x"):
        radix, digits = 16, body[2:]
    elif low.startswith("0o"):
        radix, digits = 8, body[2:]
    elif low.startswith("0b"):
        radix, digits = 2, body[2:]
    elif len(body) > 1 and body.startswith("0"):
        radix, digits = 8, body[1:]
    else:
        radix, digits = 10, body
    if not digits or digits[0] in "+-":
        return None
    try:
        n = sign * int(digits, radix)
    except ValueError:
        return None
    return n if -(2**63) <= n < 2**63 else None


def go_read(v):
    """The value go-yaml v2 gives the plain scalar `v`."""
    if v in NULLS:
        return None
    if v in TRUES:
        return True
    if v in FALSES:
        return False
    if v in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
        return float("inf")
    if v in ("-.inf", "-.Inf", "-.INF"):
        return float("-inf")
    if v in (".nan", ".NaN", ".NAN"):
        return float("nan")
    n = go_int(v)
    if n is not None:
        return n
    if v and (v[0].isdigit() or v[0] in "+-.") and GO_FLOAT.match(v.replace("_", "")):
        return float(v.replace("_", ""))
    return v


def pyyaml_read(node):
    """The value PyYAML gives the scalar node (for the go-yaml/PyYAML comparison)."""
    return yaml.SafeLoader("").construct_object(node)


def value_of(node):
    """A scalar node's value as the API server decodes it."""
    if node.style is None:  # plain
        return go_read(node.value)
    return node.value


# ---------------------------------------------------------------------------------------------
# The translation.

LIST = re.compile(r"^List\[(.+)\]$")
DICT = re.compile(r"^Dict\[str, (.+)\]$")


def snake(name):
    """The snake_case keyword a Python user would write for a camelCase key."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.replace("-", "_").lower()


def model(name):
    cls = getattr(client, name, None)
    return cls if cls is not None and hasattr(cls, "attribute_map") else None


# The Flyte calls a Flyte document becomes, and the types of the keywords that hold more than a
# plain value (the YAML keys of a Flyte document are the SDK's keyword names already).
FLYTE = {
    "flyte.TaskEnvironment": {"pod_template": "flyte.PodTemplate", "resources": "flyte.Resources"},
    "flyte.PodTemplate": {
        "primary_container_name": "str",
        "labels": "Dict[str, str]",
        "annotations": "Dict[str, str]",
        "pod_spec": "V1PodSpec",
    },
    "flyte.Resources": {},
}


class Translator:
    def __init__(self, rel, dialect):
        self.rel = rel
        # "go" (a Kubernetes object, read by kubectl) or "pyyaml" (a Flyte document).
        self.dialect = dialect
        self.imports = set()
        # Why the case needs a MAPPED or SKIPPED entry, if it does.
        self.changes = []

    def literal(self, value):
        if value is None or isinstance(value, bool):
            return repr(value)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise NeedsEntry(f"{self.rel}: {value} has no Python literal")
            return repr(value)
        return json.dumps(value, ensure_ascii=False)

    def scalar(self, node, ty, quantity=False):
        value = value_of(node) if self.dialect == "go" else pyyaml_read(node)
        if quantity and isinstance(value, (int, float)) and not isinstance(value, bool):
            return json.dumps(node.value)
        if node.style is None and self.dialect == "pyyaml":
            if ty == "str" and value is not None and not isinstance(value, str):
                self.changes.append(f"`{node.value}` is {value!r} where a str is wanted")
        elif node.style is None:
            theirs = pyyaml_read(node)
            if type(theirs) is not type(value) or theirs != value:
                self.changes.append(
                    f"go-yaml reads `{node.value}` as {value!r}, PyYAML as {theirs!r}"
                )
            if ty == "str" and value is not None and not isinstance(value, str):
                self.changes.append(f"`{node.value}` is {value!r} where a str is wanted")
        if isinstance(value, int) and re.fullmatch(r"0[0-7]+", node.value):
            return "0o" + node.value[1:]  # `0644`: what a Python user writes is 0o644
        return self.literal(value)

    def expr(self, node, ty, indent, quantity=False):
        """`node` as a Python expression of the client type `ty` (None: no model known);
        `quantity`: the field holds a quantity or a map of them."""
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, ty, quantity)
        m = LIST.match(ty or "")
        if isinstance(node, yaml.SequenceNode):
            item = m.group(1) if m else None
            return self.seq([self.expr(n, item, indent + 1) for n in node.value], indent)
        # A mapping.
        if ty in FLYTE:
            self.imports.add("flyte")
            args = []
            for k, v in node.value:
                args.append(f"{k.value}={self.expr(v, FLYTE[ty].get(k.value), indent + 1)}")
            return self.seq(args, indent, f"{ty}(", ")")
        cls = model(ty) if ty else None
        if cls is None:
            d = DICT.match(ty or "")
            inner = d.group(1) if d else None
            entries = []
            for k, v in node.value:
                key = self.dict_key(k)
                entries.append(f"{key}: {self.expr(v, inner, indent + 1, quantity)}")
            return self.seq(entries, indent, "{", "}")
        self.imports.add(ty)
        keywords = {api: attr for attr, api in cls.attribute_map.items()}
        args = []
        for k, v in node.value:
            key = k.value
            attr = keywords.get(key)
            if attr is None:
                attr = snake(key)
                if attr in cls.attribute_map:
                    self.changes.append(
                        f"`{key}` is unknown to {ty}, but its keyword `{attr}` is a real one"
                    )
                field_ty = None
            else:
                field_ty = cls.openapi_types[attr]
            q = (ty, key) in QUANTITY
            args.append(f"{attr}={self.expr(v, field_ty, indent + 1, q)}")
        return self.seq(args, indent, f"{ty}(", ")")

    def dict_key(self, k):
        if not isinstance(k, yaml.ScalarNode):
            raise NeedsEntry(f"{self.rel}: a mapping key that is not a scalar")
        if k.style is None and not isinstance(go_read(k.value), str):
            self.changes.append(f"the key `{k.value}` is not a string to go-yaml")
        return json.dumps(k.value, ensure_ascii=False)

    @staticmethod
    def seq(items, indent, open_="[", close="]"):
        if not items:
            return open_ + close
        one_line = open_ + ", ".join(items) + close
        if "\n" not in one_line and 4 * indent + len(one_line) <= 80:
            return one_line
        pad = "    " * (indent + 1)
        body = "".join(f"{pad}{item},\n" for item in items)
        return f"{open_}\n{body}{'    ' * indent}{close}"


def duplicate_keys(node):
    """Whether any mapping under `node` repeats a key."""
    if isinstance(node, yaml.MappingNode):
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        if len(keys) != len(set(keys)):
            return True
        return any(duplicate_keys(v) for _, v in node.value)
    if isinstance(node, yaml.SequenceNode):
        return any(duplicate_keys(n) for n in node.value)
    return False


def header_of(text):
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def rewrite_header(rel, lines, mapping):
    out = []
    for line in lines:
        m = re.match(r"^# expect: (FLY\S+) (\S+)$", line)
        if m and m.group(1) in mapping:
            target = mapping[m.group(1)].split()
            code = target[0]
            severity = target[1] if len(target) > 1 else m.group(2)
            out.append(f"# expect: {code} {severity}")
        elif line.startswith("# flyte-lsp:"):
            continue
        else:
            out.append(line)
    out.append(f"# yaml: tests/corpus/k8s/{rel}")
    if rel in MAPPED:
        old = ", ".join(f"{a} -> {b}" for a, b in MAPPED[rel][0].items())
        out.append(f"# python: {old + ': ' if old else ''}{MAPPED[rel][1]}")
    out.append("# Generated by tests/corpus/python/gen.py; do not edit.")
    return out


def translate(rel, text):
    """(python source, None) for a case, or (None, why it is skipped)."""
    if rel in SKIPPED:
        return None, SKIPPED[rel]
    escapes = []
    try:
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as e:
        if "unknown escape character \"'\"" not in str(e):
            raise NeedsEntry(f"{rel}: PyYAML cannot read it: {e}") from e
        # go-yaml reads `\'` in a double-quoted scalar as `'`; PyYAML refuses the escape.
        docs = list(yaml.compose_all(text.replace("\\'", "'"), Loader=yaml.SafeLoader))
        escapes.append("go-yaml reads the escape `\\'` as `'`, PyYAML refuses it")
    events = yaml.parse(text.replace("\\'", "'") if escapes else text, Loader=yaml.SafeLoader)
    if any(isinstance(e, yaml.AliasEvent) for e in events):
        # The composed node is shared; its Python form (a name bound once, or a copy) is a choice.
        raise NeedsEntry(f"{rel}: an alias")
    imports, statements, changes, names = set(), [], list(escapes), []
    for root in docs:
        if root is None or not isinstance(root, yaml.MappingNode):
            raise NeedsEntry(f"{rel}: a document that is not a mapping")
        kinds = [v.value for k, v in root.value if k.value == "kind"]
        keys = {k.value for k, _ in root.value}
        if kinds:
            kind = kinds[0]
            if kind not in ("Pod", "PodTemplate"):
                raise NeedsEntry(f"{rel}: kind {kind}")
            ty, name, dialect = f"V1{kind}", "pod" if kind == "Pod" else "template", "go"
        elif keys & {"pod_spec", "primary_container_name"}:
            ty, name, dialect = "flyte.PodTemplate", "pod_template", "pyyaml"
        else:
            ty, name, dialect = "flyte.TaskEnvironment", "env", "pyyaml"
        if duplicate_keys(root):
            raise NeedsEntry(f"{rel}: a duplicate key")
        t = Translator(rel, dialect)
        body = t.expr(root, ty, 0)
        changes += t.changes
        imports |= t.imports
        # One name per document, in document order: `template`, or `template_2` for a second.
        names.append(name)
        if names.count(name) > 1:
            name = f"{name}_{names.count(name)}"
        statements.append(f"{name} = {body}\n")
    if changes and rel not in MAPPED:
        raise NeedsEntry(f"{rel}: " + "; ".join(changes))
    models = sorted(imports - {"flyte"})
    line = "from kubernetes.client import " + ", ".join(models) if models else ""
    if len(line) > 100:
        line = "from kubernetes.client import (\n" + "".join(f"    {i},\n" for i in models) + ")"
    if "flyte" in imports:
        line = ("import flyte\n" + line).strip()
    mapping = MAPPED.get(rel, ({}, ""))[0]
    header = rewrite_header(rel, header_of(text), mapping)
    return "\n".join(header) + f"\n\n{line}\n\n" + "\n\n".join(statements), None


def generate():
    """{relative .py path: source}, [(case, why skipped)]."""
    files, skipped, problems = {}, [], []
    for sub in ("invalid", "valid"):
        folder = os.path.join(YAML_CORPUS, sub)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".yaml"):
                continue
            rel = f"{sub}/{name}"
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                text = f.read()
            try:
                source, why = translate(rel, text)
            except NeedsEntry as e:
                problems.append(str(e))
                continue
            if source is None:
                skipped.append((rel, why))
            else:
                files[f"{sub}/{name[:-len('.yaml')]}.py"] = source
    for rel in list(MAPPED) + list(SKIPPED):
        if not os.path.exists(os.path.join(YAML_CORPUS, rel)):
            problems.append(f"MAPPED/SKIPPED name {rel}, which does not exist")
    if problems:
        raise NeedsEntry("\n  ".join([""] + problems))
    lines = [
        "# The YAML cases of tests/corpus/k8s/ with no Python form, and why.",
        "# Generated by tests/corpus/python/gen.py (SKIPPED);",
        "# do not edit. tests/corpus_python.rs counts them.",
    ]
    lines += [f"{rel}: {why}" for rel, why in skipped]
    files["SKIPPED.txt"] = "\n".join(lines) + "\n"
    return files, skipped


def on_disk():
    found = {}
    listing = os.path.join(HERE, "SKIPPED.txt")
    if os.path.exists(listing):
        with open(listing, encoding="utf-8") as f:
            found["SKIPPED.txt"] = f.read()
    for sub in ("invalid", "valid"):
        folder = os.path.join(HERE, sub)
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), encoding="utf-8") as f:
                        found[f"{sub}/{name}"] = f.read()
    return found


def main(argv):
    check = argv[1:] == ["--check"]
    if argv[1:] and not check:
        print(__doc__.strip().splitlines()[0], "\nusage: gen.py [--check]", file=sys.stderr)
        return 2
    if kubernetes.__version__ != KUBERNETES_VERSION:
        print(f"kubernetes {KUBERNETES_VERSION} is needed, not {kubernetes.__version__}",
              file=sys.stderr)
        return 2
    try:
        files, skipped = generate()
    except NeedsEntry as e:
        print(f"needs a MAPPED or SKIPPED entry: {e}", file=sys.stderr)
        return 2
    present = on_disk()
    stale = sorted(p for p in files if present.get(p) != files[p])
    extra = sorted(p for p in present if p not in files)
    if check:
        for p in stale:
            print(f"stale: tests/corpus/python/{p}")
        for p in extra:
            print(f"left over: tests/corpus/python/{p}")
        if stale or extra:
            print("run tests/corpus/python/gen.py to regenerate", file=sys.stderr)
            return 1
        print(f"python corpus: {len(files) - 1} cases current, {len(skipped)} skipped")
        return 0
    for sub in ("invalid", "valid"):
        os.makedirs(os.path.join(HERE, sub), exist_ok=True)
    for p in stale:
        with open(os.path.join(HERE, p), "w", encoding="utf-8") as f:
            f.write(files[p])
    for p in extra:
        os.remove(os.path.join(HERE, p))
    print(f"python corpus: {len(files) - 1} cases ({len(stale)} files written, {len(extra)} removed), "
          f"{len(skipped)} cases skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
