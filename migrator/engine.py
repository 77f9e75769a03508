"""The migration pipeline: bytes in, rules in their declared order, bytes out.

Every outcome is a ``FileResult`` value; nothing a file contains can make the engine
raise, so one bad file never stops a run over thousands. The rules to run are always
passed explicitly down to the workers (``rules``), defaulting to ``RULES``.

Where the time goes: each result carries ``timings`` (seconds per phase: ``read``,
``parse``, one entry per rule code, ``codegen``, ``validate``, ``diff``), which the JSON
report sums up and ``benchmarks/run.py`` prints.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import enum
import gc
import io
import os
import re
import signal
import stat
import sys
import threading
import time
import tokenize
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar, Union

from codemods import RULES, RuleSpec
from codemods.analysis.graph_outcome import graph_outcome, record_graph_outcome
from codemods.analysis.project import CONSULTED_KEY, ProjectFacts, index_project, set_project_facts
from codemods.finding import Finding
from migrator import files, notebooks
from migrator.diffs import InvalidPatch, SequenceMatcher, unified_diff
from migrator.files import Missing, Target, TooLarge, read_source
from migrator.stages import RuleFailure, apply_rules

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    import libcst as cst

    from codemods.base import Rule
    from migrator.together import Decision, Start

ResultT = TypeVar("ResultT")

# A rule as the engine takes it: its registry entry (imported when a file passes its
# text gate) or a rule class (tests pass their own).
RuleEntry = Union[RuleSpec, "type[Rule]"]
# A cluster of files converted together, with the rules of the run (``Project.decisions``).
ClusterKey = tuple[tuple[str, ...], tuple[str, ...]]

# Files that mention neither word cannot import TensorFlow or Keras, so no rule can
# resolve a name in them: they are not parsed at all.
GATE = (b"tensorflow", b"keras")

# Larger files are refused (reported as failed, left untouched). LibCST needs about
# 10-20 s and 1 GB of memory per MB of dense code (measured: a 1.3 MB file took 20 s to
# parse and 50 s to migrate at 1.5 GB RSS), and Python files that large are generated
# data, not code someone migrates by hand. The largest file of tensor2tensor is 247 KB.
# An oversized file that mentions neither tensorflow nor keras is skipped, not failed.
MAX_FILE_BYTES = 2 * 1024 * 1024

# Finding kinds that are work left to do (the to-do report); "declined" is, too.
TODO_KINDS = ("remaining", "process-wide")


class Status(str, enum.Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # mentions neither tensorflow nor keras: not parsed
    FAILED = "failed"


@dataclass
class FileResult:
    path: str
    status: Status
    old_bytes: bytes = b""
    new_bytes: bytes = b""
    findings: list[Finding] = field(default_factory=list)
    applied: Counter = field(default_factory=Counter)  # rule code -> rewrites (changed regions)
    error: str | None = None  # for FAILED: the reason (position in line/col)
    line: int = 0  # for FAILED: where the problem is (0: the whole file)
    col: int = 0  # 0-based, as LibCST counts; reports print it 1-based
    diff: bytes | None = None  # the checked unified diff, when asked for (``want_diff``)
    # For CHANGED: the findings at lines of the migrated file (``findings`` point into
    # the input), for reports about a file that was rewritten in place.
    new_findings: list[Finding] | None = None
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds
    # Why this file's code stays in TF 1 graph mode ("" when it does not), and whether the
    # migrated file switches the whole process to graph mode (an entry script, a file alone).
    graph_mode: str = ""
    graph_switch: bool = False
    # What of the file's place in its tree the result depended on (``ProjectFacts.cache_key``).
    project_key: str = ""

    @property
    def changed(self) -> bool:
        return self.status is Status.CHANGED


def select_rules(
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    pipeline: Sequence[RuleEntry] | None = None,
) -> tuple[RuleEntry, ...]:
    """The pipeline filtered by rule-code prefixes, order kept."""

    def hit(rule: RuleEntry, prefixes: Sequence[str]) -> bool:
        return any(rule.code.startswith(p.upper()) for p in prefixes)

    return tuple(
        r
        for r in (RULES if pipeline is None else pipeline)
        if (not select or hit(r, select)) and not hit(r, ignore)
    )


# -- why a file cannot be migrated --------------------------------------------------

_PY2_MESSAGES = ("Missing parentheses in call to", "multiple exception types must be parenthesized")
_PY2_HINTS = re.compile(
    rb"^[ \t]*(print[ \t]+[^\s(=]|exec[ \t]+[\"'\w]|except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:|raise[ \t]+\w+[ \t]*,)",
    re.M,
)
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.M)


def _python2_hint(data: bytes, message: str) -> str:
    if any(m in message for m in _PY2_MESSAGES) or _PY2_HINTS.search(data):
        return " (this looks like Python 2 code; migrate it to Python 3 first)"
    return ""


Problem = tuple[int, int, str]  # line (0: the whole file), 0-based column, reason

# Syntax newer than the Python migrator runs on, recognised on the line Python rejects:
# (pattern, what it is, the Python version that introduced it).
_NEWER_SYNTAX = (
    (re.compile(rb"^[ \t]*type[ \t]+[A-Za-z_]\w*[ \t]*(\[[^\]]*\])?[ \t]*="), "type statement", (3, 12)),
    (re.compile(rb"^[ \t]*(async[ \t]+)?def[ \t]+\w+[ \t]*\["), "type parameters", (3, 12)),
    (re.compile(rb"^[ \t]*class[ \t]+\w+[ \t]*\["), "type parameters", (3, 12)),
    (re.compile(rb"""\b[fF][rR]?(['"]).*\{[^}]*\1"""), "f-string reusing its quotes", (3, 12)),
)


def _newer_syntax(data: bytes, line: int) -> str | None:
    """"needs Python 3.12 syntax (type statement)" when the rejected line uses syntax
    newer than the running Python's."""
    lines = data.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else b""
    for pattern, what, version in _NEWER_SYNTAX:
        if sys.version_info[:2] < version and pattern.search(text):
            needed = ".".join(map(str, version))
            running = ".".join(map(str, sys.version_info[:2]))
            return (
                f"needs Python {needed} syntax ({what}); migrator runs on Python {running} here: "
                f"run it with Python {needed} or newer"
            )
    return None


def diagnose(data: bytes, libcst_error: Exception | None = None) -> Problem | None:
    """Why ``data`` is not Python 3 source: (line, column, reason); None if it is.

    Python's own tokenizer and compiler give the clearest message and position (the
    encoding cookie, the undecodable byte, ``Missing parentheses in call to 'print'``);
    LibCST's error is the fallback for source Python accepts but LibCST does not.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # unknown encoding, BOM contradicting the cookie
        cookie = _COOKIE.search(data)
        line = data.count(b"\n", 0, cookie.start()) + 1 if cookie else 1
        return line, 0, f"cannot read the source: {exc.msg}"
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        return line, exc.start - line_start, f"cannot decode byte 0x{byte} as {encoding}: {exc.reason}"
    try:
        compile(data, "<source>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        col = max((exc.offset or 1) - 1, 0)
        newer = _newer_syntax(data, exc.lineno or 1)
        if newer is not None:
            return exc.lineno or 1, col, newer
        return exc.lineno or 1, col, f"cannot parse: {exc.msg}{_python2_hint(data, exc.msg)}"
    except ValueError as exc:  # e.g. "source code string cannot contain null bytes"
        return 1, 0, f"cannot parse: {exc}"
    if libcst_error is None:
        return None
    from libcst import ParserSyntaxError

    if isinstance(libcst_error, ParserSyntaxError):
        reason = libcst_error.message.splitlines()[0] if libcst_error.message else "syntax error"
        found = re.search(r"error at (\d+):(\d+)", reason)
        line, col = (int(found.group(1)), int(found.group(2))) if found else (libcst_error.raw_line, libcst_error.raw_column)
        return line, col, f"cannot parse: LibCST rejects this file, although Python accepts it ({reason})"
    return 1, 0, f"cannot parse: LibCST cannot read this file ({type(libcst_error).__name__}: {libcst_error})"


# -- one file --------------------------------------------------------------------------


def _failed(path: str, data: bytes, error: str, line: int = 0, col: int = 0, **extra) -> FileResult:
    return FileResult(path, Status.FAILED, data, data, error=error, line=line, col=col, **extra)


def migrate_source(
    data: bytes,
    path: str = "<stdin>",
    rules: Sequence[RuleEntry] | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    facts: ProjectFacts | None = None,
    start: Start | None = None,
) -> FileResult:
    """Run the pipeline over one file's bytes; ``facts``: its place in its tree (None:
    the file alone); ``start``: its part of the module it was converted in together
    with others (``migrator.together``), which goes on through the rules after G101."""
    if b"\0" in data:
        return _failed(path, data, "binary file (contains NUL bytes), not Python source", data.count(b"\n", 0, data.index(b"\0")) + 1)
    if len(data) > max_file_bytes:
        if not any(word in data for word in GATE):
            return FileResult(path, Status.SKIPPED, data, data)
        return _failed(path, data, _too_large(len(data), max_file_bytes))
    result = _on_deep_stack(_migrate_source, data, path, RULES if rules is None else rules, facts, start)
    if facts is not None and not result.project_key:
        result.project_key = facts.cache_key(consulted=False)
    return result


# LibCST's visitors recurse once per nesting level of the code (150 nested calls, a
# 500-term `a + b + ...` chain): far beyond Python's default limit of 1000 frames on
# the main thread's 8 MB stack. Each file is migrated on a thread with a large stack
# and a limit to match; deeper code is reported as a limit, never as a rule's error.
_DEEP_STACK_BYTES = 256 * 1024 * 1024  # reserved address space; pages are used on demand
_DEEP_RECURSION_LIMIT = 50_000


def _on_deep_stack(function: Callable[..., ResultT], *args) -> ResultT:
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(function(*args))
        except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread
            outcome.append(exc)

    # The limit is the interpreter's, not the thread's: raised only while the file's
    # thread runs (the calling thread waits), so the main thread keeps its safe default.
    previous_limit = sys.getrecursionlimit()
    previous_stack = threading.stack_size(_DEEP_STACK_BYTES)
    try:
        thread = threading.Thread(target=run, name="migrator-file")
        sys.setrecursionlimit(max(previous_limit, _DEEP_RECURSION_LIMIT))
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous_stack)
        sys.setrecursionlimit(previous_limit)
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _deepest_line(data: bytes) -> int:
    """The line where brackets nest deepest (where a recursion limit was hit)."""
    depth = best = 0
    line = best_line = 1
    for byte in data:
        if byte in b"([{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif byte in b")]}":
            depth -= 1
        elif byte == 10:
            line += 1
    return best_line


def _too_deep(path: str, data: bytes, where: str, **extra) -> FileResult:
    return _failed(
        path, data,
        f"code nested too deeply for migrator ({where} reached Python's recursion limit); file left unchanged",
        _deepest_line(data), **extra,
    )


def _migrate_source(
    data: bytes, path: str, rules: Sequence[RuleEntry], facts: ProjectFacts | None, start: Start | None = None
) -> FileResult:
    timings: dict[str, float] = {}
    if start is not None and start.source != data:
        start = None  # changed since it was read together with the others: alone
    # An entry script importing modules kept in graph mode is edited even when it never
    # names TensorFlow itself.
    switch_needed = facts is not None and bool(facts.graph_mode_imports)
    # A module TF 1 code of the tree calls with zipped records is NumPy 1 code (N101) too.
    legacy_caller = facts is not None and bool(facts.zipped_arguments)
    if start is None:
        if not (switch_needed or legacy_caller) and not any(word in data for word in GATE):
            return FileResult(path, Status.SKIPPED, data, data)
        active = [r for r in rules if r.applies_to(data)]
        if not active and not switch_needed:
            # No selected rule applies, but a file that is not Python 3 is still named:
            # Python's own parser is an order of magnitude cheaper than LibCST's.
            problem = diagnose(data)
            if problem is not None:
                return _failed(path, data, problem[2], problem[0], problem[1])
            return FileResult(path, Status.UNCHANGED, data, data)
    # LibCST is imported only here, for a file some rule will run on.
    from codemods.analysis.cst_tools import parse_source
    from codemods.analysis.positions import render
    from codemods.base import SCRATCH_HAS_SUPPRESSIONS

    clock = time.perf_counter()
    try:
        module = parse_source(data)
    except RecursionError:
        return _too_deep(path, data, "parsing")
    except Exception as exc:  # noqa: BLE001 - every parse failure becomes a result
        line, col, reason = diagnose(data, exc) or (1, 0, f"cannot parse ({exc})")
        return _failed(path, data, reason, line, col)
    now = time.perf_counter()
    timings["parse"] = now - clock

    # Most files carry no suppression comment: then no rule looks for one.
    scratch: dict = {SCRATCH_HAS_SUPPRESSIONS: any(word in data for word in (b"noqa", b"NOQA", b"migrator:"))}
    set_project_facts(scratch, facts)
    # Each rule's findings with the stage they point into; each changed stage, so they
    # can be mapped to lines of the input file and of the migrated one.
    staged: list[tuple[int, list[Finding]]] = []
    stages: list[cst.Module] = [module]
    stage_rules: list[str] = []  # the rule that made each stage after the first
    if start is not None:
        # Converted together with other files (migrator/together.py): this file's part of
        # their common module after the graph rules, and the rules after them.
        stages += [parse_source(code.encode(module.encoding)) for code in start.codes]
        stage_rules += start.rules
        staged += start.findings
        record_graph_outcome(scratch, converted=start.converted)
        active = [r for r in start.rest if r.applies_to(stages[-1].code.encode(module.encoding))]
    try:
        apply_rules(stages, stage_rules, staged, active, path, scratch, timings)
    except RuleFailure as failure:
        if isinstance(failure.error, RecursionError):
            return _too_deep(path, data, f"rule {failure.code}", timings=timings)
        return _failed(
            path, data,
            f"internal error in rule {failure.code} ({type(failure.error).__name__}: {failure.error}); file left unchanged",
            findings=_positioned([s.code for s in stages] if len(stages) > 1 else [], stage_rules, staged)[0],
            timings=timings,
        )
    clock = time.perf_counter()
    outcome = graph_outcome(scratch)
    graph = {"graph_mode": outcome.reason if outcome.fallback else "", "graph_switch": outcome.fallback and outcome.switched}
    if switch_needed and facts is not None and not graph["graph_switch"]:
        graph.update(_switch_to_graph_mode(stages, stage_rules, staged, facts, outcome.converted))
    project_key = facts.cache_key(consulted=bool(scratch.get(CONSULTED_KEY))) if facts is not None else ""
    graph["project_key"] = project_key
    # Each stage's text once: for the line maps, the rewrite counts and the new bytes.
    try:
        codes = [render(stage, scratch) for stage in stages] if len(stages) > 1 else []
    except RecursionError:
        return _too_deep(path, data, "writing the code", timings=timings)
    findings, new_findings, applied = _positioned(codes, stage_rules, staged)
    new_bytes = _line_ends_of(data, codes[-1].encode(stages[-1].encoding)) if codes else data
    now = time.perf_counter()
    timings["codegen"] = now - clock
    clock = now
    if new_bytes == data:
        return FileResult(path, Status.UNCHANGED, data, data, findings, Counter(), timings=timings, **graph)
    try:
        compile(new_bytes, "<migrated>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        # LibCST accepts some code Python 3 does not (``except E, e:``): then the input
        # is at fault, and the user needs to hear where.
        line, col, reason = diagnose(data) or (
            0, 0,
            f"internal error: the migrated code does not parse ({getattr(exc, 'msg', exc)} at line "
            f"{getattr(exc, 'lineno', '?')} of the output); file left unchanged",
        )
        return _failed(path, data, reason, line, col, findings=findings, timings=timings)
    timings["validate"] = time.perf_counter() - clock
    return FileResult(
        path, Status.CHANGED, data, new_bytes, findings, applied, timings=timings, new_findings=new_findings, **graph
    )


def _switch_to_graph_mode(
    stages: list[cst.Module], stage_rules: list[str], staged: list[tuple[int, list[Finding]]],
    facts: ProjectFacts, converted: bool,
) -> dict:
    """An entry script importing modules kept in graph mode switches the process to it,
    unless its own code was converted to eager TF 2 (then it is said, not done)."""
    from codemods.graph.fallback_scope import entry_finding, graph_mode_reasons, switch_entry_to_graph_mode

    why = graph_mode_reasons(facts)
    if converted:
        staged.append((len(stages) - 1, [Finding("G101", 1, 0, (
            "this script was converted to eager TF 2, but modules it imports were kept on tf.compat.v1 in graph "
            f"mode ({why}): it will not run until they are converted by hand, or it calls "
            "tf.compat.v1.disable_v2_behavior() and is itself kept on tf.compat.v1"
        ), "declined")]))
        return {"graph_mode": f"imports modules kept in graph mode ({why}); not switched: converted to eager"}
    switched, line = switch_entry_to_graph_mode(stages[-1], facts)
    if line:
        stages.append(switched)
        stage_rules.append("G101")
        staged.append((len(stages) - 1, [Finding("G101", line, 0, entry_finding(facts), "process-wide")]))
    return {"graph_mode": f"imports modules kept on tf.compat.v1 in graph mode ({why})", "graph_switch": True}


def _line_ends_of(data: bytes, new: bytes) -> bytes:
    """The input's line endings in the output. LibCST drops the ``\r`` ending the last
    line of a file whose lines end in ``\r`` alone: put back. A file whose lines all end
    in ``\r\n`` gets them on the lines rules wrote with ``\n`` inside a token too (a
    generated class's docstring; Python reads both the same)."""
    if data.endswith(b"\r") and not new.endswith((b"\r", b"\n")):
        return new + b"\r"
    if b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n") and new.count(b"\n") != new.count(b"\r\n"):
        return re.sub(rb"(?<!\r)\n", b"\r\n", new)
    return new


def _too_large(size: int, limit: int = MAX_FILE_BYTES) -> str:
    return (
        f"file too large ({size / 1024 / 1024:.1f} MB; the limit is {limit / 1024 / 1024:g} MB, "
        "raise it with --max-file-size); file left unchanged"
    )


def _positioned(
    codes: list[str], stage_rules: list[str], staged: list[tuple[int, list[Finding]]]
) -> tuple[list[Finding], list[Finding], Counter]:
    """The findings at lines of the input and at lines of the migrated file, each list
    sorted by position, and the rewrites per rule (changed regions of its stage).

    A finding made on stage ``k`` is mapped back through stages ``k-1..0`` and forward
    through stages ``k..end``. ``codes``: the text of each stage (none when nothing changed).
    """
    if len(codes) < 2:
        flat = _ordered(f for _, fs in staged for f in fs)
        return flat, flat, Counter()
    matchers = [_line_matcher(codes[i], codes[i + 1]) for i in range(len(codes) - 1)]
    rewrites: Counter = Counter()
    for code, opcodes in zip(stage_rules, matchers):
        # A stage that only changed within lines still counts once.
        rewrites[code] += max(1, sum(tag != "equal" for tag, *_ in opcodes))
    old_side, new_side = [], []
    for index, findings in staged:
        for finding in findings:
            back = forward = finding.line
            for opcodes in reversed(matchers[:index]):
                back = _map_line(opcodes, back, reverse=True)
            for opcodes in matchers[index:]:
                forward = _map_line(opcodes, forward, reverse=False)
            old_side.append(Finding(finding.rule, back, finding.col, finding.message, finding.kind))
            new_side.append(Finding(finding.rule, forward, finding.col, finding.message, finding.kind))
    return _ordered(old_side), _ordered(new_side), rewrites


def _line_matcher(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    return SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False).get_opcodes()


def _map_line(opcodes: list[tuple[str, int, int, int, int]], line: int, reverse: bool) -> int:
    index = line - 1
    for tag, i1, i2, j1, j2 in opcodes:
        if reverse:
            i1, i2, j1, j2 = j1, j2, i1, i2
        if i1 <= index < i2 or (i1 == i2 and index == i1):
            # Equal lines map one to one; in a replaced region, line k maps to line k of
            # the replacement (its last line if shorter): exact for line-by-line renames.
            return j1 + min(index - i1, max(j2 - j1 - 1, 0)) + 1
    return line


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Sorted by position; a to-do finding about a name a rule's finding on the same
    line already names is dropped (that finding says why the line is as it is)."""
    findings = sorted(findings, key=lambda f: (f.line, f.col, f.rule))
    explained: dict[int, str] = {}
    for f in findings:
        if f.kind not in TODO_KINDS:
            explained[f.line] = explained.get(f.line, "") + f.message
    return [
        f for f in findings
        if f.kind != "remaining" or f.line not in explained or _named(f.message) not in explained[f.line]
    ]


def _named(message: str) -> str:
    """The first `quoted` name of a message (what a to-do finding is about)."""
    found = re.search(r"`([^`]+)`", message)
    return f"`{found.group(1)}`" if found else message


def migrate_bytes(
    data: bytes, display: str, rules: Sequence[RuleEntry] | None = None, max_file_bytes: int = MAX_FILE_BYTES,
    facts: ProjectFacts | None = None, start: Start | None = None,
) -> FileResult:
    """``migrate_source``, or for a notebook (by its name) its code cells migrated as one
    program (hook: migrator/notebooks.py)."""
    if not notebooks.is_notebook(display):
        return migrate_source(data, display, rules, max_file_bytes, facts, start)
    try:
        return notebooks.migrate(data, lambda source: migrate_source(source, display, rules, max_file_bytes, facts))
    except notebooks.NotebookError as exc:
        return _failed(display, data, str(exc))


def _mentions_gate(path: Path) -> bool:
    """Does a (large) file contain tensorflow or keras? Read in chunks, not at once."""
    overlap = max(len(word) for word in GATE) - 1
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            window = tail + chunk
            if any(word in window for word in GATE):
                return True
            tail = window[-overlap:]
    return False


class ResultCache(Protocol):
    """Stored results by file path and bytes (``migrator.cache.Cache``); an entry counts
    only when what it depended on of the file's tree is one of ``project_keys``."""

    def get(self, display: str, data: bytes, project_keys: tuple[str, ...] = ("",)) -> FileResult | None: ...

    def put(self, result: FileResult, data: bytes) -> None: ...

    def get_index(self, key: str) -> tuple[dict[str, ProjectFacts], dict[str, bytes]] | None: ...

    def put_index(self, key: str, facts: dict[str, ProjectFacts], sources: dict[str, bytes]) -> None: ...


def _read(target: Target, max_file_bytes: int = MAX_FILE_BYTES) -> bytes | FileResult:
    """The file's bytes, or the result for a file that cannot or need not be read."""
    display = target.display
    try:
        # Opening a FIFO would wait for a writer forever: look before opening.
        if not stat.S_ISREG(os.stat(target.path).st_mode):
            return _failed(display, b"", "not a regular file (a folder, FIFO, socket or device); left alone")
        return read_source(target.path, max_file_bytes)
    except TooLarge as exc:
        try:
            mentions = _mentions_gate(target.path)
        except OSError as error:
            return _failed(display, b"", f"cannot read: {error.strerror or error}")
        if mentions:
            return _failed(display, b"", _too_large(exc.size, max_file_bytes))
        return FileResult(display, Status.SKIPPED)
    except FileNotFoundError:
        return _failed(display, b"", "cannot read: vanished during the run (or a dangling symbolic link)")
    except OSError as exc:
        return _failed(display, b"", f"cannot read: {exc.strerror or exc}")


def project_keys(facts: ProjectFacts | None) -> tuple[str, ...]:
    """The ``project_key`` values a cached result of a file with ``facts`` may have."""
    return ("",) if facts is None else (facts.cache_key(consulted=True), facts.cache_key(consulted=False))


def migrate_file(
    target: Target,
    rules: Sequence[RuleEntry] | None = None,
    want_diff: bool = False,
    cache: ResultCache | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    facts: ProjectFacts | None = None,
    start: Start | None = None,
) -> FileResult:
    """Read and migrate one file; with ``want_diff``, also build its checked diff.

    With a ``cache``, a file whose path and bytes it knows (and the facts of its tree
    its result depended on) is not migrated again, and a new result is stored in it."""
    clock = time.perf_counter()
    display = target.display
    data = _read(target, max_file_bytes)
    if isinstance(data, FileResult):
        return data
    read_time = time.perf_counter() - clock
    cached = cache.get(display, data, project_keys(facts)) if cache is not None else None
    result = cached if cached is not None else migrate_bytes(data, display, rules, max_file_bytes, facts, start)
    result.timings["read"] = read_time
    if want_diff and result.changed and result.diff is None:
        clock = time.perf_counter()
        try:
            result.diff = unified_diff(display, result.old_bytes, result.new_bytes)
        except InvalidPatch as exc:
            return _failed(display, data, f"internal error: {exc}; file left unchanged", findings=result.findings)
        result.timings["diff"] = time.perf_counter() - clock
    if cache is not None and (cached is None or cached.diff is not result.diff):
        cache.put(result, data)
    return result


def _cached_result(
    target: Target, cache: ResultCache, want_diff: bool, max_file_bytes: int, facts: ProjectFacts | None
) -> FileResult | None:
    """The result of ``target`` without running a rule (read failures, complete cache
    hits), or None: then a worker migrates it."""
    data = _read(target, max_file_bytes)
    if isinstance(data, FileResult):
        return data
    result = cache.get(target.display, data, project_keys(facts))
    if result is None or (want_diff and result.changed and result.diff is None):
        return None
    return result


# -- many files ------------------------------------------------------------------------


@dataclass
class Project:
    """The project-level view of one run over a tree (``index_targets``), and what the run
    learns as files finish: which modules were kept in graph mode without the switch."""

    facts: dict[str, ProjectFacts]  # by display path
    graph_mode: dict[str, str] = field(default_factory=dict)  # module kept in graph mode -> why
    # The text of the files converted together with others (``ProjectFacts.together``),
    # as indexed, and the decision for each of their clusters (by files and rules).
    sources: dict[str, bytes] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    decisions: dict[ClusterKey, Decision] = field(default_factory=dict)
    # The rules each file is migrated with, when they differ by file (per-file ignores):
    # files converted together must go through the same ones.
    rules_of: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def waits(self, target: Target) -> bool:
        """Migrated after the others: whether it switches to graph mode depends on them."""
        facts = self.facts.get(target.display)
        return facts is not None and facts.waits_for_imports

    def facts_for(self, display: str) -> ProjectFacts | None:
        """The file's facts, with the modules it reaches that were kept in graph mode so far."""
        facts = self.facts.get(display)
        if facts is None or not facts.waits_for_imports:
            return facts
        # Only the modules that do not wait themselves: those are done before it starts.
        kept = tuple(
            (module, self.graph_mode[module]) for module in sorted(self.graph_mode)
            if module in self.facts and display in self.facts[module].entry_points
            and not self.facts[module].waits_for_imports
        )
        return dataclasses.replace(facts, graph_mode_imports=kept)

    def together(self, facts: ProjectFacts, rules: Sequence[RuleEntry]) -> tuple[ProjectFacts, Start | None]:
        """A file of a cluster: its facts (with why its script is migrated alone, if it is)
        and where its migration starts (None: alone). Each cluster is decided once."""
        key = self.undecided(facts, rules)
        if key is not None:
            from migrator.together import decide

            # LibCST recurses once per nesting level of the code: on the large stack, as files are.
            self.decisions[key] = _on_deep_stack(decide, *self.cluster_job(key, rules))
        decision = self.decisions[(facts.together, tuple(rule.code for rule in rules))]
        note = decision.notes.get(facts.path, "")
        return (dataclasses.replace(facts, together_note=note) if note else facts), decision.starts.get(facts.path)

    def undecided(self, facts: ProjectFacts, rules: Sequence[RuleEntry]) -> ClusterKey | None:
        """The key of the file's cluster when it still has to be converted together (the
        costly part, which a worker can do: ``cluster_job``); None when it is decided."""
        from migrator.together import Decision

        codes = tuple(rule.code for rule in rules)
        key = (facts.together, codes)
        if key in self.decisions:
            return None
        if any(_graph_rules(self.rules_of.get(member, codes)) != _graph_rules(codes) for member in facts.together):
            self.decisions[key] = Decision(notes={
                member: "its modules are migrated with other rules (per-file ignores)" for member in facts.together
            })
            return None
        if any(self._changed(member) for member in facts.together):
            self.decisions[key] = Decision(notes={member: "a file of them changed during the run" for member in facts.together})
            return None
        return key

    def cluster_job(self, key: ClusterKey, rules: Sequence[RuleEntry]) -> tuple:
        """``together.decide``'s arguments for the cluster ``key``."""
        return key[0], self.facts, {path: self.sources[path] for path in key[0] if path in self.sources}, tuple(rules)

    def _changed(self, display: str) -> bool:
        """The file is not as it was indexed (the files converted together must be)."""
        try:
            return files.read_source(self.paths[display], len(self.sources[display]) + 1) != self.sources[display]
        except (OSError, TooLarge, KeyError):
            return True

    def record(self, result: FileResult) -> None:
        if result.graph_mode and not result.graph_switch:
            self.graph_mode[result.path] = result.graph_mode

    def dependencies(self, targets: Sequence[Target], everything: Sequence[Target]) -> list[Target]:
        """The modules of ``everything`` outside ``targets`` (another ``--shard``'s) that the
        waiting entry scripts of ``targets`` reach: migrated for their outcome only."""
        waiting = {t.display for t in targets if self.waits(t)}
        chosen = {t.display for t in targets}
        return [
            t for t in everything
            if t.display not in chosen and t.display in self.facts
            and waiting.intersection(self.facts[t.display].entry_points)
        ]


def _decide_in_worker(key: ClusterKey, job: tuple) -> tuple[ClusterKey, Decision]:
    from migrator.together import decide

    # LibCST recurses once per nesting level of the code: on the large stack, as files are.
    return key, _on_deep_stack(decide, *job)


def _graph_rules(codes: tuple[str, ...]) -> tuple[str, ...]:
    """The rules files converted together go through together (up to G101)."""
    from migrator.together import LAST_GRAPH_RULE

    return codes[: codes.index(LAST_GRAPH_RULE) + 1] if LAST_GRAPH_RULE in codes else ()


def index_targets(
    targets: Iterable[Target], entry_scripts: Iterable[str | os.PathLike] = (), max_file_bytes: int = MAX_FILE_BYTES,
    cache: ResultCache | None = None, on_build: Callable[[], object] | None = None,
) -> Project:
    """The project-level view of a run's files, built once before any file is rewritten:
    which modules import which, which are entry scripts (a ``__main__`` guard, a notebook,
    or in ``entry_scripts``: the files a command runs). Reads each file once more (no
    parsing: regular expressions); unreadable and oversized files are left out (their
    migration reports them). With a ``cache`` that has it (``ResultCache.get_index``), the
    view of the same files with the same bytes is read back instead of built; ``on_build``
    is called when it is built (a run whose results are not all cached)."""
    raw: dict[str, bytes] = {}
    paths: dict[str, Path] = {}
    for target in targets:
        paths[target.display] = target.path
        try:
            # Opening a FIFO would wait for a writer forever: look before opening.
            if not stat.S_ISREG(os.stat(target.path).st_mode):
                continue
            # A read of its own: migrating reads the file again (and writes only if it
            # is unchanged since then); the index is only a hint about the others.
            raw[target.display] = files.read_source(target.path, max_file_bytes)
        except (OSError, TooLarge):
            continue
    entry_scripts = [str(e) for e in entry_scripts]
    key = _index_key(paths, raw, entry_scripts) if cache is not None else None
    if cache is not None and key is not None:
        known = cache.get_index(key)
        if known is not None:
            facts, together_sources = known
            return Project(facts, sources=together_sources, paths={path: paths[path] for path in together_sources})
    if on_build is not None:
        on_build()
    sources: dict[str, bytes] = {}
    commanded: list[str] = []
    for display, data in raw.items():
        if notebooks.is_notebook(display):
            try:
                data = notebooks.to_script(data).encode()
            except notebooks.NotebookError:
                continue
            commanded.append(display)  # a notebook is run, never imported
        sources[display] = data
    displays = {os.path.normpath(os.path.abspath(t)): t for t in sources}
    commanded += [displays.get(os.path.normpath(os.path.abspath(e)), str(e)) for e in entry_scripts]
    facts = index_project(sources, commanded)
    together = {path for path, fact in facts.items() if fact.together}
    together_sources = {path: sources[path] for path in together}
    if cache is not None and key is not None:
        cache.put_index(key, facts, together_sources)
    return Project(facts, sources=together_sources, paths={path: paths[path] for path in together})


def _index_key(paths: dict[str, Path], raw: dict[str, bytes], entry_scripts: list[str]) -> str:
    """What ``index_targets`` builds its view from: the files (as named and found), the
    bytes of those it read, the entry scripts, and the folder names are resolved from."""
    import hashlib

    digest = hashlib.blake2b(digest_size=20)
    digest.update(os.getcwd().encode("utf-8", "surrogateescape") + b"\0")
    for entry in entry_scripts:
        digest.update(b"e" + entry.encode("utf-8", "surrogateescape") + b"\0")
    for display, path in paths.items():
        data = raw.get(display)
        digest.update(b"f" + display.encode("utf-8", "surrogateescape") + b"\0" + os.fsencode(path) + b"\0")
        digest.update(b"-\0" if data is None else b"%d\0" % len(data) + data)
    return digest.hexdigest()


_WORKER: dict = {}


def collect_garbage_less_often() -> None:
    """For a process that migrates files and ends (the CLI and its workers): Python's
    cycle collector runs after every 700 new objects by default, and a parse makes
    hundreds of thousands that live until the file is done; measured on tensor2tensor,
    8 % of the CPU went to collections that found next to nothing. At 20,000 objects
    it is about a third of that and peak memory stays the same."""
    gc.set_threshold(20_000, 10, 10)


def _worker_init(
    rules: tuple[RuleEntry, ...], want_diff: bool, cache: ResultCache | None, max_file_bytes: int = MAX_FILE_BYTES
) -> None:
    # Ctrl-C reaches the whole process group; the main process alone decides what an
    # interrupt means (it stops the workers and writes nothing half-way).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker is forked with the CLI's SIGTERM handler (raise KeyboardInterrupt),
    # which the pool would catch and carry on: stopping a worker must stop it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    collect_garbage_less_often()  # inherited when forked, not when spawned
    # LibCST's codemod package and the rules take half a second to import: a pool
    # started early (``start_workers``) does it while the main process indexes the tree.
    for rule in rules:
        if isinstance(rule, RuleSpec):
            rule.load()
    _WORKER["rules"] = rules
    _WORKER["want_diff"] = want_diff
    _WORKER["cache"] = cache
    _WORKER["max_file_bytes"] = max_file_bytes


def start_workers(
    jobs: int, rules: Sequence[RuleEntry], want_diff: bool, cache: ResultCache | None, max_file_bytes: int = MAX_FILE_BYTES
) -> ProcessPoolExecutor:
    """A pool for ``migrate_targets(..., pool=)``, its workers started now: they load the
    rules while the caller does other work (indexing the tree)."""
    pool = _pool(jobs, rules, want_diff, cache, max_file_bytes)
    for _ in range(jobs):
        pool.submit(int)  # a task makes the pool start a worker
    return pool


def _pool(
    jobs: int, rules: Sequence[RuleEntry], want_diff: bool, cache: ResultCache | None, max_file_bytes: int
) -> ProcessPoolExecutor:
    """Workers for the files (each started by the first task it gets)."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=jobs, initializer=_worker_init, initargs=(tuple(rules), want_diff, cache, max_file_bytes)
    )


# Input position, file, its place in the tree, where its migration starts (``Project.together``).
Job = tuple[int, Target, "ProjectFacts | None", "Start | None"]


def _worker_batch(batch: list[Job]) -> list[tuple[int, FileResult]]:
    out = []
    for index, target, facts, start in batch:
        result = migrate_file(
            target, _WORKER["rules"], _WORKER["want_diff"], _WORKER["cache"], _WORKER["max_file_bytes"], facts, start
        )
        if not result.changed:
            # The main process only needs bytes it may write: keep the pipe light.
            result.old_bytes = result.new_bytes = b""
        out.append((index, result))
    return out


def _batches(jobs_todo: list[Job], jobs: int) -> list[list[Job]]:
    """Largest files first (no straggler at the end), small files grouped together."""

    def size(target: Target) -> int:
        try:
            return os.stat(target.path).st_size
        except OSError:
            return 0

    sized = sorted(((size(job[1]), job) for job in jobs_todo), key=lambda x: (-x[0], x[1][0]))
    total = sum(s for s, _ in sized)
    # A few batches per worker at least; never more than ~256 KB of source in one.
    limit = max(16 * 1024, min(256 * 1024, total // (jobs * 8) or 1))
    batches: list[list[Job]] = []
    current: list[Job] = []
    weight = 0
    for s, job in sized:
        current.append(job)
        weight += s
        if weight >= limit or len(current) >= 64:
            batches.append(current)
            current, weight = [], 0
    if current:
        batches.append(current)
    return batches


def migrate_targets(
    items: Iterable[Target | Missing],
    rules: Sequence[RuleEntry] | None = None,
    jobs: int = 1,
    want_diff: bool = False,
    on_progress: Callable[[int], None] | None = None,
    cache: ResultCache | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    project: Project | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> Iterator[FileResult]:
    """Migrate every target, in parallel when it pays; results in input order.

    ``project`` (``index_targets``) gives each file its place in the tree: an entry
    script that imports the tree's modules is migrated after those modules, knowing
    which of them stayed in graph mode (``Project.record``).
    ``on_progress(n)`` is called as files finish (for a progress bar), which in
    parallel runs is earlier than their turn in the output order. Closing the
    iterator (or an interrupt while it runs) stops the workers at once. With a
    ``cache``, the files it knows are answered here and only the others go to workers.
    ``pool`` (``start_workers``, with the same rules and settings): the workers to use,
    left running when all is done.
    """
    rules = tuple(RULES if rules is None else rules)

    def notify(result: FileResult) -> None:
        if on_progress is not None:
            on_progress(1)

    targets: list[tuple[int, Target]] = []
    for item in items:
        if isinstance(item, Missing):
            result = _failed(item.display, b"", item.reason)
            notify(result)
            yield result
        else:
            targets.append((len(targets), item))
    first, later = targets, []
    if project is not None:
        first = [job for job in targets if not project.waits(job[1])]
        later = [job for job in targets if project.waits(job[1])]
    done: dict[int, FileResult] = {}
    next_index = 0
    # Closed at once when the caller stops early: the workers are stopped.
    with contextlib.closing(
        _migrate_files(first, later, rules, jobs, want_diff, notify, cache, max_file_bytes, project, pool)
    ) as results:
        for index, result in results:
            if project is not None:
                project.record(result)
            done[index] = result
            while next_index in done:
                yield done.pop(next_index)
                next_index += 1


class _Waiting:
    """The entry scripts still to start, and the modules each waits for: those that list
    it among their entry points. When they are done (recorded), the script knows all that
    decides its graph-mode switch."""

    def __init__(self, first: list[tuple[int, Target]], later: list[tuple[int, Target]], project: Project | None):
        self.later = later
        self.blockers: dict[int, set[int]] = {}  # script -> modules (input positions)
        self.blocks: dict[int, list[tuple[int, Target]]] = {}  # module -> scripts
        if project is None or not later:
            return
        scripts = {target.display: (index, target) for index, target in later}
        for index, module in first:
            facts = project.facts.get(module.display)
            for name in facts.entry_points if facts is not None else ():
                if name in scripts:
                    self.blockers.setdefault(scripts[name][0], set()).add(index)
                    self.blocks.setdefault(index, []).append(scripts[name])

    def free(self) -> list[tuple[int, Target]]:
        """The scripts no module blocks."""
        return [(index, target) for index, target in self.later if index not in self.blockers]

    def done(self, index: int) -> list[tuple[int, Target]]:
        """The scripts that the module at ``index`` was the last to block."""
        ready = []
        for script in self.blocks.pop(index, ()):
            blockers = self.blockers[script[0]]
            blockers.discard(index)
            if not blockers:
                ready.append(script)
        return ready


def _migrate_files(
    first: list[tuple[int, Target]], later: list[tuple[int, Target]], rules: tuple[RuleEntry, ...], jobs: int,
    want_diff: bool, notify: Callable[[FileResult], None], cache: ResultCache | None, max_file_bytes: int,
    project: Project | None, given: ProcessPoolExecutor | None = None,
) -> Iterator[tuple[int, FileResult]]:
    """(input position, result) of each target, as they finish: the ``first`` files, and
    the ``later`` ones (entry scripts) as soon as the modules they import are done; in
    one process, after all of the first."""
    parallel = jobs > 1 and len(first) + len(later) >= 4
    # Files whose cluster is still to be converted together: with workers, a worker does
    # that while the others migrate files, and the files follow when it is done.
    clusters: dict[ClusterKey, list[tuple[int, Target, ProjectFacts]]] = {}

    def prepare(targets: list[tuple[int, Target]]) -> tuple[list[tuple[int, FileResult]], list[Job], list[ClusterKey]]:
        """The targets answered from the cache, the jobs, and the clusters first met."""
        answered: list[tuple[int, FileResult]] = []
        todo: list[Job] = []
        new: list[ClusterKey] = []
        for index, target in targets:
            # The facts are read now: after the modules the file waits for are recorded.
            facts = project.facts_for(target.display) if project is not None else None
            together = project is not None and facts is not None and bool(facts.together)
            # Answered from the cache here when workers would be started for it, or when it
            # would be converted together with other files for nothing (alone, migrate_file
            # asks the cache itself).
            if cache is not None and (parallel or together):
                known = _cached_result(target, cache, want_diff, max_file_bytes, facts)
                if known is not None:
                    answered.append((index, known))
                    continue
            start = None
            if together:
                assert project is not None and facts is not None
                key = project.undecided(facts, rules) if parallel else None
                if key is not None:
                    if key not in clusters:
                        new.append(key)
                    clusters.setdefault(key, []).append((index, target, facts))
                    continue
                facts, start = project.together(facts, rules)
            todo.append((index, target, facts, start))
        return answered, todo, new

    def here(answered: list[tuple[int, FileResult]], todo: list[Job]) -> Iterator[tuple[int, FileResult]]:
        """Migrated in this process."""
        for index, target, facts, begin in todo:
            answered.append((index, migrate_file(target, rules, want_diff, cache, max_file_bytes, facts, begin)))
        for index, result in answered:
            notify(result)
            yield index, result

    if not parallel:
        yield from here(*prepare(first)[:2])
        yield from here(*prepare(later)[:2])  # prepared once the first are recorded
        return
    known, todo, new = prepare(first)
    if given is None and len(todo) < 4 and not (new or later):  # not worth starting workers
        yield from here(known, todo)
        return

    # Imported here: a run over one file (an editor) never starts a pool.
    from concurrent.futures import FIRST_COMPLETED, Future, wait

    waiting = _Waiting(first, later, project)
    pool = given or _pool(jobs, rules, want_diff, cache, max_file_bytes)  # no worker while all is cached
    pending: dict[Future, list[Job] | ClusterKey] = {}
    answered: list[tuple[int, FileResult]] = []

    def submit(known: list[tuple[int, FileResult]], todo: list[Job], new: list[ClusterKey]) -> None:
        answered.extend(known)
        for key in new:  # a cluster first: its files cannot start before it
            assert project is not None
            pending[pool.submit(_decide_in_worker, key, project.cluster_job(key, rules))] = key
        for batch in _batches(todo, jobs):
            pending[pool.submit(_worker_batch, batch)] = batch

    def start(targets: list[tuple[int, Target]]) -> None:
        submit(*prepare(targets))

    def deliver(pairs: list[tuple[int, FileResult]]) -> Iterator[tuple[int, FileResult]]:
        for index, result in pairs:
            notify(result)
            yield index, result  # the caller records it before this goes on
            start(waiting.done(index))

    try:
        submit(known, todo, new)
        start(waiting.free())
        while answered or pending:
            if answered:
                pairs, answered[:] = list(answered), []
                yield from deliver(pairs)
                continue
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                task = pending.pop(future)
                if isinstance(task, tuple):  # a cluster: its files go to the workers now
                    assert project is not None
                    try:
                        project.decisions[task] = future.result()[1]
                    except Exception as exc:  # noqa: BLE001 - a dead worker: each file of it alone
                        from migrator.together import Decision

                        reason = f"the worker process reading them together died ({type(exc).__name__})"
                        project.decisions[task] = Decision(notes={member: reason for member in task[0]})
                    members: list[Job] = []
                    for index, target, facts in clusters.pop(task):
                        facts, begin = project.together(facts, rules)
                        members.append((index, target, facts, begin))
                    for batch in _batches(members, jobs):
                        pending[pool.submit(_worker_batch, batch)] = batch
                    continue
                try:
                    pairs = future.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker (killed, out of memory)
                    reason = f"the worker process migrating this file died ({type(exc).__name__}); file left unchanged"
                    pairs = [(i, _failed(t.display, b"", reason)) for i, t, _, _ in task]
                yield from deliver(pairs)
    finally:
        if pending or given is None:
            _stop(pool, graceful=not pending)


def _stop(pool: ProcessPoolExecutor, graceful: bool) -> None:
    if graceful:
        pool.shutdown(wait=True)
        return
    # Interrupted or abandoned: workers only compute (the main process writes), so
    # they can be stopped without waiting for their current file.
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
