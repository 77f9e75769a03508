"""Results of earlier runs, so a re-run over an unchanged tree reads, hashes and stops.

One entry per file, named by a hash of the file's path (as reports and diffs name it)
and its bytes (valid while what the result depended on of the file's place in its tree,
``ProjectFacts.cache_key``, is unchanged), in a folder named by a fingerprint of everything else that decides the
output: migrator's version, the source and data files of the rules and the engine (a
code change invalidates every entry), the selected rules and the options that change
what a file becomes. An entry holds the result (status, findings, the new bytes, the
diff when one was made); it is written through a temporary file and a rename, and an
entry that cannot be read back exactly is treated as absent.

The folder is ``.migrator_cache`` in the working folder, or ``--cache-dir`` /
``$MIGRATOR_CACHE_DIR``; it ignores itself for git (a ``.gitignore`` of ``*``) and is
tagged for backup tools (``CACHEDIR.TAG``), as ruff's is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from codemods.analysis.project import Group, Helper, ProjectFacts
from codemods.finding import Finding
from migrator.engine import FileResult, Status

CACHE_DIR_ENV = "MIGRATOR_CACHE_DIR"
DEFAULT_DIR = ".migrator_cache"
_MAGIC = b"migrator-cache 2\n"
_INDEX_MAGIC = b"migrator-index 1\n"
_TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# A cache folder of migrator (https://bford.info/cachedir/).\n"
# What the engine's output depends on besides the rule selection: these packages' files.
_SOURCE_PACKAGES = ("codemods", "migrator")
_SOURCE_SUFFIXES = (".py", ".json", ".toml", ".txt")


def default_folder() -> Path:
    return Path(os.environ.get(CACHE_DIR_ENV) or DEFAULT_DIR)


def _source_files() -> Iterable[Path]:
    import codemods
    import migrator

    for package in (codemods, migrator):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*")):
            if path.suffix in _SOURCE_SUFFIXES and "__pycache__" not in path.parts:
                yield path


def fingerprint(rule_codes: Iterable[str], options: Mapping[str, object]) -> str:
    """A hash of everything besides a file's path and bytes that decides its result."""
    from migrator import __version__

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__}\0{','.join(rule_codes)}\0{json.dumps(options, sort_keys=True)}\0".encode())
    for path in _source_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class Cache:
    """Entries for one fingerprint under ``root``; every failure to use it is a miss."""

    def __init__(self, root: Path, fingerprint: str) -> None:
        self.root = root
        self.folder = root / fingerprint

    def _entry(self, display: str, data: bytes) -> Path:
        digest = hashlib.blake2b(display.encode("utf-8", "surrogateescape") + b"\0" + data, digest_size=20)
        name = digest.hexdigest()
        return self.folder / name[:2] / name

    def get(self, display: str, data: bytes, project_keys: tuple[str, ...] = ("",)) -> FileResult | None:
        """The stored result for this path and these bytes, or None; a result that
        depended on the file's place in its tree counts only if that is one of
        ``project_keys`` still (``engine.project_keys``)."""
        try:
            blob = self._entry(display, data).read_bytes()
            result = _decode(blob, display, data)
        except Exception:  # noqa: BLE001 - a missing, unreadable or corrupt entry is a miss
            return None
        return result if result.project_key in project_keys else None

    def put(self, result: FileResult, data: bytes) -> None:
        """Store ``result`` (made from ``data``); a cache that cannot be written is skipped."""
        self._write(self._entry(result.path, data), _encode(result))

    def _write(self, path: Path, blob: bytes) -> None:
        with contextlib.suppress(OSError):
            self._prepare()
            path.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".entry.")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(blob)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    # The project view of the tree run last (``engine.index_targets``), with a hash of its
    # files' names and bytes: a re-run over an unchanged tree does not index it again. One
    # entry, overwritten: a tree edited between runs does not pile up views.
    def get_index(self, key: str) -> tuple[dict[str, ProjectFacts], dict[str, bytes]] | None:
        try:
            blob = (self.folder / "index" / "last").read_bytes()
            header = _INDEX_MAGIC + key.encode() + b"\n"
            if not blob.startswith(header):
                return None
            return _index_in(json.loads(blob[len(header):]))
        except Exception:  # noqa: BLE001 - a missing, unreadable or corrupt entry is a miss
            return None

    def put_index(self, key: str, facts: dict[str, ProjectFacts], sources: dict[str, bytes]) -> None:
        try:
            text = json.dumps(_index_out(facts, sources))
            exact = _index_in(json.loads(text)) == (facts, sources)
        except Exception:  # noqa: BLE001 - facts this format cannot hold are not stored
            exact = False
        if exact:
            self._write(self.folder / "index" / "last", _INDEX_MAGIC + key.encode() + b"\n" + text.encode())

    def _prepare(self) -> None:
        if self.folder.is_dir():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        for name, content in ((".gitignore", b"# Created by migrator.\n*\n"), ("CACHEDIR.TAG", _TAG)):
            marker = self.root / name
            if not marker.exists():
                marker.write_bytes(content)
        self.folder.mkdir(exist_ok=True)


def _encode(result: FileResult) -> bytes:
    new = result.new_bytes if result.changed else b""
    diff = result.diff or b""
    header = {
        "status": result.status.value,
        "error": result.error,
        "line": result.line,
        "col": result.col,
        "applied": dict(result.applied),
        "findings": _findings_out(result.findings),
        "new_findings": None if result.new_findings is None else _findings_out(result.new_findings),
        "new": len(new),
        "diff": len(diff) if result.diff is not None else None,
        "graph_mode": result.graph_mode,
        "graph_switch": result.graph_switch,
        "project": result.project_key,
    }
    return _MAGIC + json.dumps(header).encode() + b"\n" + new + diff


def _decode(blob: bytes, display: str, data: bytes) -> FileResult:
    if not blob.startswith(_MAGIC):
        raise ValueError("not a cache entry")
    end = blob.index(b"\n", len(_MAGIC))
    header = json.loads(blob[len(_MAGIC) : end])
    body = blob[end + 1 :]
    new_size, diff_size = header["new"], header["diff"]
    if len(body) != new_size + (diff_size or 0):
        raise ValueError("truncated cache entry")
    status = Status(header["status"])
    if status is not Status.CHANGED and (new_size or diff_size is not None):
        raise ValueError("inconsistent cache entry")
    findings = _findings_in(header["findings"])
    new_findings = header.get("new_findings")
    applied = Counter({str(code): int(n) for code, n in header["applied"].items()})
    error = header["error"]
    return FileResult(
        display,
        status,
        data,
        body[:new_size] if status is Status.CHANGED else data,
        findings,
        applied,
        error=None if error is None else str(error),
        line=int(header["line"]),
        col=int(header["col"]),
        diff=None if diff_size is None else body[new_size:],
        new_findings=None if new_findings is None else _findings_in(new_findings),
        graph_mode=str(header["graph_mode"]),
        graph_switch=bool(header["graph_switch"]),
        project_key=str(header["project"]),
    )


def _index_out(facts: dict[str, ProjectFacts], sources: dict[str, bytes]) -> dict:
    return {
        "facts": [dataclasses.asdict(fact) for fact in facts.values()],
        "sources": {path: data.decode("latin-1") for path, data in sources.items()},
    }


def _thaw(value: object) -> object:
    """JSON's lists back to the tuples the facts hold."""
    return tuple(_thaw(item) for item in value) if isinstance(value, list) else value


def _index_in(document: dict) -> tuple[dict[str, ProjectFacts], dict[str, bytes]]:
    facts = {}
    for fields in document["facts"]:
        values = {name: _thaw(value) for name, value in fields.items()}
        group = values.get("group")
        if isinstance(group, dict):
            helpers = tuple(Helper(**helper) for helper in group["helpers"])
            values["group"] = Group(**{name: _thaw(value) for name, value in group.items()} | {"helpers": helpers})
        fact = ProjectFacts(**values)  # type: ignore[arg-type]
        facts[fact.path] = fact
    sources = {path: text.encode("latin-1") for path, text in document["sources"].items()}
    return facts, sources


def _findings_out(findings: list[Finding]) -> list[list]:
    return [[f.rule, f.line, f.col, f.message, f.kind, f.cell] for f in findings]


def _findings_in(rows: list[list]) -> list[Finding]:
    return [Finding(str(r), int(ln), int(c), str(m), str(k), int(cell)) for r, ln, c, m, k, cell in rows]
