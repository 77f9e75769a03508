"""Finding the files to migrate, reading them, and writing them back without ever losing one."""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import hashlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Folders that hold no project source: version control, virtual environments,
# build output and caches.
SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".env", "env", "__pycache__",
        ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".migrator_cache", ".ipynb_checkpoints",
        "node_modules", "site-packages", "build", "dist", ".eggs",
    }
)
SOURCE_SUFFIXES = (".py", ".ipynb")  # notebooks: see migrator/notebooks.py
TEMP_SUFFIX = ".migrator-tmp"


@dataclass(frozen=True)
class Target:
    path: Path
    display: str  # how messages and diffs name it (relative to the working folder)


@dataclass(frozen=True)
class Missing:
    """A named path or a folder of the tree that could not be looked at."""

    display: str
    reason: str


def _display(path: str | Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _is_environment(dirpath: str) -> bool:
    """A virtual environment (``pyvenv.cfg``) or a conda environment (``conda-meta``)."""
    return os.path.exists(os.path.join(dirpath, "pyvenv.cfg")) or os.path.isdir(
        os.path.join(dirpath, "conda-meta")
    )


def _excluded(display: str, patterns: tuple[str, ...]) -> bool:
    if not patterns:
        return False
    name = os.path.basename(display)
    parts = Path(display).parts
    return any(
        fnmatch.fnmatch(display, p) or fnmatch.fnmatch(name, p) or p in parts
        for p in patterns
    )


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _walk(root: str, exclude: tuple[str, ...]) -> Iterator[Target | Missing]:
    """Depth-first, sorted; symbolic links to folders are not followed (no loops)."""
    try:
        with os.scandir(root) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except FileNotFoundError:
        yield Missing(_display(root), "folder vanished during the run")
        return
    except OSError as exc:
        yield Missing(_display(root), f"cannot list folder: {_os_reason(exc)}")
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            name = entry.name
            if name in SKIPPED_DIRS or name.endswith(".egg-info") or _is_environment(entry.path):
                continue
            if _excluded(_display(entry.path), exclude):
                continue
            yield from _walk(entry.path, exclude)
        elif entry.name.endswith(SOURCE_SUFFIXES) and not entry.name.endswith(TEMP_SUFFIX):
            # Regular files and symbolic links to files (a dangling link or a link loop
            # is reported when it is read).
            display = _display(entry.path)
            if not _excluded(display, exclude):
                yield Target(Path(entry.path), display)


def shard_of(key: str, count: int) -> int:
    """The shard (1..count) of a file whose path relative to its root is ``key``: a
    stable hash, the same on every machine and Python version."""
    digest = hashlib.blake2b(key.replace(os.sep, "/").encode("utf-8", "surrogateescape"), digest_size=8)
    return int.from_bytes(digest.digest(), "big") % count + 1


def discover(
    paths: Iterable[str], exclude: tuple[str, ...] = (), shard: tuple[int, int] | None = None
) -> Iterator[Target | Missing]:
    """Source files under ``paths``, in a stable order; named files always count.

    Lazy: a folder that disappears while the walk is under way is reported as Missing.
    ``shard=(index, count)`` keeps the files of shard ``index`` (1-based) of ``count``,
    by their path relative to the folder named in ``paths`` (a named file: the name as
    given), so the shards agree wherever the tree is checked out; what cannot be looked
    at (Missing) is reported by every shard.
    """
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            yield Missing(raw, "no such file or directory")
            continue
        items = _walk(raw, exclude) if path.is_dir() else iter([Target(path, _display(path))])
        for item in items:
            if isinstance(item, Target):
                # Duplicates first: a file reached twice belongs where its first path puts it.
                real = os.path.realpath(item.path)
                if real in seen:
                    continue
                seen.add(real)
                if shard is not None:
                    key = os.path.relpath(item.path, raw) if path.is_dir() else os.path.normpath(raw)
                    if shard_of(key, shard[1]) != shard[0]:
                        continue
            yield item


# -- reading -------------------------------------------------------------------------


class TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_source(path: Path, limit: int) -> bytes:
    """The bytes of ``path``; ``TooLarge`` without reading when over ``limit``."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if info.st_size > limit:
            raise TooLarge(info.st_size)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:  # grew since fstat
            raise TooLarge(len(data))
        return data
    finally:
        os.close(fd)


# -- writing -------------------------------------------------------------------------


class ConcurrentModification(Exception):
    """The file changed on disk after migrator read it."""


@contextlib.contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block is done, then deliver them.

    A write that has started always finishes (and cleans up after itself), so an
    interrupted run leaves every file either old or new and no temporary file behind.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, lambda signum, frame: received.append(signum))
        except (ValueError, OSError):  # pragma: no cover - not the main interpreter
            pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            signum = received[0]
            handler = previous.get(signum)
            if callable(handler):
                handler(signum, None)
            elif handler != signal.SIG_IGN:
                signal.raise_signal(signum)


def write_atomically(path: Path, data: bytes, expected_old: bytes) -> None:
    """Replace ``path`` with ``data`` through a temporary file and a rename.

    The temporary file sits in the same folder, so the rename is atomic: readers see
    either the old or the new file, never a partial one. The file is left alone when
    its content is no longer ``expected_old`` (someone else wrote it during the run).
    Permission bits (the executable bit too) and, where allowed, the owner are kept;
    a symbolic link stays a link (its target is replaced).
    """
    real = Path(os.path.realpath(path))
    with deferred_interrupts():
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
        # A rename would replace even a read-only file (and root may write anything):
        # a file without write permission is left as it is, for every user.
        if not info.st_mode & 0o222 or not os.access(real, os.W_OK):
            raise PermissionError(errno.EACCES, "file is read-only; not overwritten", str(path))
        with open(real, "rb") as handle:
            current = handle.read()
        if current != expected_old:
            raise ConcurrentModification(f"{path} changed on disk during the run; not overwritten")
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=TEMP_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, stat.S_IMODE(info.st_mode))
            if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):
                    os.chown(tmp, info.st_uid, info.st_gid)
            os.replace(tmp, real)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
