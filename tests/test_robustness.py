"""Never lose a user's code: bad input is named and left alone, good input round-trips."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from migrator.engine import Status, migrate_source
from migrator.files import ConcurrentModification, write_atomically

KERAS_LINE = b"from keras.layers import Dense"


@pytest.mark.parametrize(
    ("data", "where", "reason"),
    [
        (b"import tensorflow as tf\nprint 'x'\n", "2:", "Python 2"),
        (b"import keras\nexcept E, e:\n", "2:", "cannot parse"),
        (b"import keras\nx = '\xff\xfe'\n", "2:", "cannot decode"),
        (b"# -*- coding: ascii -*-\nimport keras\nx = '\xc3\xa9'\n", "", "cannot"),
        (b"import keras\x00\x01\x02", "", "binary"),
    ],
)
def test_bad_input_fails_with_a_position_and_keeps_the_bytes(data: bytes, where: str, reason: str) -> None:
    result = migrate_source(data, "bad.py")
    assert result.status is Status.FAILED
    assert result.error.startswith(where) and reason in result.error
    assert result.new_bytes == data


def test_empty_files_need_no_change() -> None:
    # An empty __init__.py is valid Python: nothing to report, nothing to write.
    assert migrate_source(b"", "__init__.py").status is Status.SKIPPED


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (KERAS_LINE + b"\r\nx = 1\r\n", b"from tensorflow.keras.layers import Dense\r\nx = 1\r\n"),
        (b"\xef\xbb\xbf" + KERAS_LINE + b"\n", b"\xef\xbb\xbffrom tensorflow.keras.layers import Dense\n"),
        (KERAS_LINE, b"from tensorflow.keras.layers import Dense"),
        (
            b"# -*- coding: latin-1 -*-\n" + KERAS_LINE + b"\ns = '\xe9'\n",
            b"# -*- coding: latin-1 -*-\nfrom tensorflow.keras.layers import Dense\ns = '\xe9'\n",
        ),
        (b"x = 1\n\x0c\n" + KERAS_LINE + b"\n\tdef f(): pass\n".replace(b"\n\t", b"\n"),
         b"x = 1\n\x0c\nfrom tensorflow.keras.layers import Dense\ndef f(): pass\n"),
        (b"a = 1\r\nb = 2\n" + KERAS_LINE + b"\r\n", b"a = 1\r\nb = 2\nfrom tensorflow.keras.layers import Dense\r\n"),
    ],
    ids=["crlf", "bom", "no-final-newline", "latin-1", "form-feed", "mixed-endings"],
)
def test_round_trips_keep_every_untouched_byte(before: bytes, after: bytes) -> None:
    result = migrate_source(before, "x.py")
    assert result.status is Status.CHANGED, result.error
    assert result.new_bytes == after
    assert migrate_source(after, "x.py").status is Status.UNCHANGED


def test_long_lines_survive() -> None:
    long = b"x = [" + b", ".join(b"%d" % i for i in range(20000)) + b"]\n"
    result = migrate_source(KERAS_LINE + b"\n" + long, "x.py")
    assert result.new_bytes.endswith(long)


def test_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "run.py"
    target.write_bytes(b"old")
    target.chmod(0o751)
    write_atomically(target, b"new", b"old")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir()] == ["run.py"], "no temporary file left behind"


def test_a_file_changed_during_the_run_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"edited by someone else")
    with pytest.raises(ConcurrentModification):
        write_atomically(target, b"new", b"what migrator read")
    assert target.read_bytes() == b"edited by someone else"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomically(target, b"new", b"old")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]
