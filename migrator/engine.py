"""The migration pipeline: bytes in, rules in their declared order, bytes out.

Every outcome is a ``FileResult`` value; nothing a file contains can make the engine
raise, so one bad file never stops a run over thousands.
"""

from __future__ import annotations

import ast
import difflib
import enum
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from codemods import PIPELINE
from codemods.base import Finding, Rule
from migrator.files import Missing, Target

# Larger files are refused rather than tying up a worker for minutes.
MAX_FILE_BYTES = 8 * 1024 * 1024


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
    applied: Counter = field(default_factory=Counter)  # rule code -> rewrites
    error: str | None = None  # for FAILED: "line:col: reason" or a reason

    @property
    def changed(self) -> bool:
        return self.status is Status.CHANGED


def select_rules(
    select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> tuple[type[Rule], ...]:
    """The pipeline filtered by rule-code prefixes, order kept."""

    def hit(rule: type[Rule], prefixes: Sequence[str]) -> bool:
        return any(rule.code.startswith(p.upper()) for p in prefixes)

    return tuple(
        r for r in PIPELINE if (not select or hit(r, select)) and not hit(r, ignore)
    )


_PY2_HINTS = re.compile(rb"^\s*(print\s+[^\s(=]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:)", re.M)


def _parse_error(data: bytes, exc: Exception) -> str:
    if isinstance(exc, cst.ParserSyntaxError):
        where = f"{exc.raw_line}:{exc.raw_column}"
        reason = exc.message.splitlines()[0] if exc.message else "syntax error"
        hint = " (this looks like Python 2 code; migrate it to Python 3 first)" if _PY2_HINTS.search(data) else ""
        return f"{where}: cannot parse: {reason}{hint}"
    if isinstance(exc, UnicodeDecodeError):
        line = data[: exc.start].count(b"\n") + 1
        return f"{line}:0: cannot decode as {exc.encoding}: {exc.reason}"
    return f"cannot read source: {exc}"


def _line_map(old: str, new: str) -> Callable[[int], int]:
    """Map a line of ``new`` back to the corresponding line of ``old``."""
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    opcodes = matcher.get_opcodes()

    def back(line: int) -> int:
        index = line - 1
        for tag, i1, i2, j1, j2 in opcodes:
            if j1 <= index < j2 or (tag == "delete" and index == j1):
                return i1 + (index - j1 if tag == "equal" else 0) + 1
        return line

    return back


def migrate_source(
    data: bytes, path: str = "<stdin>", rules: Sequence[type[Rule]] | None = None
) -> FileResult:
    """Run the pipeline over one file's bytes."""
    rules = PIPELINE if rules is None else rules
    if b"\0" in data:
        return FileResult(path, Status.FAILED, data, data, error="binary file, not Python source")
    if len(data) > MAX_FILE_BYTES:
        return FileResult(
            path, Status.FAILED, data, data,
            error=f"file too large ({len(data) // 1024 // 1024} MB; limit {MAX_FILE_BYTES // 1024 // 1024} MB)",
        )
    active = [r for r in rules if any(t.encode() in data for t in r.triggers)]
    if not active:
        return FileResult(path, Status.SKIPPED, data, data)
    try:
        module = cst.parse_module(data)
    except Exception as exc:  # noqa: BLE001 - every parse failure becomes a result
        return FileResult(path, Status.FAILED, data, data, error=_parse_error(data, exc))

    scratch: dict = {}
    findings: list[Finding] = []
    applied: Counter = Counter()
    # Each changed stage, so findings can be mapped back to lines of the input file.
    stages: list[cst.Module] = [module]
    for rule_class in active:
        rule = rule_class(CodemodContext(filename=path, scratch=scratch))
        before = stages[-1]
        try:
            after = rule.run(before)
        except SkipFile:
            continue
        except Exception as exc:  # noqa: BLE001 - a rule bug must not lose the file
            return FileResult(
                path, Status.FAILED, data, data,
                error=f"internal error in rule {rule.code} ({type(exc).__name__}: {exc}); file left unchanged",
            )
        rule_findings = rule.findings()
        if len(stages) > 1 and rule_findings:
            rule_findings = _map_back(stages, rule_findings)
        findings.extend(rule_findings)
        if after is not before and not after.deep_equals(before):
            applied[rule.code] += 1
            stages.append(after)

    new_module = stages[-1]
    new_bytes = new_module.bytes if len(stages) > 1 else data
    if new_bytes == data:
        return FileResult(path, Status.UNCHANGED, data, data, findings, applied)
    try:
        ast.parse(new_bytes)
    except SyntaxError as exc:
        return FileResult(
            path, Status.FAILED, data, data, findings,
            error=f"internal error: the migrated code does not parse ({exc.msg} at line {exc.lineno}); file left unchanged",
        )
    return FileResult(path, Status.CHANGED, data, new_bytes, findings, applied)


def _map_back(stages: list[cst.Module], findings: list[Finding]) -> list[Finding]:
    codes = [stage.code for stage in stages]
    maps = [_line_map(codes[i], codes[i + 1]) for i in range(len(codes) - 1)]
    mapped = []
    for finding in findings:
        line = finding.line
        for back in reversed(maps):
            line = back(line)
        mapped.append(Finding(finding.rule, line, finding.col, finding.message, finding.kind))
    return mapped


def migrate_file(target: Target, rule_codes: tuple[str, ...]) -> FileResult:
    """Read and migrate one file (runs in a worker process)."""
    try:
        data = target.path.read_bytes()
    except OSError as exc:
        return FileResult(target.display, Status.FAILED, error=f"cannot read: {exc.strerror or exc}")
    rules = [r for r in PIPELINE if r.code in rule_codes]
    return migrate_source(data, target.display, rules)


def migrate_targets(
    items: Iterable[Target | Missing],
    rules: Sequence[type[Rule]],
    jobs: int,
) -> Iterable[FileResult]:
    """Migrate every target, in parallel when it pays; results in input order."""
    targets: list[Target] = []
    for item in items:
        if isinstance(item, Missing):
            yield FileResult(item.display, Status.FAILED, error=item.reason)
        else:
            targets.append(item)
    codes = tuple(r.code for r in rules)
    if jobs <= 1 or len(targets) < 4:
        for target in targets:
            yield migrate_file(target, codes)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, min(16, len(targets) // (jobs * 8)))
        yield from pool.map(migrate_file, targets, [codes] * len(targets), chunksize=chunk)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
