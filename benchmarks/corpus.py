"""Development corpus: real TF1 / Keras 2 programs, run before and after migration.

    .venv/bin/python benchmarks/corpus.py [--only SUBSTR]... [--jobs N] [--json FILE]
                                          [--no-cache] [--keep] [--list]

Reads the lists `benchmarks/corpus/*.toml` (format: `benchmarks/corpus/FORMAT.md`) and
the git mirrors they name (`/work/.mirror/<owner>+<name>/`, or `$MIGRATOR_MIRRORS`);
fetches nothing. For each program, in `build/corpus/work/<owner>+<name>/<path>/`:

* `before/` gets the original at the pinned commit (a notebook's code cells as one
  script), with the list's edits (run-length caps) applied, and its data files;
* `after/` gets the same, migrated in-process by migrator's engine with every rule (as
  `migrator migrate` does), its `.py` data files too; the diff goes to
  `build/corpus/diffs/`;
* the original runs on the legacy runtime (TF 1.15.5), the migration on the modern one
  (TF 2.21), both through the verify core (same environment, seeding hooks, dataset
  stand-ins, timeout). The legacy run does not depend on migrator: it is cached in
  `build/corpus/cache/` (`--no-cache` runs it again).

One line per program, then totals per repository and overall against the issue's
targets, then three histograms: why migrator declined (its findings), how migrated
programs failed, why originals are unusable. Columns:

* runs: the migrated program exits 0;
* native: no `compat.v1`, `Session(`, `placeholder(`, `disable_v2_behavior` left in its
  code (TF1 programs) and no standalone `keras` import (Keras programs);
* strict: every printed number agrees at the steps tolerances (`compare.py`);
* loose: the last value of each printed line / Keras metric agrees at the final
  tolerances (strict implies it);
* final: the last number each program prints agrees at the final tolerances ("-" when
  the original prints text only).

Programs whose original does not run on TF 1.15.5 (or prints nothing) are listed as
unusable with the reason; a repository without a mirror or commit as "not fetched". The
exit status is 0 when the run completed (this is a benchmark, not a gate), 2 when a list
has errors (`--list` checks the lists and mirrors only, running nothing).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The verify modules are standard library only; the engine (LibCST and every rule) is
# imported where a program is migrated, so --list and the tests stay light.
from migrator.verify import compare, runtimes
from migrator.verify.core import RunResult, run_pair, run_program

LISTS = ROOT / "benchmarks" / "corpus"
BUILD = ROOT / "build" / "corpus"
MIRRORS = Path(os.environ.get("MIGRATOR_MIRRORS", "/work/.mirror"))

KINDS = ("tf1", "keras", "tf1-keras")
TF1_KINDS = ("tf1", "tf1-keras")
KERAS_KINDS = ("keras", "tf1-keras")
TF1_LEFTOVERS = ("compat.v1", "Session(", "placeholder(", "disable_v2_behavior")  # not native TF2
CWDS = ("program", "root")
DEFAULT_TIMEOUT = 300.0
REPO_KEYS = {"repo", "commit", "note", "program"}
PROGRAM_KEYS = {"path", "kind", "edits", "data", "args", "compare", "timeout", "unusable", "cwd"}
# The targets, as shares of the usable programs (native: of the TF1 ones; final:
# of the Keras ones).
TARGETS = {"runs": 95, "native": 80, "loose": 70, "final": 75}

# migrator runs its engine in worker processes, never threads: with --jobs, one migration at a time.
MIGRATING = threading.Lock()

LAUNCHER = "_corpus_main.py"
# Runs the program from the folder its author ran it in: verify's children start in an
# empty temporary folder, where relative data paths would not resolve. Python 3.7 syntax.
LAUNCHER_TEXT = """\
# Written by benchmarks/corpus.py: runs {name} with {cwd} as the working directory.
import os, runpy, sys
here = os.path.dirname(os.path.abspath(__file__))
program = os.path.join(here, {name!r})
os.chdir(os.path.normpath(os.path.join(here, {cwd!r})))
sys.argv[0] = program
runpy.run_path(program, run_name="__main__")
"""


class ListError(Exception):
    """An entry of a list that cannot be used as written."""


# -- the lists ---------------------------------------------------------------------------


@dataclass
class Program:
    repo: str
    commit: str
    path: str
    kind: str
    edits: list[tuple[str, str]] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    compare: str = "steps"
    timeout: float = DEFAULT_TIMEOUT
    unusable: str | None = None
    cwd: str = "program"

    @property
    def folder(self) -> Path:
        """Its scratch folder."""
        return BUILD / "work" / self.repo.replace("/", "+") / self.path

    @property
    def script(self) -> str:
        """Where the program runs from, relative to the repository (a notebook becomes a script)."""
        return self.path[: -len(".ipynb")] + ".py" if self.path.endswith(".ipynb") else self.path


def _inside(path: str) -> bool:
    """A relative path that stays inside the repository (and so inside the scratch folder)."""
    return bool(path) and not path.startswith("/") and ".." not in path.split("/")


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_program(entry: dict) -> list[str]:
    """What is wrong with one [[program]] table (nothing: [])."""
    errors = [f"unknown key {key!r}" for key in sorted(set(entry) - PROGRAM_KEYS)]
    path = entry.get("path")
    if not (isinstance(path, str) and _inside(path) and path.endswith((".py", ".ipynb"))):
        errors.append(f"path must be a .py or .ipynb path inside the repository, not {path!r}")
    if entry.get("kind") not in KINDS:
        errors.append(f"kind must be one of {', '.join(KINDS)}, not {entry.get('kind')!r}")
    edits = entry.get("edits", [])
    if not (isinstance(edits, list) and all(_is_str_list(pair) and len(pair) == 2 and pair[0] for pair in edits)):
        errors.append("edits must be a list of [old, new] string pairs with a non-empty old")
    for key in ("data", "args"):
        if not _is_str_list(entry.get(key, [])):
            errors.append(f"{key} must be a list of strings")
    if _is_str_list(entry.get("data", [])) and not all(map(_inside, entry.get("data", []))):
        errors.append("data must name paths inside the repository")
    if entry.get("compare", "steps") not in compare.MODES:
        errors.append(f"compare must be one of {', '.join(compare.MODES)}, not {entry.get('compare')!r}")
    timeout = entry.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        errors.append(f"timeout must be a positive number of seconds, not {timeout!r}")
    unusable = entry.get("unusable")
    if unusable is not None and not (isinstance(unusable, str) and unusable.strip()):
        errors.append("unusable must be a non-empty reason")
    if entry.get("cwd", "program") not in CWDS:
        errors.append(f"cwd must be one of {', '.join(CWDS)}, not {entry.get('cwd')!r}")
    return errors


def load_list(path: Path) -> tuple[list[Program], list[str]]:
    """The programs of one list file and its errors (an entry with errors is left out)."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [], [f"{path.name}: {exc}"]
    errors = [f"{path.name}: unknown key {key!r}" for key in sorted(set(table) - REPO_KEYS)]
    repo, commit = table.get("repo"), table.get("commit")
    if not (isinstance(repo, str) and re.fullmatch(r"[\w.-]+/[\w.-]+", repo)):
        errors.append(f"{path.name}: repo must be 'owner/name', not {repo!r}")
    if not (isinstance(commit, str) and re.fullmatch(r"[0-9a-f]{40}", commit)):
        errors.append(f"{path.name}: commit must be 40 lowercase hex digits, not {commit!r}")
    if not isinstance(table.get("note", ""), str):
        errors.append(f"{path.name}: note must be a string")
    entries = table.get("program")
    if not (isinstance(entries, list) and entries and all(isinstance(e, dict) for e in entries)):
        errors.append(f"{path.name}: needs at least one [[program]] table")
        entries = []
    if errors:
        return [], errors
    programs: list[Program] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        where = f"{path.name}: program {number} ({entry.get('path', '?')})"
        problems = _check_program(entry)
        if not problems and entry["path"] in seen:
            problems.append("listed twice")
        if problems:
            errors.extend(f"{where}: {problem}" for problem in problems)
            continue
        seen.add(entry["path"])
        programs.append(Program(
            repo, commit, entry["path"], entry["kind"],
            edits=[(old, new) for old, new in entry.get("edits", [])],
            data=list(entry.get("data", [])), args=list(entry.get("args", [])),
            compare=entry.get("compare", "steps"), timeout=float(entry.get("timeout", DEFAULT_TIMEOUT)),
            unusable=entry.get("unusable"), cwd=entry.get("cwd", "program"),
        ))
    return programs, errors


def apply_edits(text: str, edits: list[tuple[str, str]]) -> str:
    """The text with each edit applied in order; each `old` must occur exactly once."""
    for old, new in edits:
        count = text.count(old)
        if count != 1:
            raise ListError(f"edit {old!r} occurs {count} times in the text (must be exactly once)")
        text = text.replace(old, new)
    return text


# Cell magics whose body is Python: the body runs once without them.
PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun")


def notebook_to_script(data: bytes) -> str:
    """A notebook's code cells as one script: `%` magics and `!` shell lines dropped, cells
    of another language (`%%bash`, `%%html`, ...) and cells left empty dropped."""
    try:
        notebook = json.loads(data)
    except ValueError as exc:
        raise ListError(f"not a notebook: {exc}") from None
    cells = notebook.get("cells")
    if cells is None:  # nbformat 3: cells inside worksheets, code under "input"
        cells = [cell for sheet in notebook.get("worksheets", []) for cell in sheet.get("cells", [])]
    chunks = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        lines = ("".join(source) if isinstance(source, list) else source).splitlines()
        first = lines[0].strip() if lines else ""
        if first.startswith("%%") and first[2:].split(" ")[0] not in PYTHON_CELL_MAGICS:
            continue
        kept = [line for line in lines if not line.lstrip().startswith(("%", "!"))]
        if any(line.strip() for line in kept):
            chunks.append("\n".join(kept).rstrip() + "\n")
    return "\n\n".join(chunks)


# -- the mirrors -------------------------------------------------------------------------


class Mirror:
    """One repository's git mirror at its pinned commit (read with git, never fetched)."""

    def __init__(self, repo: str, commit: str):
        self.commit = commit
        folder = MIRRORS / repo.replace("/", "+")
        # The session's fetch tool puts the git repository in <owner>+<name>/repo, bare or
        # as repo/.git; a plain clone at <owner>+<name> works too.
        candidates = (folder / "repo", folder / "repo" / ".git", folder, folder / ".git")
        self.git_dir = next((d for d in candidates if (d / "HEAD").is_file()), None)
        self.files: dict[str, str] = {}  # path -> "file", "link" (symbolic) or "commit" (a submodule)
        self.missing = f"no mirror at {folder}" if self.git_dir is None else None
        if self.git_dir is not None:
            listing = self._git("ls-tree", "-r", "-z", commit)
            if listing is None:
                self.missing = f"commit {commit[:12]} is not in the mirror {self.git_dir}"
            else:
                for record in filter(None, listing.split(b"\0")):
                    meta, _, name = record.partition(b"\t")
                    mode, kind = meta.split(b" ")[:2]
                    kind = "link" if mode == b"120000" else "file" if kind == b"blob" else kind.decode()
                    self.files[name.decode("utf-8", "surrogateescape")] = kind

    def _git(self, *args: str) -> bytes | None:
        run = subprocess.run(["git", "--git-dir", str(self.git_dir), *args], capture_output=True, check=False)
        return run.stdout if run.returncode == 0 else None

    def read(self, path: str) -> bytes:
        """A file's contents, or a symbolic link's target."""
        if self.files.get(path) not in ("file", "link"):
            raise ListError(f"{path} is {self.files.get(path, 'missing')!r}, not a file, at {self.commit[:12]}")
        data = self._git("show", f"{self.commit}:{path}")
        if data is None:
            raise ListError(f"cannot read {path} at {self.commit[:12]}")
        return data

    def expand(self, path: str) -> list[str]:
        """A data entry's files: the file itself, or every file under a folder."""
        path = path.rstrip("/")
        found = [name for name in self.files if name == path or name.startswith(path + "/")]
        if not found:
            raise ListError(f"data {path} does not exist at {self.commit[:12]}")
        return sorted(found)


@dataclass
class Prepared:
    """A program's capped source and data, read from its mirror."""

    source: bytes
    data: dict[str, bytes]  # repo path -> contents (a symbolic link's: its target)
    links: set[str]  # the data paths that are symbolic links, recreated as such


def prepare(program: Program, mirror: Mirror) -> Prepared:
    """Read the program and its data at the commit and apply the edits (ListError if not possible)."""
    if mirror.files.get(program.path) == "link":
        raise ListError(f"{program.path} is a symbolic link: list its target")
    raw = mirror.read(program.path)
    if program.path.endswith(".ipynb"):
        text = notebook_to_script(raw)
    else:
        text = raw.decode("utf-8", "surrogateescape")  # keeps any other encoding byte for byte
    source = apply_edits(text, program.edits).encode("utf-8", "surrogateescape")
    data = {name: mirror.read(name) for entry in program.data for name in mirror.expand(entry)}
    if program.script in data:
        raise ListError(f"data {program.script} would overwrite the program")
    return Prepared(source, data, {name for name in data if mirror.files[name] == "link"})


# -- migrating ---------------------------------------------------------------------------


@dataclass
class Migration:
    files: dict[str, bytes]  # repo path -> migrated (or unchanged) contents of every .py file
    findings: list[dict]
    errors: list[str]  # files the engine could not migrate, with the reason
    diff: bytes


def migrate(program: Program, prepared: Prepared) -> Migration:
    """Every Python file of the program through the whole pipeline, as one tree, as
    `migrator migrate` does (the script converted together with the helper modules it imports)."""
    import tempfile

    from migrator.diffs import InvalidPatch, unified_diff
    from migrator.engine import Status, index_targets, migrate_targets
    from migrator.files import Target

    sources = {program.script: prepared.source}
    sources.update({n: data for n, data in prepared.data.items() if n.endswith(".py") and n not in prepared.links})
    migration = Migration({}, [], [], b"")
    with tempfile.TemporaryDirectory(prefix="migrator-corpus-") as folder:
        targets = []
        for name, data in sources.items():
            path = Path(folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            targets.append(Target(path, name))
        results = list(migrate_targets(targets, project=index_targets(targets, [program.script])))
    for name, result in zip(sources, results):
        migration.files[name] = result.new_bytes
        migration.findings.extend(
            {"file": name, "rule": f.rule, "line": f.line, "col": f.col, "message": f.message, "kind": f.kind}
            for f in result.findings
        )
        if result.status is Status.FAILED:
            migration.errors.append(f"{name}:{result.line}: {result.error}")
        elif result.changed:
            try:
                migration.diff += unified_diff(name, result.old_bytes, result.new_bytes)
            except InvalidPatch as exc:
                migration.errors.append(f"{name}: diff: {exc}")
    return migration


def _keras_imported(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "keras" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "keras":
            return True
    return False


def is_native(sources: list[bytes], kind: str) -> bool:
    """No TF1 graph/session API left (TF1 kinds) and no standalone Keras import (Keras kinds),
    in the code (comments do not count: the code is read back without them)."""
    for data in sources:
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            return False
        code = ast.unparse(tree)
        if kind in TF1_KINDS and any(word in code for word in TF1_LEFTOVERS):
            return False
        if kind in KERAS_KINDS and _keras_imported(tree):
            return False
    return True


# -- running -----------------------------------------------------------------------------


def _write_tree(root: Path, program: Program, script: bytes, files: dict[str, bytes], links: set[str]) -> Path:
    """The program, its files and its launcher under ``root``; the launcher's path."""
    for name, data in {**files, program.script: script}.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name in links:
            target.symlink_to(os.fsdecode(data))
        else:
            target.write_bytes(data)
    here = Path(program.script).parent
    cwd = "." if program.cwd == "program" else os.path.relpath(".", here)
    launcher = root / here / LAUNCHER
    launcher.write_text(LAUNCHER_TEXT.format(name=Path(program.script).name, cwd=cwd))
    return launcher


def _runtime_id(runtime: runtimes.Runtime) -> str:
    """What the legacy output depends on besides the program: the interpreter and its
    packages, and verify's child code (its hooks and stand-ins shape every run)."""
    parts = [json.dumps(runtime.to_dict(), sort_keys=True), json.dumps(runtimes.legacy_env_info(), sort_keys=True)]
    parts += [p.name + hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(runtimes.CHILD_DIR.glob("*.py"))]
    return "\n".join(parts)


def _cache_key(program: Program, prepared: Prepared, launcher: Path, runtime_id: str) -> str:
    digest = hashlib.sha256()
    for part in (prepared.source, launcher.read_bytes(), json.dumps([program.args, program.timeout]).encode(),
                 runtime_id.encode()):
        digest.update(hashlib.sha256(part).digest())
    for name in sorted(prepared.data):
        kind = b"link" if name in prepared.links else b"file"
        digest.update(hashlib.sha256(b"\0".join([os.fsencode(name), kind, prepared.data[name]])).digest())
    return digest.hexdigest()


def _cached_run(key: str, runtime: runtimes.Runtime) -> RunResult | None:
    try:
        saved = json.loads((BUILD / "cache" / f"{key}.json").read_text())
    except (OSError, ValueError):
        return None
    return RunResult(runtime=runtime, **saved)


def _store_run(key: str, run: RunResult) -> None:
    if run.timed_out:  # a timeout depends on the machine's load that day: run it again next time
        return
    fields = ("program", "returncode", "stdout", "stderr", "seconds", "timed_out", "report")
    path = BUILD / "cache" / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps({name: getattr(run, name) for name in fields}))
    partial.replace(path)


def last_line(run: RunResult) -> str:
    """Why a run failed, in one line: the timeout, or the last line of its error output."""
    if run.timed_out:
        return f"timed out after {run.seconds:.0f} s"
    lines = [line.strip() for line in run.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {run.returncode}, nothing on stderr"


def _last_number(stdout: str) -> compare.Number | None:
    # In the order compare.extract_numbers reads them: a record's numbers, then its Keras metrics by name.
    numbers = [n for record in compare.parse_output(stdout)
               for n in record.numbers + [record.metrics[k] for k in sorted(record.metrics)]]
    return numbers[-1] if numbers else None


@dataclass
class Result:
    repo: str
    path: str
    kind: str
    compare: str
    state: str  # "usable", "unusable", "not fetched", "list error"
    reason: str = ""  # unusable, not fetched, list error: why; usable: the migrated error or first difference
    runs: bool | None = None
    native: bool | None = None
    strict: bool | None = None
    loose: bool | None = None
    final: bool | None = None
    equivalent: bool | None = None  # in the program's own compare mode
    after_error: str | None = None
    migrate_errors: list[str] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    seconds_before: float | None = None
    seconds_after: float | None = None
    cached: bool = False


def unusable_original(before: RunResult) -> str | None:
    """Why the original's run cannot be compared with anything, if it cannot."""
    if not before.ok:
        return "fails on TF 1.15.5: " + last_line(before)
    if not compare.parse_output(before.stdout):
        return "the original prints nothing to compare"
    return None


def execute(program: Program, prepared: Prepared, migration: Migration, legacy: runtimes.Runtime,
            runtime_id: str, use_cache: bool, keep: bool) -> tuple[RunResult, RunResult | None, bool]:
    """(original's run, migrated run, whether the original's came from the cache); the
    migrated run is None when a cached original is unusable (nothing to compare it with)."""
    folder = program.folder
    shutil.rmtree(folder, ignore_errors=True)
    try:
        before_main = _write_tree(folder / "before", program, prepared.source, prepared.data, prepared.links)
        after_main = _write_tree(folder / "after", program, migration.files[program.script],
                                 {**prepared.data, **migration.files}, prepared.links)
        key = _cache_key(program, prepared, before_main, runtime_id)
        before = _cached_run(key, legacy) if use_cache else None
        cached = before is not None
        if not cached:
            before, after = run_pair(
                before_main, after_main, legacy, runtimes.modern_runtime(), program.args, program.timeout
            )
            _store_run(key, before)
        elif unusable_original(before) is None:
            after = run_program(after_main, runtimes.modern_runtime(), program.args, program.timeout)
        else:
            after = None
        for name, run in (("before", before), ("after", after)):
            if run is not None:
                (folder / f"{name}.stdout").write_text(run.stdout)
                (folder / f"{name}.stderr").write_text(run.stderr)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return before, after, cached


def judge(result: Result, program: Program, before: RunResult, after: RunResult | None) -> None:
    """Fill in the columns from the two runs."""
    result.seconds_before = round(before.seconds, 1)
    reason = unusable_original(before)
    if reason:
        result.state, result.reason = "unusable", reason
        return
    result.seconds_after = round(after.seconds, 1)
    result.runs = after.ok
    if not after.ok:
        result.after_error = last_line(after)
        result.reason = "; ".join(result.migrate_errors + [result.after_error])
        return
    chosen = compare.compare_outputs(before.stdout, after.stdout, program.compare)
    result.equivalent = chosen.equivalent
    result.strict = compare.compare_outputs(before.stdout, after.stdout, "steps").equivalent
    result.loose = compare.compare_outputs(before.stdout, after.stdout, "final").equivalent
    first, last = _last_number(before.stdout), _last_number(after.stdout)
    if first is not None:  # else there is no final number: only the text was compared
        result.final = last is not None and compare.default_tolerance("final").agree(first, last)
    if chosen.differences:
        result.reason = f"{program.compare}: {chosen.differences[0].reason}"


def run_one(program: Program, mirror: Mirror, legacy: runtimes.Runtime, runtime_id: str, use_cache: bool,
            keep: bool) -> Result:
    result = Result(program.repo, program.path, program.kind, program.compare, "usable")
    if mirror.missing:
        result.state, result.reason = "not fetched", mirror.missing
        return result
    try:
        prepared = prepare(program, mirror)
    except ListError as exc:
        result.state, result.reason = "list error", str(exc)
        return result
    with MIGRATING:
        migration = migrate(program, prepared)
    result.findings, result.migrate_errors = migration.findings, migration.errors
    result.native = is_native(list(migration.files.values()), program.kind)
    diff_path = BUILD / "diffs" / program.repo.replace("/", "+") / (program.path + ".diff")
    diff_path.parent.mkdir(parents=True, exist_ok=True)
    diff_path.write_bytes(migration.diff)
    if program.unusable:
        result.state, result.reason = "unusable", program.unusable
        return result
    before, after, result.cached = execute(program, prepared, migration, legacy, runtime_id, use_cache, keep)
    judge(result, program, before, after)
    return result


# -- the report --------------------------------------------------------------------------


def normalise(message: str) -> str:
    """The same reason with other identifiers, paths and numbers reads the same."""
    message = re.sub(r"`[^`]*`", "`…`", message)
    message = re.sub(r'File "[^"]*"', 'File "…"', message)
    message = re.sub(r"(?<![\w.])(/[\w.+-]+){2,}", "…", message)  # absolute file paths
    # Numbers standing alone (not the 1 of `compat.v1`): versions, shapes, sizes, lines.
    message = re.sub(r"(?<![\w.])(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)*(?:e[-+]?\d+)?)(?![\w.])", "#", message)
    return message


def _mark(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "no"


def _share(hits: int, total: int) -> str:
    return f"{hits}/{total} {100 * hits / total:.0f}%" if total else "-"


def _verdict(hits: int, total: int, target: int) -> str:
    """The overall share against its target."""
    return "-" if not total else "met" if 100 * hits >= target * total else "BELOW"


def _totals(results: list[Result]) -> dict:
    usable = [r for r in results if r.state == "usable"]
    tf1 = [r for r in usable if r.kind in TF1_KINDS]
    keras = [r for r in usable if r.kind in KERAS_KINDS]
    return {
        "programs": len(results),
        "usable": len(usable),
        "unusable": sum(r.state == "unusable" for r in results),
        "not_fetched": sum(r.state == "not fetched" for r in results),
        "list_errors": sum(r.state == "list error" for r in results),
        "runs": [sum(bool(r.runs) for r in usable), len(usable)],
        "native": [sum(bool(r.native) for r in tf1), len(tf1)],
        "strict": [sum(bool(r.strict) for r in usable), len(usable)],
        "loose": [sum(bool(r.loose) for r in usable), len(usable)],
        "final": [sum(bool(r.final) for r in keras), sum(r.final is not None for r in keras)],
    }


def _histogram(title: str, counts: Counter, programs: dict, limit: int = 40) -> None:
    print(f"\n{title} ({sum(counts.values())} in all, {len(counts)} distinct)")
    for reason, count in counts.most_common(limit):
        print(f"  {count:5d} x in {len(programs[reason]):3d} program(s)  {reason}")
    if len(counts) > limit:
        print(f"  ... {len(counts) - limit} more in build/corpus/results.json")


HISTOGRAMS = {
    "declines": "migrator's declines in every program read, most frequent first (rule, reason)",
    "errors": "errors of migrated programs that failed",
    "unusable": "why originals are unusable",
}


def histograms(results: list[Result]) -> dict[str, tuple[Counter, dict]]:
    """Per histogram: how often each normalised reason occurs, and in which programs."""
    found: dict[str, tuple[Counter, dict]] = {name: (Counter(), defaultdict(set)) for name in HISTOGRAMS}
    for r in results:
        entries = [("declines", f"{f['rule']}  {normalise(f['message'])}")
                   for f in r.findings if f["kind"] == "declined"]
        if r.after_error:
            entries.append(("errors", normalise(r.after_error)))
        if r.state == "unusable":
            entries.append(("unusable", normalise(r.reason)))
        for name, reason in entries:
            found[name][0][reason] += 1
            found[name][1][reason].add(f"{r.repo}:{r.path}")
    return found


def report(results: list[Result], list_errors: list[str]) -> dict:
    width = max([len(r.path) for r in results] + [30]) + 2
    header = (f"{'program':<{width}} {'kind':<9} {'runs':<5} {'native':<7} {'strict':<7} {'loose':<6} "
              f"{'final':<6} reason")
    by_repo: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_repo[r.repo].append(r)
    print(header)
    for repo, rows in by_repo.items():
        print(repo)
        for r in rows:
            if r.state != "usable":
                print(f"  {r.path:<{width - 2}} {r.kind:<9} {r.state.upper()}: {r.reason}")
                continue
            print(f"  {r.path:<{width - 2}} {r.kind:<9} {_mark(r.runs):<5} {_mark(r.native):<7} {_mark(r.strict):<7} "
                  f"{_mark(r.loose):<6} {_mark(r.final):<6} {r.reason}".rstrip())

    totals = {repo: _totals(rows) for repo, rows in by_repo.items()}
    totals["all"] = _totals(results)
    name_width = max(len(name) for name in totals) + 2
    print(f"\n{'totals':<{name_width}} {'programs':>8} {'usable':>6} {'unusable':>8} {'not fetched':>11} "
          f"{'errors':>6}  "
          f"{'runs':<14} {'native (TF1)':<14} {'strict':<14} {'loose':<14} {'final (Keras)':<14}")
    for name, t in totals.items():
        print(f"{name:<{name_width}} {t['programs']:>8} {t['usable']:>6} {t['unusable']:>8} {t['not_fetched']:>11} "
              f"{t['list_errors']:>6}  "
              + " ".join(f"{_share(*t[k]):<14}" for k in ("runs", "native", "strict", "loose", "final")))
    targets = {k: f">={v}% ({_verdict(*totals['all'][k], v)})" for k, v in TARGETS.items()}
    print(f"{'targets':<{name_width}} {'':>8} {'':>6} {'':>8} {'':>11} {'':>6}  "
          + " ".join(f"{targets.get(k, '-'):<14}" for k in ("runs", "native", "strict", "loose", "final")))

    found = histograms(results)
    for name, title in HISTOGRAMS.items():
        _histogram(title, *found[name])
    if list_errors:
        print(f"\nlist errors ({len(list_errors)}): fix them (`benchmarks/corpus.py --list` checks the lists)")
        for error in list_errors:
            print(f"  {error}")
    return {
        "totals": totals,
        "targets": TARGETS,
        **{name: [{"reason": reason, "count": count, "programs": sorted(progs[reason])}
                  for reason, count in counts.most_common()]
           for name, (counts, progs) in found.items()},
    }


# -- the run -----------------------------------------------------------------------------


def load_lists(only: list[str]) -> tuple[list[Program], list[str]]:
    programs, errors = [], []
    seen: dict[tuple[str, str], str] = {}  # (repo, path) -> the list that has it
    for path in sorted(LISTS.glob("*.toml")):
        listed, problems = load_list(path)
        errors += problems
        for program in listed:
            first = seen.setdefault((program.repo, program.path), path.name)
            if first != path.name:
                errors.append(f"{path.name}: {program.path} is already listed in {first}")
            elif not only or any(s in program.repo or s in program.path for s in only):
                programs.append(program)
    return programs, errors


def check_lists(programs: list[Program], errors: list[str], mirrors: dict[tuple[str, str], Mirror]) -> int:
    """--list: every entry read and its edits applied, nothing run."""
    for program in programs:
        mirror = mirrors[program.repo, program.commit]
        if mirror.missing:
            status = f"not fetched ({mirror.missing})"
        else:
            try:
                prepared = prepare(program, mirror)
                status = f"ok ({len(prepared.data)} data file(s))"
                if program.unusable:
                    status += f", unusable: {program.unusable}"
            except ListError as exc:
                errors.append(f"{program.repo}: {program.path}: {exc}")
                status = f"ERROR: {exc}"
        print(f"{program.repo}  {program.path}: {status}")
    for error in errors:
        print(f"list error: {error}")
    print(f"{len(programs)} program(s) from {len(mirrors)} repositories; {len(errors)} error(s)")
    return 2 if errors else 0


def open_mirrors(programs: list[Program]) -> dict[tuple[str, str], Mirror]:
    mirrors: dict[tuple[str, str], Mirror] = {}
    for program in programs:
        if (program.repo, program.commit) not in mirrors:
            mirrors[program.repo, program.commit] = Mirror(program.repo, program.commit)
    return mirrors


def _outcome(result: Result) -> str:
    """The progress line's word for a finished program."""
    if result.state != "usable":
        return result.state
    return ("runs" if result.runs else "FAILS") + (", equal loose" if result.loose else "")


def compare_migrations(programs: list[Program], mirrors: dict[tuple[str, str], Mirror], path: Path) -> int:
    """``--migrations``: each usable program's migration as a digest; the programs whose digest
    differs from the one ``path`` holds are printed (then ``path`` is rewritten)."""
    import hashlib

    digests: dict[str, str] = {}
    for program in programs:
        mirror = mirrors[program.repo, program.commit]
        if program.unusable or mirror.missing:
            continue
        try:
            migration = migrate(program, prepare(program, mirror))
        except ListError as exc:
            digests[f"{program.repo} {program.path}"] = f"list error: {exc}"
            continue
        digest = hashlib.sha256()
        for name, data in sorted(migration.files.items()):
            digest.update(name.encode() + b"\0" + data + b"\0")
        digest.update(json.dumps([migration.findings, migration.errors], sort_keys=True).encode())
        digests[f"{program.repo} {program.path}"] = digest.hexdigest()
    previous = json.loads(path.read_text()) if path.exists() else None
    if previous is not None:
        changed = sorted(k for k in digests if k in previous and previous[k] != digests[k])
        print(f"{len(changed)} of {len(digests)} programs migrate differently than in {path}")
        for name in changed:
            print(f"  {name}")
    path.write_text(json.dumps(digests, indent=0, sort_keys=True) + "\n")
    print(f"{len(digests)} programs' migrations written to {path}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="SUBSTR",
                        help="only programs whose repository or path contains SUBSTR (repeatable)")
    parser.add_argument("--jobs", type=int, default=1, help="programs at once (each runs two interpreters)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--no-cache", action="store_true", help="run the originals again, even when cached")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders (build/corpus/work)")
    parser.add_argument("--list", action="store_true", help="check the lists and mirrors only, run nothing")
    parser.add_argument("--migrations", type=Path, metavar="FILE",
                        help="migrate every usable program without running it and write a digest of each one's "
                             "files and findings to FILE; with FILE already there, say which programs now migrate "
                             "differently (a rule change's reach, in minutes)")
    options = parser.parse_args()

    programs, errors = load_lists(options.only)
    mirrors = open_mirrors(programs)
    if options.list:
        return check_lists(programs, errors, mirrors)
    if options.migrations:
        return compare_migrations(programs, mirrors, options.migrations)
    try:
        legacy = runtimes.resolve_legacy_runtime(allow_fallback=False)
    except runtimes.LegacyEnvError as exc:
        print(f"corpus: {exc}", file=sys.stderr)
        return 2
    runtime_id = _runtime_id(legacy)
    started = time.perf_counter()
    finished = iter(range(1, len(programs) + 1))
    lock = threading.Lock()

    def one(program: Program) -> Result:
        clock = time.perf_counter()
        mirror = mirrors[program.repo, program.commit]
        result = run_one(program, mirror, legacy, runtime_id, not options.no_cache, options.keep)
        with lock:
            cached = " (original cached)" if result.cached else ""
            print(f"[{next(finished)}/{len(programs)}] {program.repo} {program.path}: {_outcome(result)}{cached} "
                  f"{time.perf_counter() - clock:.0f} s", file=sys.stderr, flush=True)
        return result

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        results = list(pool.map(one, programs))
    errors += [f"{r.repo}: {r.path}: {r.reason}" for r in results if r.state == "list error"]
    summary = report(results, errors)
    elapsed = time.perf_counter() - started
    print(f"\ncorpus finished in {elapsed:.0f} s ({options.jobs} job(s)); legacy runtime {legacy.python}")
    document = {"elapsed": round(elapsed, 1), "legacy": legacy.to_dict(), "list_errors": errors,
                "programs": [asdict(r) for r in results], **summary}
    for path in [BUILD / "results.json"] + ([options.json] if options.json else []):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return 2 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
