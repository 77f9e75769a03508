"""Files git ignores are not project source: discovery leaves them out, as ruff does.

Asks git itself (``git check-ignore``), so every .gitignore, .git/info/exclude and the
global excludes file count, exactly as git reads them. Files named on the command line
are always migrated; outside a git repository (or without git) nothing is left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable

from migrator.files import Missing, Target


def _repository(folder: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", folder, "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def ignored(paths: list[str], folder: str) -> set[str]:
    """The ``paths`` (absolute) that git ignores in the repository holding ``folder``."""
    if not paths or shutil.which("git") is None:
        return set()
    try:
        done = subprocess.run(
            ["git", "-C", folder, "check-ignore", "--stdin", "-z"],
            input="\0".join(paths) + "\0", capture_output=True, text=True, timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return set()
    # Exit 1: nothing ignored; 128: a path outside the repository (then keep them all).
    return {p for p in done.stdout.split("\0") if p} if done.returncode == 0 else set()


def drop_ignored(items: Iterable[Target | Missing], named: Iterable[str]) -> list[Target | Missing]:
    """``items`` without the files git ignores (those named directly are kept)."""
    items = list(items)
    named = [os.path.abspath(p) for p in named]
    # Only folders are walked: files named one by one (pre-commit's way) cost no git call.
    roots = {_repository(p) for p in named if os.path.isdir(p)}
    roots = sorted((os.path.realpath(r) for r in roots if r), key=len, reverse=True)
    if not roots:
        return items
    # A folder named on the command line that git ignores as a whole (`migrator migrate
    # build/copy`) is migrated as asked: nothing under it is left out.
    folders = [p for p in named if os.path.isdir(p)]
    asked = [os.path.realpath(f) for r in roots for f in ignored(folders, r)]
    by_repository: dict[str, list[str]] = {}
    for item in items:
        if isinstance(item, Target):
            path = os.path.realpath(os.path.abspath(item.path))
            if os.path.abspath(item.path) in named or any(path.startswith(a + os.sep) for a in asked):
                continue
            root = next((r for r in roots if path.startswith(r + os.sep)), None)
            if root is not None:
                by_repository.setdefault(root, []).append(os.path.abspath(item.path))
    drop: set[str] = set()
    for repository, paths in by_repository.items():
        drop |= ignored(paths, repository)
    return [i for i in items if not (isinstance(i, Target) and os.path.abspath(i.path) in drop)]
