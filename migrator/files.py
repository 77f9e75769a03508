"""Finding the files to migrate and writing them back without ever losing one."""

from __future__ import annotations

import fnmatch
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Folders that hold no project source: version control, virtual environments,
# build output and caches.
SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".env", "env", "__pycache__",
        ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints",
        "node_modules", "site-packages", "build", "dist", ".eggs",
    }
)
SOURCE_SUFFIXES = (".py",)


@dataclass(frozen=True)
class Target:
    path: Path
    display: str  # how messages and diffs name it (relative to the working folder)


@dataclass(frozen=True)
class Missing:
    display: str
    reason: str


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _is_virtualenv(dirpath: str) -> bool:
    return os.path.exists(os.path.join(dirpath, "pyvenv.cfg"))


def _excluded(display: str, patterns: tuple[str, ...]) -> bool:
    name = os.path.basename(display)
    parts = Path(display).parts
    return any(
        fnmatch.fnmatch(display, p) or fnmatch.fnmatch(name, p) or p in parts
        for p in patterns
    )


def discover(paths: Iterable[str], exclude: tuple[str, ...] = ()) -> Iterator[Target | Missing]:
    """Source files under ``paths``, in a stable order; named files always count."""
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            yield Missing(raw, "no such file or directory")
            continue
        if not path.is_dir():
            key = os.path.realpath(path) if path.exists() else raw
            if key not in seen:
                seen.add(key)
                yield Target(path, _display(path))
            continue
        for dirpath, dirnames, filenames in os.walk(path, onerror=None):
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in SKIPPED_DIRS
                and not d.endswith(".egg-info")
                and not _is_virtualenv(os.path.join(dirpath, d))
                and not _excluded(_display(Path(dirpath, d)), exclude)
            )
            for name in sorted(filenames):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                file = Path(dirpath, name)
                display = _display(file)
                if _excluded(display, exclude):
                    continue
                key = os.path.realpath(file)
                if key in seen:
                    continue
                seen.add(key)
                yield Target(file, display)


class ConcurrentModification(Exception):
    """The file changed on disk after migrator read it."""


def write_atomically(path: Path, data: bytes, expected_old: bytes) -> None:
    """Replace ``path`` with ``data`` through a temporary file and a rename.

    The file is left alone when its content is no longer ``expected_old`` (someone
    else wrote it during the run). Permission bits are kept. Readers see either the
    old or the new file, never a partial one, even if the process is interrupted.
    """
    real = Path(os.path.realpath(path))
    mode = stat.S_IMODE(os.stat(real).st_mode)
    if real.read_bytes() != expected_old:
        raise ConcurrentModification(f"{path} changed on disk during the run; not overwritten")
    fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".migrator-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
