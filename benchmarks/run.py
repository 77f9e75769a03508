"""migrator against TensorFlow's `tf_upgrade_v2` on the same real TF1 code bases.

    .venv/bin/python benchmarks/run.py [--trees tensor2tensor,tensorpack]

Fetches the trees once (wheels from the package registry, unpacked into
~/.cache/migrator/bench; never committed), then for each tree, in one run:
* wall time and peak memory of `migrator migrate --diff` (all cores) and of
  `tf_upgrade_v2 --intree --outtree`, and their ratio;
* robustness: files, changed, failed (with reasons), migrated outputs that parse, and
  per-file diffs that `git apply --check` accepts;
* how TensorFlow symbol uses end up: native TF2 versus `tf.compat.v1`, for both tools.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("MIGRATOR_CACHE", Path.home() / ".cache" / "migrator")) / "bench"
TREES = {"tensor2tensor": "tensor2tensor==1.15.7", "tensorpack": "tensorpack==0.11"}
BIN = Path(sys.executable).parent

# Runs a command and reports its wall time and the peak memory of its process tree.
_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "wall": wall, "peak_mb": peak / 1024}))
"""


def fetch(name: str) -> Path:
    tree = CACHE / f"src_{name}"
    if tree.exists():
        return tree
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", TREES[name], "-d", str(CACHE)], check=True
    )
    wheel = next(CACHE.glob(f"{name}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tree)
    return tree


def measure(command: list[str]) -> dict:
    output = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def symbol_share(folder: Path) -> tuple[int, int]:
    sys.path.insert(0, str(ROOT))
    from migrator.analysis.tf_api import count_symbol_uses

    native = compat = 0
    for path in folder.rglob("*.py"):
        try:
            n, c = count_symbol_uses(path.read_bytes())
        except Exception:  # noqa: BLE001 - a file the counter cannot parse counts as nothing
            continue
        native, compat = native + n, compat + c
    return native, compat


def robustness(tree: Path, work: Path) -> dict:
    """Migrate a copy in place, then check every output and every per-file diff."""
    copy = work / "inplace"
    shutil.copytree(tree, copy)
    report = subprocess.run(
        [str(BIN / "migrator"), "migrate", ".", "--format", "json", "-q"], cwd=copy, capture_output=True, text=True
    )
    summary = json.loads(report.stdout)
    failed = [f"{f['path']}: {f['error']}" for f in summary["files"] if f["status"] == "failed"]
    parsed = 0
    changed = [f["path"] for f in summary["files"] if f["status"] == "changed"]
    for path in changed:
        try:
            ast.parse((copy / path).read_bytes())
            parsed += 1
        except SyntaxError:
            pass
    git_tree = work / "git"
    shutil.copytree(tree, git_tree)
    subprocess.run(["git", "init", "-q"], cwd=git_tree, check=True)
    # One patch for the tree, split per file: each must apply on its own.
    from unidiff import PatchSet

    patch = subprocess.run(
        [str(BIN / "migrator"), "migrate", ".", "--diff", "-q"], cwd=git_tree, capture_output=True
    ).stdout.decode("latin-1")
    applied = 0
    for patched_file in PatchSet(patch):
        check = subprocess.run(
            ["git", "apply", "--check", "-"], cwd=git_tree, input=str(patched_file).encode("latin-1"),
            capture_output=True,
        )
        applied += check.returncode == 0
    return {
        "files": summary["summary"]["files"],
        "changed": len(changed),
        "failed": failed,
        "outputs_parse": parsed,
        "diffs_apply": applied,
        "declined": summary["summary"]["declined"],
        "migrated_tree": copy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", default=",".join(TREES))
    options = parser.parse_args()
    for name in options.trees.split(","):
        tree = fetch(name)
        files = sum(1 for _ in tree.rglob("*.py"))
        lines = sum(p.read_bytes().count(b"\n") for p in tree.rglob("*.py"))
        with tempfile.TemporaryDirectory() as scratch:
            work = Path(scratch)
            ours = measure([str(BIN / "migrator"), "migrate", str(tree), "--diff", "-q"])
            theirs = measure([str(BIN / "tf_upgrade_v2"), "--intree", str(tree), "--outtree", str(work / "upgraded"),
                              "--reportfile", str(work / "report.txt")])
            checks = robustness(tree, work)
            ours_native, ours_compat = symbol_share(checks["migrated_tree"])
            their_native, their_compat = symbol_share(work / "upgraded")
        print(f"== {name}: {files} Python files, {lines} lines")
        print(f"migrator migrate --diff : {ours['wall']:7.1f} s  peak {ours['peak_mb']:6.0f} MB")
        print(f"tf_upgrade_v2           : {theirs['wall']:7.1f} s  peak {theirs['peak_mb']:6.0f} MB")
        print(f"ratio (tf_upgrade_v2 / migrator wall time): {theirs['wall'] / ours['wall']:.2f}x")
        print(
            f"robustness: {checks['files']} files, {checks['changed']} changed, {len(checks['failed'])} failed, "
            f"{checks['outputs_parse']}/{checks['changed']} outputs parse, "
            f"{checks['diffs_apply']}/{checks['changed']} diffs apply with git apply"
        )
        for failure in checks["failed"]:
            print(f"  failed: {failure}")
        print(f"declined by rule: {checks['declined']}")
        for label, native, compat in (("migrator", ours_native, ours_compat), ("tf_upgrade_v2", their_native, their_compat)):
            total = native + compat
            share = 100.0 * native / total if total else 0.0
            print(f"TF symbol uses after {label}: {native} native, {compat} tf.compat.v1 ({share:.1f}% native)")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"benchmark finished in {time.perf_counter() - start:.0f} s")
