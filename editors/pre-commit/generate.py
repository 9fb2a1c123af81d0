#!/usr/bin/env python3
"""Write the flyte-lsp pre-commit hook repository for one version into a folder.

pre-commit installs a `language: python` hook with `pip install .` of the hook's repository, so a
hook at flyte-lsp's own root would compile Rust. Like astral-sh/ruff-pre-commit, the hook lives in
a tiny repository of its own whose only dependency is the `flyte-lsp==VERSION` wheel. This script
fills the template beside it (template/) with a version, by default Cargo.toml's, so the hook
repository and the wheel cannot name different versions.

    python3 editors/pre-commit/generate.py OUTDIR [--version X.Y.Z]

OUTDIR is created if needed; the template's files in it are overwritten, nothing else is touched.
Commit and tag OUTDIR (`vX.Y.Z`) to publish it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "template"
CARGO_TOML = HERE.parent.parent / "Cargo.toml"
# A PEP 440 release as Cargo writes it (no local part: PyPI refuses those).
VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$")


def cargo_version() -> str:
    """The `[package]` version of flyte-lsp's Cargo.toml (the one `flyte-lsp --version` prints)."""
    in_package = False
    for line in CARGO_TOML.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_package = stripped == "[package]"
        elif in_package:
            match = re.match(r'version\s*=\s*"([^"]+)"', stripped)
            if match:
                return match.group(1)
    raise SystemExit(f"no [package] version in {CARGO_TOML}")


def pep440(version: str) -> str:
    """Cargo's pre-release spelling as maturin writes it in the wheel (`1.0.0-beta.2` is `1.0.0b2`)."""
    match = re.fullmatch(r"([0-9.]+)-(alpha|beta|rc)\.?([0-9]+)", version)
    if not match:
        return version
    tag = {"alpha": "a", "beta": "b", "rc": "rc"}[match.group(2)]
    return f"{match.group(1)}{tag}{match.group(3)}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="folder to write the hook repository into")
    parser.add_argument("--version", help="flyte-lsp version to pin (default: Cargo.toml's)")
    args = parser.parse_args(argv)

    version = pep440(args.version or cargo_version())
    if not VERSION.match(version):
        parser.error(f"`{version}` is not a version PyPI accepts (e.g. 0.1.0)")

    args.outdir.mkdir(parents=True, exist_ok=True)
    for source in sorted(TEMPLATE.iterdir()):
        text = source.read_text(encoding="utf-8").replace("@VERSION@", version)
        (args.outdir / source.name).write_text(text, encoding="utf-8")
        print(f"wrote {args.outdir / source.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
