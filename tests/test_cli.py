"""The command line as users and tools see it: exit codes, bytes on stdout, files on disk."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MIGRATOR = [sys.executable, "-m", "migrator"]

TF1 = b"""import tensorflow as tf

x = tf.placeholder(tf.float32)
y = x * 2.0
with tf.Session() as sess:
    print(sess.run(y, feed_dict={x: 3.0}))
"""
KERAS = b"from keras.models import Sequential\nfrom keras.layers import Dense\n"
UNRELATED = b"print('no tensorflow here')\n"
BROKEN = b"import tensorflow as tf\nprint 'python 2'\n"


def run(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*MIGRATOR, *args], cwd=cwd, input=stdin, capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_bytes(TF1)
    (tmp_path / "pkg" / "model.py").write_bytes(KERAS)
    (tmp_path / "pkg" / "util.py").write_bytes(UNRELATED)
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / ".venv" / "lib" / "dep.py").write_bytes(KERAS)
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "gen.py").write_bytes(KERAS)
    return tmp_path


def test_in_place_migration_and_summary(project: Path) -> None:
    result = run("migrate", ".", cwd=project)
    assert result.returncode == 0, result.stderr
    assert b"tf.function" in (project / "pkg" / "train.py").read_bytes()
    assert (project / "pkg" / "model.py").read_bytes().startswith(b"from tensorflow.keras.models import")
    assert (project / "pkg" / "util.py").read_bytes() == UNRELATED
    # Virtual environments and build folders are not project source.
    assert (project / ".venv" / "lib" / "dep.py").read_bytes() == KERAS
    assert (project / "build" / "gen.py").read_bytes() == KERAS
    assert b"3 files scanned, 2 changed, 1 unchanged, 0 failed" in result.stderr
    again = run("migrate", ".", "--check", cwd=project)
    assert again.returncode == 0, "running twice must change nothing"


def test_diff_writes_nothing_and_git_apply_reproduces_the_migration(project: Path) -> None:
    result = run("migrate", "pkg", "--diff", cwd=project)
    assert result.returncode == 1
    assert (project / "pkg" / "train.py").read_bytes() == TF1
    assert result.stdout.startswith(b"--- a/pkg/")
    expected = project / "expected"
    shutil.copytree(project / "pkg", expected / "pkg")
    assert run("migrate", "pkg", cwd=expected).returncode == 0
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / "m.patch").write_bytes(result.stdout)
    subprocess.run(["git", "apply", "m.patch"], cwd=project, check=True)
    for name in ("train.py", "model.py", "util.py"):
        assert (project / "pkg" / name).read_bytes() == (expected / "pkg" / name).read_bytes()


def test_check_exit_codes(project: Path) -> None:
    assert run("migrate", "pkg", "--check", cwd=project).returncode == 1
    assert run("migrate", "pkg/util.py", "--check", cwd=project).returncode == 0


def test_stdin_to_stdout(tmp_path: Path) -> None:
    result = run("migrate", "-", "--stdin-filename", "x.py", cwd=tmp_path, stdin=KERAS)
    assert result.returncode == 0
    assert result.stdout == b"from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.layers import Dense\n"


def test_a_file_that_does_not_parse_is_named_and_untouched_while_the_rest_migrates(project: Path) -> None:
    (project / "pkg" / "old.py").write_bytes(BROKEN)
    result = run("migrate", "pkg", cwd=project)
    assert result.returncode == 2
    assert (project / "pkg" / "old.py").read_bytes() == BROKEN
    assert b"tf.function" in (project / "pkg" / "train.py").read_bytes()
    assert b"pkg/old.py:2:" in result.stderr and b"Python 2" in result.stderr
    assert b"Traceback" not in result.stderr


def test_stdin_that_does_not_parse_is_echoed_unchanged(tmp_path: Path) -> None:
    result = run("migrate", "-", cwd=tmp_path, stdin=BROKEN)
    assert result.returncode == 2
    assert result.stdout == BROKEN


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("migrate", "missing.py", cwd=tmp_path).returncode == 2
    assert run("migrate", ".", "--diff", "--check", cwd=tmp_path).returncode == 2
    assert run("migrate", ".", "--select", "Z9", cwd=tmp_path).returncode == 2


def test_select_ignore_and_exclude(project: Path) -> None:
    assert run("migrate", "pkg", "--select", "K", "--check", cwd=project).returncode == 1
    result = run("migrate", "pkg", "--select", "K", cwd=project)
    assert result.returncode == 0
    assert (project / "pkg" / "train.py").read_bytes() == TF1
    run("migrate", "pkg", "--exclude", "train.py", "--jobs", "2", cwd=project)
    assert (project / "pkg" / "train.py").read_bytes() == TF1


def test_json_and_sarif_reports(project: Path) -> None:
    (project / "pkg" / "old.py").write_bytes(BROKEN)
    result = run("migrate", "pkg", "--check", "--format", "json", cwd=project)
    report = json.loads(result.stdout)
    assert report["summary"]["failed"] == 1
    result = run("migrate", "pkg", "--check", "--format", "sarif", cwd=project)
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("old.py")
    result = run("migrate", "pkg", "--check", "--format", "github", cwd=project)
    assert result.stdout.startswith(b"::error file=pkg/old.py,line=2")


def test_rules_lists_every_rule_with_examples(tmp_path: Path) -> None:
    result = run("rules", cwd=tmp_path)
    assert result.returncode == 0
    for code in (b"K101", b"G101", b"T101"):
        assert code in result.stdout
    assert b"before:" in result.stdout and b"after:" in result.stdout
