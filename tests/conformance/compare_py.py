"""Compare `flyte-lsp render` and `flyte-lsp check` on Python files with the real flyte SDK.

Usage: python compare_py.py [-v] [FILE.py ...]

Run it with a Python that has the pinned SDK installed (run.sh sets that up); without arguments
it takes every `python/*.py` beside this file. The binary is `$FLYTE_LSP`, by default
`target/release/flyte-lsp` of this repository. It imports the files (`sdk_render_py.py` runs
them): only the project's own test files belong here.

Each file starts with comments: what it checks, then the header
    # expect: render
or
    # expect: refuse FLY305 [FLY310 ...]
and, for a refusal, optionally
    # render: --environment NAME --task FN
(the arguments render is refused with; default none: the file's one environment).

`sdk_render_py.py` serializes every task of every environment with the SDK; then:
- `expect: render`: the SDK must serialize at least one task, and for each task
  `flyte-lsp render FILE --environment ENV --task FN --layer sdk --format json` must give the
  SDK's pod (compared as `compare.py` does: numbers numerically, render's `<version>`, `<module>`
  and `<task function>` placeholders in the primary's args match anything at their position).
  For a task without its own `pod_template`, `--environment ENV` alone must give it too.
- `expect: refuse CODES`: the SDK must raise (importing or serializing), `flyte-lsp check
  --format json FILE` must report an error with one of CODES, and render must exit 1 with
  nothing on stdout.
The header is checked against the SDK both ways, so a case cannot pass without testing something.
A render without `--task` (before it existed) is compared with `--environment ENV` alone, and a
task with its own `pod_template` then fails, saying so.

Cases in the table under `## Known discrepancies: Python` of README.md are expected to fail:
`XFAIL name: ...`, not a failure; `XPASS name` when one passes, a failure until its row is removed.

Prints `PASS name` or `FAIL name: <first difference>` per file, then `N passed, M failed, K known
discrepancies`; exits 1 on any failure, 2 when it cannot run at all.
"""

import functools
import json
import os
import re
import sys

from compare import (
    HERE,
    Mismatch,
    cli,
    compare_pod,
    first_line,
    render_side,
    run,
    sdk_json,
)

SDK_SCRIPT = os.path.join(HERE, "sdk_render_py.py")
README = os.path.join(HERE, "README.md")
KNOWN_SECTION = "## Known discrepancies: Python"
HEADER = re.compile(r"#\s*(expect|render):\s*(.*?)\s*$")
CODE = re.compile(r"FLY\d{3}")


def header(path):
    """The file's header from its leading comment lines: {"expect": "render"} or
    {"expect": "refuse", "codes": [...]}, plus "render": [args] when given."""
    out = {}
    with open(path) as f:
        for line in f:
            if not line.startswith("#"):
                break
            m = HEADER.match(line)
            if not m:
                continue
            key, value = m.groups()
            if key in out:
                raise Mismatch(f"header: `# {key}:` twice")
            if key == "render":
                out["render"] = value.split()
                continue
            words = value.split()
            if words == ["render"]:
                out["expect"] = "render"
            elif words[:1] == ["refuse"] and len(words) > 1 and all(CODE.fullmatch(w) for w in words[1:]):
                out["expect"] = "refuse"
                out["codes"] = words[1:]
            else:
                raise Mismatch(f"header: `# expect: {value}` is neither `render` nor `refuse FLYnnn ...`")
    if "expect" not in out:
        raise Mismatch("header: no `# expect: render` or `# expect: refuse FLYnnn` line among the first comments")
    if "render" in out and out["expect"] != "refuse":
        raise Mismatch("header: `# render:` arguments are for refusals only")
    return out


def known_discrepancies():
    """The table under `## Known discrepancies: Python` in README.md: {case name: difference}.
    Those cases are expected to fail (XFAIL); one that passes fails the run until its row goes."""
    known = {}
    with open(README) as f:
        inside = False
        for line in f:
            if line.startswith("## "):
                inside = line.strip() == KNOWN_SECTION
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")] if inside and line.startswith("|") else []
            if len(cells) >= 2 and re.fullmatch(r"\d\d-[a-z0-9-]+", cells[0]):
                known[cells[0]] = cells[1]
    return known


@functools.lru_cache(maxsize=None)
def has_task_option(binary):
    """Whether this render knows `--task` (the lead's branch adds it)."""
    return "--task" in run([binary, "render", "--help"]).stdout


def render_cmd(binary, case, *args, fmt="json"):
    return [binary, "render", case, *args, "--format", fmt, "--layer", "sdk"]


def check_rendered(binary, case, sdk_task, args):
    rp = run(render_cmd(binary, case, *args))
    shown = " ".join(args)
    if rp.returncode == 1:
        raise Mismatch(f"[{shown}] render refuses ({first_line(rp.stderr)[:200]}) but the SDK serializes it")
    if rp.returncode != 0:
        raise Mismatch(f"[{shown}] render failed (exit {rp.returncode}): {first_line(rp.stderr)}")
    try:
        return compare_pod(sdk_task, render_side(rp), render_cmd(binary, case, *args, fmt="yaml"))
    except Mismatch as e:
        raise Mismatch(f"[{shown}] {e}")


def check_render(binary, case, sdk):
    if "error" in sdk:
        raise Mismatch(f"header says render, but the SDK refuses ({sdk['stage']}): {first_line(sdk['error'])[:200]}")
    tasks = sdk["tasks"]
    if not tasks:
        raise Mismatch("the SDK finds no task (each environment needs an `@env.task`)")
    with_task = has_task_option(binary)
    # Tasks with the environment's template first: without --task they are still compared.
    for t in sorted(tasks, key=lambda t: t["own_pod_template"]):
        env = ["--environment", t["env"]]
        if with_task:
            check_rendered(binary, case, t, [*env, "--task", t["task"]])
        elif t["own_pod_template"]:
            raise Mismatch(f"task {t['task']} has its own pod_template, and this render has no --task to show it")
        if not t["own_pod_template"]:
            check_rendered(binary, case, t, env)
    return f"{len(tasks)} task(s) equal" + ("" if with_task else " (render without --task: --environment only)")


def check_refuse(binary, case, sdk, codes, args):
    if "error" not in sdk:
        names = ", ".join(f"{t['env']}.{t['task']}" for t in sdk["tasks"])
        raise Mismatch(f"header says refuse {' '.join(codes)}, but the SDK serializes {names or 'the file (no task)'}")
    cp = run([binary, "check", "--format", "json", case])
    if cp.returncode not in (0, 1):
        raise Mismatch(f"check failed (exit {cp.returncode}): {first_line(cp.stderr)}")
    diagnostics = [d for f in json.loads(cp.stdout)["files"] for d in f["diagnostics"]]
    errors = sorted({d["code"] for d in diagnostics if d["severity"] == "error"})
    sdk_says = first_line(sdk["error"])[:160]
    if not set(errors) & set(codes):
        others = ", ".join(f"{d['code']} ({d['severity']})" for d in diagnostics) or "nothing"
        raise Mismatch(f"SDK refuses ({sdk_says}); check reports no error {'/'.join(codes)}, it reports {others}")
    rp = run(render_cmd(binary, case, *args))
    if rp.returncode != 1 or rp.stdout.strip():
        how = "rendered a pod" if rp.returncode == 0 else f"exited {rp.returncode}: {first_line(rp.stderr)}"
        raise Mismatch(f"SDK refuses ({sdk_says}), check reports {'/'.join(errors)}, but render {how}")
    return f"all refuse; SDK: {sdk_says}; check: {'/'.join(errors)}"


def check_file(case, python, binary):
    """Compares one file; returns what passed, or raises Mismatch with the first difference."""
    head = header(case)
    sdk = sdk_json(run([python, SDK_SCRIPT, case]), "sdk_render_py.py")
    if head["expect"] == "render":
        return check_render(binary, case, sdk)
    return check_refuse(binary, case, sdk, head["codes"], head.get("render", []))


def main():
    return cli(
        __doc__,
        os.path.join("python", "*.py"),
        "Python files",
        lambda case, python, binary: check_file(os.path.abspath(case), python, binary),
        known_discrepancies(),
    )


if __name__ == "__main__":
    sys.exit(main())
