"""Unified diffs that ``git apply`` accepts, checked with ``unidiff`` before use."""

from __future__ import annotations

import difflib
import posixpath

from unidiff import PatchSet
from unidiff.constants import LINE_TYPE_NO_NEWLINE

try:
    # difflib's matching algorithm compiled (CyDifflib): the same opcodes, 7 times faster on
    # the stages of a migration (finding lines are mapped through them). It has no wheel
    # for every Python: then difflib's own.
    from cydifflib import SequenceMatcher as SequenceMatcher
except ImportError:
    from difflib import SequenceMatcher as SequenceMatcher

NO_NEWLINE = b"\\ No newline at end of file\n"


class InvalidPatch(Exception):
    """The patch we built does not turn the old text into the new one."""


def _split(data: bytes) -> list[bytes]:
    """Lines as git sees them: ended by ``\\n`` only (a lone ``\\r`` or a form feed
    is part of its line; ``bytes.splitlines`` would cut there and git would not)."""
    lines = data.split(b"\n")
    out = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _diff_lines(old: bytes, new: bytes, a_name: bytes, b_name: bytes) -> list[bytes]:
    out: list[bytes] = []
    for line in difflib.diff_bytes(
        difflib.unified_diff,
        _split(old),
        _split(new),
        a_name,
        b_name,
        n=3,
    ):
        if line.startswith((b"---", b"+++")):
            out.append(line.rstrip(b"\r\n").rstrip() + b"\n")
        elif line.endswith(b"\n"):
            out.append(line)
        else:
            out.append(line + b"\n")
            out.append(NO_NEWLINE)
    return out


def patch_name(display_path: str) -> str:
    """The name a patch gives a file: ``git apply`` refuses ``..`` and absolute paths,
    so a file outside the working folder is named by its file name."""
    name = posixpath.normpath(display_path.replace("\\", "/"))
    if name.startswith("../") or name == ".." or posixpath.isabs(name) or ":" in name.split("/")[0]:
        return posixpath.basename(name)
    return name


def unified_diff(display_path: str, old: bytes, new: bytes) -> bytes:
    """The patch from ``old`` to ``new`` for one file, with ``a/`` and ``b/`` prefixes."""
    name = patch_name(display_path).encode("utf-8", "surrogateescape")
    patch = b"".join(_diff_lines(old, new, b"a/" + name, b"b/" + name))
    check_patch(patch, old, new)
    return patch


def _apply(patch_text: str, old_text: str) -> str:
    """Apply a one-file patch with unidiff's parse of it (text decoded as latin-1).

    Exact: line endings are compared and kept as they are, and a
    ``\\ No newline at end of file`` marker takes the newline off the line before it.
    """
    patch_set = PatchSet(patch_text)
    if len(patch_set) != 1:
        raise InvalidPatch(f"expected one file in the patch, found {len(patch_set)}")
    old_lines = [line.decode("latin-1") for line in _split(old_text.encode("latin-1"))]
    result: list[str] = []
    position = 0
    for hunk in patch_set[0]:
        start = hunk.source_start - 1 if hunk.source_length else hunk.source_start
        if start < position:
            raise InvalidPatch(f"hunks overlap at line {start + 1}")
        result.extend(old_lines[position:start])
        position = start
        previous = None
        for line in hunk:
            if line.line_type == LINE_TYPE_NO_NEWLINE:
                if previous is None:
                    raise InvalidPatch("a 'No newline' marker without a line before it")
                if previous.is_removed or (previous.is_context and not result[-1].endswith("\n")):
                    continue  # the old file's last line (kept as it is when context)
                if not result[-1].endswith("\n"):
                    raise InvalidPatch("a 'No newline' marker after a line without one")
                result[-1] = result[-1][:-1]  # only the "\n" the patch added: a final "\r" is the file's
                continue
            previous = line
            if line.is_context or line.is_removed:
                if position >= len(old_lines) or old_lines[position].rstrip("\n") != line.value.rstrip("\n"):
                    raise InvalidPatch(f"hunk does not match the file at line {position + 1}")
                if line.is_context:
                    result.append(old_lines[position])
                position += 1
            elif line.is_added:
                result.append(line.value)
    result.extend(old_lines[position:])
    return "".join(result)


def check_patch(patch: bytes, old: bytes, new: bytes) -> None:
    """Parse ``patch`` back and prove it rebuilds ``new`` from ``old``."""
    if old == new:
        if patch:
            raise InvalidPatch("a patch for an unchanged file")
        return
    # latin-1 maps every byte to one character, so any file encoding survives.
    if _apply(patch.decode("latin-1"), old.decode("latin-1")) != new.decode("latin-1"):
        raise InvalidPatch("applying the patch does not reproduce the migrated file")
