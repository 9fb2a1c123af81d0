"""Compare `flyte-lsp render --format json --layer sdk` with the real flyte SDK, case by case.

Usage: python compare.py [-v] [CASE.yaml ...]

Run it with a Python that has the pinned SDK installed (run.sh sets that up); without case
arguments it takes every `cases/*.yaml` beside this file. The binary is `$FLYTE_LSP`, by default
`target/release/flyte-lsp` of this repository.

For each case, `sdk_render.py` serializes the task environment with the SDK and `flyte-lsp render`
renders it; then:
- the SDK refuses (`{"error": ...}`): render must exit 1 with nothing on stdout;
- the SDK registers a `k8s_pod`: render's `metadata` and `spec` must equal the SDK's field for field;
- the SDK registers a plain container (string or no `pod_template`): render's pod must be that
  container alone, as the primary (name, image, command, args, env, resources), with empty metadata;
  for a string template the SDK's `pod_template_name` must be the string and render's YAML must carry
  the note naming it.
Normalization: numbers compare numerically (the pod spec travels as a protobuf Struct, whose numbers
are doubles), booleans only equal booleans, missing labels/annotations equal {}, and in the primary
container's `args` render's placeholders `<version>`, `<module>` and `<task function>` stand for
whatever the SDK has at the same position.

Prints `PASS name` or `FAIL name: <first difference>` per case, then `N passed, M failed`; exits 1
on any failure, 2 when it cannot run at all.
"""

import argparse
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SDK_SCRIPT = os.path.join(HERE, "sdk_render.py")
PLACEHOLDERS = {"<version>", "<module>", "<task function>"}
RUN_TIME = "<run time>"
DEFAULT_PRIMARY = "primary"
TIMEOUT = 300


class Mismatch(Exception):
    pass


def short(value, limit=200):
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def last_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def diff(sdk, render, path, primary_args_paths=frozenset()):
    """The first difference between `sdk` and `render` as 'PATH: ...', or None.
    `primary_args_paths` are the paths of the primary containers' `args` and `image`, where
    render's placeholders stand for what only the SDK's run knows; render's `<run time>` (a
    value of a Python file that only running it gives) matches any SDK value anywhere."""
    if render == RUN_TIME:
        return None
    if path in primary_args_paths and isinstance(sdk, list) and isinstance(render, list):
        return diff_args(sdk, render, path)
    if path in primary_args_paths and isinstance(sdk, str) and isinstance(render, str):
        if sdk == render or re.fullmatch(placeholder_pattern(render), sdk):
            return None
        return f"{path}: SDK {short(sdk)}, render {short(render)}"
    if isinstance(sdk, dict) and isinstance(render, dict):
        for key in sorted(set(sdk) | set(render)):
            sub = f"{path}.{key}"
            if key not in render:
                return f"{sub}: SDK has {short(sdk[key])}, render has no such key"
            if key not in sdk:
                return f"{sub}: render has {short(render[key])}, SDK has no such key"
            d = diff(sdk[key], render[key], sub, primary_args_paths)
            if d:
                return d
        return None
    if isinstance(sdk, list) and isinstance(render, list):
        for i, (a, b) in enumerate(zip(sdk, render)):
            d = diff(a, b, f"{path}[{i}]", primary_args_paths)
            if d:
                return d
        if len(sdk) != len(render):
            return f"{path}: SDK has {len(sdk)} items, render has {len(render)}"
        return None
    if is_number(sdk) and is_number(render):
        if float(sdk) == float(render):
            return None
    elif type(sdk) is type(render) and sdk == render:
        return None
    return f"{path}: SDK {short(sdk)}, render {short(render)}"


def diff_args(sdk, render, path):
    """Primary args: exact, except render's placeholders, which match any SDK string by position."""
    for i, (a, b) in enumerate(zip(sdk, render)):
        if b in PLACEHOLDERS and isinstance(a, str):
            continue
        if a != b:
            return f"{path}[{i}]: SDK {short(a)}, render {short(b)}"
    if len(sdk) != len(render):
        return f"{path}: SDK has {len(sdk)} args, render has {len(render)}"
    return None


def placeholder_pattern(text):
    """A regular expression for a string of render's with `<...>` placeholders in it (an image
    `<image>`, `ghcr.io/flyteorg/flyte:py<python version>-v2.12.1`): each stands for a non-empty
    run of characters."""
    return "".join(".+" if part.startswith("<") else re.escape(part) for part in re.split(r"(<[a-z ]+>)", text))


def primary_args_paths(spec, primary):
    return frozenset(
        f"$.spec.containers[{i}].{field}"
        for i, c in enumerate(spec.get("containers") or [])
        if isinstance(c, dict) and c.get("name") == primary
        for field in ("args", "image")
    )


def normalize_metadata(meta):
    meta = dict(meta or {})
    for key in ("labels", "annotations"):
        meta[key] = meta.get(key) or {}
    return meta


def container_as_pod_container(c, name):
    """The primary container `_get_k8s_pod` would build from a container target and an empty template."""
    out = {
        "name": name,
        "image": c.get("image", ""),
        "command": c.get("command", []),
        "args": c.get("args", []),
        "env": [{"name": e.get("key", ""), "value": e.get("value", "")} for e in c.get("env", [])],
    }
    res = c.get("resources") or {}
    if res.get("requests") or res.get("limits"):
        out["resources"] = {
            part: {e.get("name", "UNKNOWN").lower().replace("_", "-"): e.get("value", "") for e in res.get(part, [])}
            for part in ("limits", "requests")
        }
    return out


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, **kw)


def sdk_json(proc, script):
    """The JSON an oracle script printed, or Mismatch saying why there is none."""
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise Mismatch(f"{script} failed (exit {proc.returncode}): {last_line(proc.stderr) or 'no output'}")


def render_side(rp):
    """Render's successful JSON output as {metadata, spec}; Mismatch when it is not a v1 Pod."""
    try:
        pod = json.loads(rp.stdout)
    except ValueError:
        raise Mismatch("render printed no JSON")
    if pod.get("apiVersion") != "v1" or pod.get("kind") != "Pod":
        raise Mismatch(f"$: render's apiVersion/kind are {pod.get('apiVersion')!r}/{pod.get('kind')!r}, not v1/Pod")
    extra = sorted(set(pod) - {"apiVersion", "kind", "metadata", "spec"})
    if extra:
        raise Mismatch(f"$.{extra[0]}: render has a top-level key the SDK pod cannot have")
    return {"metadata": normalize_metadata(pod.get("metadata")), "spec": pod.get("spec")}


def compare_pod(sdk, rendered, yaml_cmd):
    """Compares an SDK result that is not a refusal with render's {metadata, spec}. `yaml_cmd` is
    the render command line for YAML output (to find the note naming a string pod_template)."""
    if sdk["target"] == "k8s_pod":
        primary = sdk.get("primary_container_name") or DEFAULT_PRIMARY
        sdk_side = {"metadata": normalize_metadata(sdk["metadata"]), "spec": sdk["spec"]}
        d = diff(sdk_side, rendered, "$", primary_args_paths(sdk["spec"], primary))
        if d:
            raise Mismatch(d)
        return "k8s_pod equal"

    # A container target: no pod is registered. Render shows the primary the SDK would have built.
    expected = {
        "metadata": {"labels": {}, "annotations": {}},
        "spec": {"containers": [container_as_pod_container(sdk["container"], DEFAULT_PRIMARY)]},
    }
    d = diff(expected, rendered, "$", primary_args_paths(expected["spec"], DEFAULT_PRIMARY))
    if d:
        raise Mismatch(f"(container target) {d}")
    name = sdk["pod_template_name"]
    if name:
        yp = run(yaml_cmd)
        notes = [line for line in yp.stdout.splitlines() if line.startswith("# Note:")]
        if yp.returncode != 0 or not any(f"`{name}`" in line for line in notes):
            raise Mismatch(f"render's YAML has no note naming the cluster PodTemplate `{name}`")
        return f"container target with pod_template_name {name!r} equal"
    return "container target equal"


def check_case(case, python, binary):
    """Compares one case; returns what passed, or raises Mismatch with the first difference."""
    with open(case) as f:
        doc = yaml.safe_load(f)
    sdk = sdk_json(run([python, SDK_SCRIPT, case]), "sdk_render.py")
    render_cmd = [binary, "render", case, "--format", "json", "--layer", "sdk"]
    rp = run(render_cmd)
    if rp.returncode not in (0, 1):
        raise Mismatch(f"render failed (exit {rp.returncode}): {first_line(rp.stderr)}")

    if "error" in sdk:
        if rp.returncode == 1 and not rp.stdout.strip():
            return f"both refuse; SDK: {first_line(sdk['error'])[:160]}; render: {first_line(rp.stderr)[:160]}"
        raise Mismatch(f"SDK refuses ({first_line(sdk['error'])[:160]}) but render rendered a pod")
    if rp.returncode == 1:
        raise Mismatch(f"render refuses ({first_line(rp.stderr)[:200]}) but the SDK serializes it")
    rendered = render_side(rp)
    pt = doc.get("pod_template") if isinstance(doc, dict) else None
    template_name = pt if isinstance(pt, str) and pt else ""
    if sdk["target"] == "container" and sdk["pod_template_name"] != template_name:
        if template_name:
            raise Mismatch(f"SDK pod_template_name is {sdk['pod_template_name']!r}, expected {template_name!r}")
        raise Mismatch(f"SDK pod_template_name is {sdk['pod_template_name']!r} without a string pod_template")
    return compare_pod(sdk, rendered, [binary, "render", case, "--format", "yaml", "--layer", "sdk"])


def run_cases(cases, job, jobs, verbose, known=None):
    """Runs `job(case)` (which returns (ok, message)) over the cases in parallel, prints
    `PASS`/`FAIL` lines in order (with why a case passed if `verbose`) and the total; returns the
    number of failures. `known` maps case names to a known discrepancy: such a case failing is
    `XFAIL` (not a failure), passing is `XPASS`, a failure (the list must not go stale)."""
    known = known or {}
    passed = failed = xfailed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for case, (ok, message) in zip(cases, pool.map(job, cases)):
            name = os.path.splitext(os.path.basename(case))[0]
            if name in known and ok:
                failed += 1
                print(f"XPASS {name}: passes, but is listed as a known discrepancy ({known[name]}): remove it from the list", flush=True)
            elif name in known:
                xfailed += 1
                print(f"XFAIL {name}: {message}" + (f"  (known: {known[name]})" if verbose else ""), flush=True)
            elif ok:
                passed += 1
                print(f"PASS {name}" + (f"  ({message})" if verbose else ""), flush=True)
            else:
                failed += 1
                print(f"FAIL {name}: {message}", flush=True)
    print(f"{passed} passed, {failed} failed" + (f", {xfailed} known discrepancies" if known else ""))
    return failed


def guarded(check):
    """`check(case)` as a job for `run_cases`: a Mismatch or a crash of the harness fails that case
    only."""

    def job(case):
        try:
            return True, check(case)
        except Mismatch as e:
            return False, str(e)
        except Exception as e:  # a crash in the harness is a failure of that case, not of the run
            return False, f"harness error: {type(e).__name__}: {e}"

    return job


def binary_or_none():
    binary = os.environ.get("FLYTE_LSP") or os.path.join(ROOT, "target", "release", "flyte-lsp")
    if not os.access(binary, os.X_OK):
        print(f"{os.path.basename(sys.argv[0])}: no flyte-lsp binary at {binary} (build it, or set FLYTE_LSP)", file=sys.stderr)
        return None
    return binary


def cli(doc, pattern, what, check, known=None):
    """The command line of a comparison script: case files (default `pattern` under this
    folder), -v, --python, -j; `check(case, python, binary)` judges one case."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("cases", nargs="*", help=f"{what} (default: {pattern})")
    ap.add_argument("-v", "--verbose", action="store_true", help="say why each case passed")
    ap.add_argument("--python", default=sys.executable, help="Python with the pinned SDK (default: this one)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()

    binary = binary_or_none()
    if binary is None:
        return 2
    cases = args.cases or sorted(glob.glob(os.path.join(HERE, pattern)))
    if not cases:
        print(f"{os.path.basename(sys.argv[0])}: no cases", file=sys.stderr)
        return 2
    job = guarded(lambda case: check(case, args.python, binary))
    return 1 if run_cases(cases, job, args.jobs, args.verbose, known) else 0


def main():
    return cli(__doc__, os.path.join("cases", "*.yaml"), "case files", check_case)


if __name__ == "__main__":
    sys.exit(main())
