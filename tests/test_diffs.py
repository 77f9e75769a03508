"""Unified diffs: what `git apply` accepts, checked back with unidiff before use."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrator.diffs import InvalidPatch, check_patch, unified_diff

CASES = {
    "change": (b"a\nb\nc\n", b"a\nB\nc\n"),
    "append_to_no_newline": (b"a\nb\nc", b"a\nb\nc\nd"),
    "edit_last_line_no_newline": (b"a\nb\nc", b"a\nb\nC"),
    "drop_final_newline": (b"a\nb\n", b"a\nb"),
    "add_final_newline": (b"a\nb", b"a\nb\n"),
    "crlf": (b"a\r\nb\r\nc\r\n", b"a\r\nB\r\nx\r\nc\r\n"),
    "crlf_no_newline": (b"a\r\nb\r\nc", b"a\r\nb\r\nc\r\nd"),
    "mixed_endings": (b"a\r\nb\nc\r\n", b"a\r\nB\nc\r\n"),
    "from_empty": (b"", b"import x\n"),
    "to_empty": (b"import x\n", b""),
    "latin1_bytes": (b"# coding: latin-1\ns = '\xe9'\nx = 1\n", b"# coding: latin-1\ns = '\xe9'\nx = 2\n"),
    "bom": (b"\xef\xbb\xbfa\nb\n", b"\xef\xbb\xbfa\nB\n"),
    "form_feed_and_tabs": (b"\x0c\n\tx = 1\n", b"\x0c\n\tx = 2\n"),
    "form_feed_inside_a_line": (b"a = 1\x0c b = 2\nc = 3\n", b"a = 1\x0c b = 2\nc = 4\n"),
    "cr_only_endings": (b"import tensorflow as tf\rx = 1\r", b"import tensorflow as tf\rx = 2\r"),
    "crlf_last_line_ends_in_cr": (b"a\r\nb\r", b"a\r\nc\r"),
    "lone_cr_and_nel": (b"x = 1\ry = 2\nz = '\x85'\nw = 0\n", b"x = 1\ry = 2\nz = '\x85'\nw = 1\n"),
    "far_apart_hunks": (b"".join(b"%d\n" % i for i in range(40)), b"".join(b"%d\n" % (i if i not in (2, 30) else -i) for i in range(40))),
}


def _git_apply(tmp_path: Path, name: str, old: bytes, patch: bytes) -> bytes:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(old)
    (tmp_path / "x.patch").write_bytes(patch)
    subprocess.run(["git", "apply", "x.patch"], cwd=tmp_path, check=True, capture_output=True)
    return (tmp_path / name).read_bytes()


@pytest.mark.parametrize("case", sorted(CASES))
def test_git_apply_turns_the_old_bytes_into_the_new_bytes(tmp_path: Path, case: str) -> None:
    old, new = CASES[case]
    patch = unified_diff("pkg/mod.py", old, new)
    assert patch.startswith(b"--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ ")
    unterminated = (old and not old.endswith(b"\n")) or (new and not new.endswith(b"\n"))
    assert (b"\\ No newline at end of file\n" in patch) == bool(unterminated)
    assert _git_apply(tmp_path, "pkg/mod.py", old, patch) == new


def test_an_unchanged_file_has_no_patch() -> None:
    assert unified_diff("x.py", b"a\n", b"a\n") == b""
    with pytest.raises(InvalidPatch):
        check_patch(b"--- a/x.py\n+++ b/x.py\n", b"a\n", b"a\n")


@pytest.mark.parametrize(
    ("patch", "old", "new"),
    [
        # Right patch, wrong expectation: the ending of the last line differs.
        (unified_diff("x.py", b"a\nb", b"a\nc"), b"a\nb", b"a\nc\n"),
        # A patch whose context does not match the file.
        (unified_diff("x.py", b"a\nb\n", b"a\nc\n"), b"z\nb\n", b"z\nc\n"),
        # CRLF turned into LF somewhere on the way.
        (unified_diff("x.py", b"a\r\nb\r\n", b"a\r\nc\r\n").replace(b"\r\n", b"\n"), b"a\r\nb\r\n", b"a\r\nc\r\n"),
        # Two files in one patch.
        (unified_diff("x.py", b"a\n", b"b\n") + unified_diff("y.py", b"a\n", b"b\n"), b"a\n", b"b\n"),
    ],
    ids=["final-newline", "wrong-context", "lost-cr", "two-files"],
)
def test_a_patch_that_does_not_rebuild_the_new_file_is_refused(patch: bytes, old: bytes, new: bytes) -> None:
    with pytest.raises(InvalidPatch):
        check_patch(patch, old, new)


_lines = st.lists(
    st.tuples(st.sampled_from([b"x = 1", b"y = 2", b"# c", b"", b"\tz = 3", b"w = '\xe9'", b"\x0cv = 4", b"u = 5\r# cr"]), st.sampled_from([b"\n", b"\r\n", b"\r"])),
    max_size=12,
)


def _join(lines, final: bool) -> bytes:
    data = b"".join(text + end for text, end in lines)
    return data if final or not data else data.rstrip(b"\r\n")


@settings(max_examples=80, deadline=None)
@given(_lines, _lines, st.booleans(), st.booleans())
def test_every_diff_rebuilds_its_new_file(old_lines, new_lines, old_final, new_final) -> None:
    old, new = _join(old_lines, old_final), _join(new_lines, new_final)
    patch = unified_diff("m.py", old, new)  # raises InvalidPatch if the check fails
    assert (patch == b"") == (old == new)


# A handful of distinct lines, so that sequences repeat lines as code does (blank lines,
# `return x`): where difflib's tie-breaking decides which of them match.
_LINES = st.lists(st.sampled_from(["", "x = 1", "return x", "    pass", "y = tf.log(x)", "y = tf.math.log(x)"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_LINES, _LINES)
def test_the_line_matcher_gives_difflibs_opcodes(old, new):
    import difflib

    from migrator.diffs import SequenceMatcher

    expected = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert [tuple(op) for op in SequenceMatcher(None, old, new, autojunk=False).get_opcodes()] == expected
