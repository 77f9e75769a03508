"""Development projects: whole multi-file TF1 / Keras 2 projects, migrated and verified.

    .venv/bin/python benchmarks/projects.py [--only SUBSTR]... [--list] [--keep] [--json FILE]

Reads `benchmarks/projects/*.toml` (format: `benchmarks/projects/FORMAT.md`) and the git
mirrors they name (`/work/.mirror/<owner>+<name>/`, or `$MIGRATOR_MIRRORS`); fetches
nothing. For each project, in `build/projects/<owner>+<name>[__label]/`:

* `original/` gets the subfolder at the pinned commit, the list's edits (run-length caps)
  and its synthetic data files (`benchmarks/projects/make_data.py`);
* `migrated/` is a copy, migrated as a whole folder by `migrator migrate` (this checkout,
  or the one `$MIGRATOR_SOURCE` names: the table before a change);
* `migrator verify original migrated -- COMMAND` runs the project's own command in both
  (TF 1.15.5 and TF 2.21), one project after the other.

Columns: runs before (the original, on TF 1.15.5) / runs after (the migration exits 0) /
native (no `compat.v1`, `Session(`, `placeholder(`, `disable_v2_behavior` in any migrated
module the command runs: its script and the project's modules it imports, transitively;
the notes count the other files with TF1 left, such as a second entry script) / same
(loose: the last value of each printed line agrees at the final tolerances). Unusable projects are listed with the reason. Exit status 0 when the run
completed (a benchmark, not a gate), 2 when a list has errors.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migrator.verify import core, runtimes  # noqa: E402  (standard library only)

LISTS = ROOT / "benchmarks" / "projects"
BUILD = ROOT / "build" / "projects"
MIRRORS = Path(os.environ.get("MIGRATOR_MIRRORS", "/work/.mirror"))
# The migrator that migrates (default: this checkout), e.g. an older one to compare with.
MIGRATOR_SOURCE = Path(os.environ.get("MIGRATOR_SOURCE", ROOT))
TF1_LEFTOVERS = ("compat.v1", "Session(", "placeholder(", "disable_v2_behavior")
KEYS = {"repo", "commit", "subfolder", "note", "command", "edits", "data", "compare", "timeout", "unusable"}


class ListError(Exception):
    pass


@dataclass
class Project:
    name: str  # the list's file name without .toml
    repo: str
    commit: str = ""
    subfolder: str = ""
    command: str = ""
    edits: list = field(default_factory=list)
    data: list = field(default_factory=list)
    compare: str = "final"
    timeout: float = 300.0
    unusable: str = ""
    note: str = ""


@dataclass
class Row:
    project: str
    runs_before: str = "-"
    runs_after: str = "-"
    native: str = "-"
    same: str = "-"
    detail: str = ""
    seconds: float = 0.0


def load(path: Path) -> Project:
    data = tomllib.loads(path.read_text())
    unknown = set(data) - KEYS
    if unknown:
        raise ListError(f"{path.name}: unknown keys {sorted(unknown)}")
    for key in ("repo",) if data.get("unusable") else ("repo", "commit"):
        if key not in data:
            raise ListError(f"{path.name}: missing {key}")
    if not data.get("unusable") and not data.get("command"):
        raise ListError(f"{path.name}: a usable project needs its command")
    if data.get("compare", "final") not in ("steps", "final"):
        raise ListError(f"{path.name}: compare must be steps or final")
    for edit in data.get("edits", []):
        if not (isinstance(edit, list) and len(edit) == 3 and all(isinstance(x, str) for x in edit)):
            raise ListError(f"{path.name}: each edit is [file, old, new]")
    return Project(path.stem, **data)


def mirror(repo: str) -> Path:
    folder = MIRRORS / repo.replace("/", "+") / "repo"
    return folder / ".git" if (folder / ".git").is_dir() else folder


def extract(project: Project, into: Path) -> None:
    """The subfolder at the pinned commit, without its leading path."""
    git_dir = mirror(project.repo)
    if not git_dir.is_dir():
        raise ListError(f"{project.repo}: no mirror at {git_dir} (fetch github:{project.repo} first)")
    spec = f"{project.commit}:{project.subfolder}" if project.subfolder else project.commit
    archive = subprocess.run(["git", "--git-dir", str(git_dir), "archive", "--format=tar", spec],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise ListError(f"{project.repo}: git archive {spec} failed: {archive.stderr.decode().strip()}")
    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")


def apply_edits(project: Project, folder: Path) -> None:
    for file, old, new in project.edits:
        path = folder / file
        text = path.read_text()
        if text.count(old) != 1:
            raise ListError(f"{project.name}: edit of {file}: {old!r} occurs {text.count(old)} times, not once")
        path.write_text(text.replace(old, new))


def make_data(project: Project, folder: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_data", LISTS / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    GENERATORS = module.GENERATORS
    for spec in project.data:
        name, _, target = spec.partition(":")
        if name not in GENERATORS:
            raise ListError(f"{project.name}: no data generator {name!r} in make_data.py")
        GENERATORS[name](folder / target)


def migrate(folder: Path, report: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(MIGRATOR_SOURCE)}
    run = subprocess.run(
        [sys.executable, "-m", "migrator", "migrate", str(folder), "-q", "--format", "json",
         "--report-file", str(report)],
        capture_output=True, text=True, env=env, cwd=folder.parent,
    )
    try:
        return json.loads(report.read_text())
    except (OSError, ValueError):
        return {"error": run.stderr[-2000:]}


def command_modules(folder: Path, command: core.ProjectCommand) -> list[Path]:
    """The project's modules its command runs: the script (or ``-m`` module) and what it
    imports from the project, transitively."""
    from codemods.analysis.project import index_project

    sources = {str(path): path.read_bytes() for path in folder.rglob("*.py")}
    facts = index_project(sources)
    start = folder / command.script if command.script else folder / (command.module or "").replace(".", "/")
    first = [str(start) if start.suffix == ".py" else str(start) + ".py", str(start / "__init__.py")]
    seen: set[str] = set()
    stack = [path for path in first if path in facts]
    while stack:
        path = stack.pop()
        if path not in seen:
            seen.add(path)
            stack.extend(facts[path].imports)
    return [Path(path) for path in sorted(seen)]


def leftovers(folder: Path, modules: list[Path]) -> list[str]:
    found = []
    for path in modules:
        text = path.read_text(errors="replace")
        found += [f"{path.relative_to(folder)}: {word}" for word in TF1_LEFTOVERS if word in text]
    return found


def run_project(project: Project, legacy: runtimes.Runtime, keep: bool) -> Row:
    row = Row(project.name)
    if project.unusable:
        row.detail = "unusable: " + project.unusable
        return row
    started = time.monotonic()
    work = BUILD / project.name
    shutil.rmtree(work, ignore_errors=True)
    original, migrated = work / "original", work / "migrated"
    extract(project, original)
    apply_edits(project, original)
    make_data(project, original)
    shutil.copytree(original, migrated, symlinks=True)
    report = migrate(migrated, work / "report.json")
    command = core.parse_command(project.command.split())
    ran = command_modules(migrated, command)
    left = leftovers(migrated, ran)
    row.native = "no" if left else "yes"
    others = leftovers(migrated, sorted(set(migrated.rglob("*.py")) - set(ran)))
    verdict = core.verify_tree(original, migrated, command,
                               compare=project.compare, legacy_runtime=legacy, timeout=project.timeout)
    row.runs_before = "yes" if verdict.before.ok else "no"
    row.runs_after = "yes" if verdict.after.ok else "no"
    if verdict.before.ok and verdict.after.ok:
        if verdict.loose is not None and verdict.loose.records_before == 0:
            row.same = "n/a (prints no numbers)"
        else:
            row.same = "yes" if verdict.loose is not None and verdict.loose.equivalent else "no"
    failed = verdict.after if verdict.before.ok else verdict.before
    if not failed.ok:
        lines = failed.failure().splitlines()
        row.detail = ("BEFORE " if failed is verdict.before else "AFTER ") + (lines[-1] if lines else "")
    elif verdict.status != core.EQUIVALENT:
        row.detail = f"{verdict.status}, agreement {verdict.agreement}"
    if left and not row.detail:
        row.detail = "left: " + "; ".join(left[:3])
    summary = report.get("summary", {})
    row.detail += (f" [migrated {summary.get('changed', '?')}/{summary.get('files', '?')} files, "
                   f"{summary.get('failed', '?')} failed; the command runs {len(ran)}"
                   + (f"; TF1 left in {len({o.split(':')[0] for o in others})} other files" if others else "") + "]")
    (work / "verdict.txt").write_text(verdict.render(width=160))
    row.seconds = time.monotonic() - started
    if not keep:
        shutil.rmtree(original), shutil.rmtree(migrated)
    return row


def table(rows: list[Row]) -> str:
    out = ["| project | runs before | runs after | native | same numbers (loose) | notes |",
           "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        out.append(f"| {r.project} | {r.runs_before} | {r.runs_after} | {r.native} | {r.same} | {r.detail.strip()} |")
    usable = [r for r in rows if r.runs_before == "yes"]
    out.append("")
    out.append(
        f"usable {len(usable)} of {len(rows)}: runs after {sum(r.runs_after == 'yes' for r in usable)}, "
        f"native {sum(r.native == 'yes' for r in usable)}, same numbers {sum(r.same == 'yes' for r in usable)}"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="projects whose name contains this")
    parser.add_argument("--list", action="store_true", help="check the lists and mirrors only")
    parser.add_argument("--keep", action="store_true", help="keep build/projects/<name>/original and migrated")
    parser.add_argument("--json", type=Path, help="write the rows as JSON there")
    args = parser.parse_args(argv)
    try:
        projects = [load(p) for p in sorted(LISTS.glob("*.toml"))]
    except (ListError, tomllib.TOMLDecodeError) as exc:
        print(f"projects: {exc}", file=sys.stderr)
        return 2
    projects = [p for p in projects if not args.only or any(o in p.name for o in args.only)]
    if args.list:
        for p in projects:
            state = "unusable" if p.unusable else "ok" if mirror(p.repo).is_dir() else "not fetched"
            print(f"{p.name}: {state}")
        return 0
    legacy = runtimes.require_legacy_runtime()
    rows = []
    for project in projects:
        try:
            row = run_project(project, legacy, args.keep)
        except ListError as exc:
            row = Row(project.name, detail=f"error: {exc}")
        rows.append(row)
        print(f"{row.project}: before {row.runs_before}, after {row.runs_after}, native {row.native}, "
              f"same {row.same} ({row.seconds:.0f} s) {row.detail}", file=sys.stderr, flush=True)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
