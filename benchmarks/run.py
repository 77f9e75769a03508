"""migrator against TensorFlow's `tf_upgrade_v2` on the same real TF1 code bases.

    .venv/bin/python benchmarks/run.py [--trees tensor2tensor,tensorpack] [--jobs N] [--no-modern]

Fetches the trees once (wheels from the package registry with `pip download --no-deps`,
unpacked into ~/.cache/migrator/bench or $MIGRATOR_CACHE/bench; never committed), then
for each tree, in one run:

* speed (the median of 3 runs of each, taking turns: ``--rounds``): wall time, CPU time
  (also per 1,000 lines) and peak memory of `migrator migrate
  --diff` (the full pipeline, all cores unless --jobs, an empty cache) and of
  `tf_upgrade_v2 --intree --outtree`, and their ratio; then migrator's warm re-run (the
  same command over the unchanged tree, answered from its cache);
* one-file latency (an editor's use): the median wall and CPU time of 10 cold processes
  migrating a two-line file through stdin, for a file no rule touches and for one T101
  rewrites, and of `tf_upgrade_v2 --infile` on the latter;
* where migrator's time goes: CPU seconds per phase (read, parse, each rule, codegen,
  validate, diff), summed over the files, from the engine's own timings;
* robustness (issue 9): files, changed, unchanged, failed (with the reasons), whether
  any traceback was printed, how many migrated outputs parse, how many per-file diffs
  `git apply --check` accepts on their own, and whether applying the whole patch gives
  exactly what `migrator migrate` writes in place;
* how TensorFlow symbol uses end up, native TF2 versus `tf.compat.v1`, for both tools:
  printed once `codemods.analysis.tf_api.count_symbol_uses(source) -> (native, compat)`
  exists (issue 7's hook, see ``symbol_share``).

Then, once: how many files `migrator migrate --diff` changes in the installed Keras 3's own
sources (layers, the TensorFlow backend, optimizers, saving, models): code that is
already Keras 3 / TF 2 must come out unchanged, so the expected figure is 0.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = Path(os.environ.get("MIGRATOR_CACHE", Path.home() / ".cache" / "migrator")) / "bench"
TREES = {"tensor2tensor": "tensor2tensor==1.15.7", "tensorpack": "tensorpack==0.11"}
BIN = Path(sys.executable).parent


def fetch(name: str) -> Path:
    """The unpacked wheel of ``name`` (downloaded once into the cache)."""
    tree = CACHE / f"src_{name}"
    if tree.exists():
        return tree
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", TREES[name], "-d", str(CACHE)], check=True
    )
    wheel = next(CACHE.glob(f"{name}-*.whl"))
    partial = CACHE / f"partial_{name}"
    shutil.rmtree(partial, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(partial)
    partial.rename(tree)
    return tree


# -- measuring a command -----------------------------------------------------------------


def _tree_rss_kb(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    family, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in family:
                family.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in family)


def measure(command: list[str], cwd: Path, stdout_path: Path | None = None) -> dict:
    """Wall time, CPU time (all processes), exit code, stderr, the largest single
    process (getrusage of the children) and the peak of the whole process tree
    (sampled from /proc)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(process.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = process.stderr.read()
    code = process.wait()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if stdout_path:
        out.close()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    largest, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    return {
        "code": code, "wall": wall, "cpu": cpu, "stderr": stderr.decode("utf-8", "replace"),
        # ru_maxrss of the children only grows; it is right when this command is the largest so far.
        "largest_mb": max(largest, before) / 1024, "tree_mb": peak[0] / 1024,
    }


# -- where the time goes -----------------------------------------------------------------


def phase_seconds(tree: Path, jobs: int) -> tuple[Counter, float]:
    """CPU seconds per phase over the tree, from the engine's per-file timings."""
    from migrator import engine
    from migrator.files import discover

    cwd = os.getcwd()
    os.chdir(tree)
    try:
        start = time.perf_counter()
        totals: Counter = Counter()
        for result in engine.migrate_targets(discover(["."]), None, jobs, want_diff=True):
            totals.update(result.timings)
        return totals, time.perf_counter() - start
    finally:
        os.chdir(cwd)


# -- robustness --------------------------------------------------------------------------


def robustness(tree: Path, patch: bytes, work: Path) -> dict:
    """Check the --diff output against the tree and against an in-place run."""
    from unidiff import PatchSet

    # 1. In place, with the JSON report: the counts and the failures with reasons.
    inplace = work / "inplace"
    shutil.copytree(tree, inplace, symlinks=True)
    run = subprocess.run(
        [str(BIN / "migrator"), "migrate", ".", "--format", "json", "-q", "--no-cache"], cwd=inplace,
        capture_output=True,
    )
    report = json.loads(run.stdout)
    files = report["files"]
    failed = [f"{f['path']}:{f.get('line') or 0}: {f['error']}" for f in files if f["status"] == "failed"]
    changed = [f["path"] for f in files if f["status"] == "changed"]

    # 2. Every migrated output parses.
    parse_ok = 0
    for path in changed:
        try:
            ast.parse((inplace / path).read_bytes())
            parse_ok += 1
        except SyntaxError as exc:
            print(f"  output does not parse: {path}:{exc.lineno}: {exc.msg}")

    # 3. Each file's diff applies on its own; the whole patch gives the in-place result.
    repo = work / "git"
    shutil.copytree(tree, repo, symlinks=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    text = patch.decode("latin-1")
    pieces = list(PatchSet(text))
    applies = 0
    for piece in pieces:
        check = subprocess.run(
            ["git", "apply", "--check", "-"], cwd=repo, input=str(piece).encode("latin-1"), capture_output=True
        )
        applies += check.returncode == 0
        if check.returncode:
            print(f"  diff does not apply: {piece.path}: {check.stderr.decode().strip()}")
    (work / "all.patch").write_bytes(patch)
    whole = subprocess.run(["git", "apply", str(work / "all.patch")], cwd=repo, capture_output=True)
    same = whole.returncode == 0 and all(
        (repo / path).read_bytes() == (inplace / path).read_bytes() for path in changed
    )
    return {
        "files": len(files),
        "changed": len(changed),
        "unchanged": sum(f["status"] in ("unchanged", "skipped") for f in files),
        "failed": failed,
        "traceback": b"Traceback" in run.stderr,
        "outputs_parse": parse_ok,
        "diffs": len(pieces),
        "diffs_apply": applies,
        "patch_equals_in_place": same,
        "declined": report["summary"].get("declined", {}),
        "migrated_tree": inplace,
    }


def symbol_share(folder: Path) -> tuple[int, int] | None:
    """(native, compat.v1) TensorFlow symbol uses over a tree, or None until the
    counter exists. Issue 7's hook: implement
    ``codemods.analysis.tf_api.count_symbol_uses(source: bytes) -> (native, compat)``
    and this benchmark prints the share for migrator's and tf_upgrade_v2's output."""
    try:
        from codemods.analysis.tf_api import count_symbol_uses
    except ImportError:
        return None
    native = compat = 0
    for path in folder.rglob("*.py"):
        try:
            n, c = count_symbol_uses(path.read_bytes())
        except Exception:  # noqa: BLE001 - a file the counter cannot parse counts as nothing
            continue
        native, compat = native + n, compat + c
    return native, compat


# -- the run -----------------------------------------------------------------------------


# -- one file, cold process ----------------------------------------------------------

ONE_FILE = {
    "no rule": b"import numpy as np\nprint(np.zeros(3))\n",
    "T101 rewrite": b"import tensorflow as tf\nx = tf.random_normal([2])\n",
}


def one_file_latency(runs: int = 10) -> None:
    """Median wall and CPU time of ``runs`` cold processes on a two-line file."""
    with tempfile.TemporaryDirectory(prefix="migrator-one-") as scratch:
        work = Path(scratch)
        commands = {}
        for label, source in ONE_FILE.items():
            path = work / f"{label.split()[0]}.py"
            path.write_bytes(source)
            commands[f"migrator stdin, {label}"] = (
                ["sh", "-c", f'"{BIN / "migrator"}" migrate - --stdin-filename x.py < "{path}"'], work)
        commands["tf_upgrade_v2 --infile, T101 rewrite"] = (
            [str(BIN / "tf_upgrade_v2"), "--infile", str(work / "T101.py"), "--outfile", str(work / "out.py"),
             "--reportfile", str(work / "report.txt")], work)
        for label, (command, cwd) in commands.items():
            samples = [measure(command, cwd) for _ in range(runs)]
            print(f"one file ({label}): median {statistics.median([s['wall'] for s in samples]):.2f} s wall, "
                  f"{statistics.median([s['cpu'] for s in samples]):.2f} s CPU over {runs} cold processes")


def _median_run(runs: list[dict]) -> dict:
    """The median wall time, CPU time and peak memory of all processes of ``runs`` (each
    taken alone); the largest process as the first run measured it (later, getrusage
    also remembers the other tool's)."""
    middle = dict(runs[0])
    for key in ("wall", "cpu", "tree_mb"):
        middle[key] = statistics.median(run[key] for run in runs)
    middle["code"] = max(run["code"] for run in runs)
    return middle


def bench(name: str, jobs: int, rounds: int = 3) -> None:
    tree = fetch(name)
    sources = list(tree.rglob("*.py"))
    lines = sum(p.read_bytes().count(b"\n") for p in sources)
    print(f"== {name}: {len(sources)} Python files, {lines} lines; {jobs} worker(s) on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="migrator-bench-") as scratch:
        work = Path(scratch)
        patch_path = work / "migrator.patch"
        print(f"machine load average before: {os.getloadavg()[0]:.1f} (other work on the cores slows both tools)")
        # The tools take turns, ``rounds`` times each, and the medians are compared: a
        # shared machine's speed drifts over a minute, which one run of each would
        # charge to whichever ran in the slow part.
        ours_runs, theirs_runs = [], []
        for round_ in range(rounds):
            command = [str(BIN / "migrator"), "migrate", ".", "--diff", "-q", "--jobs", str(jobs),
                       "--cache-dir", str(work / f"cache{round_}")]
            ours_runs.append(measure(command, tree, patch_path))
            shutil.rmtree(work / "upgraded", ignore_errors=True)
            theirs_runs.append(measure(
                [str(BIN / "tf_upgrade_v2"), "--intree", str(tree), "--outtree", str(work / "upgraded"),
                 "--reportfile", str(work / "report.txt")],
                work,
            ))
        warm = measure(command, tree, work / "warm.patch")
        ours, theirs = _median_run(ours_runs), _median_run(theirs_runs)
        for label, runs, median in (("migrator migrate --diff", ours_runs, ours), ("tf_upgrade_v2", theirs_runs, theirs)):
            walls = ", ".join(f"{run['wall']:.1f}" for run in runs)
            cpus = ", ".join(f"{run['cpu']:.1f}" for run in runs)
            print(f"{label:24s}: {median['wall']:7.1f} s wall, {median['cpu']:6.1f} s CPU, peak {median['tree_mb']:6.0f} MB all "
                  f"processes, {median['largest_mb']:5.0f} MB largest  (exit {median['code']}; median of {rounds}: "
                  f"wall {walls}; CPU {cpus})")
        print(f"ratio (tf_upgrade_v2 / migrator): wall time {theirs['wall'] / ours['wall']:.2f}x, "
              f"CPU time {theirs['cpu'] / ours['cpu']:.2f}x")
        print(f"CPU per 1,000 lines: migrator {1000 * ours['cpu'] / lines:.3f} s, "
              f"tf_upgrade_v2 {1000 * theirs['cpu'] / lines:.3f} s")
        same = (work / "warm.patch").read_bytes() == patch_path.read_bytes()
        print(f"migrator warm re-run (cache): {warm['wall']:.2f} s wall, {warm['cpu']:.2f} s CPU; "
              f"same patch: {'yes' if same else 'NO'}")
        if "Traceback" in ours["stderr"]:
            print("  migrator printed a traceback:\n" + ours["stderr"][-2000:])

        phases, phase_wall = phase_seconds(tree, jobs)
        total = sum(phases.values())
        print(f"where migrator's time goes (CPU s over all files, {total:.1f} s in all, "
              f"{phase_wall:.1f} s wall in-process):")
        print("  " + ", ".join(f"{k} {v:.1f} ({100 * v / total:.0f}%)" for k, v in phases.most_common()))

        checks = robustness(tree, patch_path.read_bytes(), work)
        print(
            f"robustness: {checks['files']} files, {checks['changed']} changed, {checks['unchanged']} unchanged, "
            f"{len(checks['failed'])} failed; traceback: {'YES' if checks['traceback'] else 'none'}; "
            f"{checks['outputs_parse']}/{checks['changed']} outputs parse; "
            f"{checks['diffs_apply']}/{checks['diffs']} per-file diffs apply with git apply --check; "
            f"whole patch == in-place run: {'yes' if checks['patch_equals_in_place'] else 'NO'}"
        )
        for failure in checks["failed"]:
            print(f"  failed: {failure}")
        print(f"declined by rule: {checks['declined']}")
        for label, folder in (("migrator", checks["migrated_tree"]), ("tf_upgrade_v2", work / "upgraded")):
            share = symbol_share(folder)
            if share is None:
                print(f"TF symbol uses after {label}: not counted yet (issue 7 hook: count_symbol_uses)")
                continue
            native, compat = share
            percent = 100.0 * native / (native + compat) if native + compat else 0.0
            print(f"TF symbol uses after {label}: {native} native, {compat} tf.compat.v1 ({percent:.1f}% native)")


KERAS_PARTS = ("layers", "backend/tensorflow", "backend/common", "optimizers", "saving", "models")


def modern_sources(jobs: int) -> None:
    """Files migrator changes in Keras 3's own sources (issue 18: code that is already
    Keras 3 / TF 2 comes out unchanged; expected 0)."""
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("keras")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        print("files changed in Keras 3's own sources: keras is not installed")
        return
    source = Path(next(iter(spec.submodule_search_locations))) / "src"
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "keras_src"
        for part in KERAS_PARTS:
            shutil.copytree(source / part, tree / part, ignore=shutil.ignore_patterns("__pycache__"))
        files = len(list(tree.rglob("*.py")))
        run = subprocess.run(
            [sys.executable, "-m", "migrator", "migrate", str(tree), "--diff", "-q", "--jobs", str(jobs)],
            cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        changed = [line for line in run.stdout.decode(errors="replace").splitlines() if line.startswith("+++ ")]
    version = importlib.metadata.version("keras")
    print(f"== files changed in Keras 3's own sources (keras {version} src/{{{','.join(KERAS_PARTS)}}}, "
          f"{files} files): {len(changed)} (expected 0)")
    for line in changed[:20]:
        print("  " + line[4:])


def main() -> None:
    from migrator.engine import default_jobs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", default=",".join(TREES))
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="migrator workers (default: all cores)")
    parser.add_argument("--no-modern", action="store_true", help="skip the Keras 3 sources check")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each tool per tree, taking turns (medians)")
    options = parser.parse_args()
    for name in filter(None, options.trees.split(",")):
        bench(name, options.jobs, options.rounds)
    one_file_latency()
    if not options.no_modern:
        modern_sources(options.jobs)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"benchmark finished in {time.perf_counter() - started:.0f} s")
