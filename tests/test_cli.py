"""The command line as users and tools see it: exit codes, bytes on stdout, files on disk.

Every test here runs the real ``python -m migrator`` in a subprocess. The rule that
produces changes is G101 (placeholder/Session -> tf.function), selected with
``--select G`` so the expectations do not move when other rules are added; what G101
writes is never spelled out here: the expected bytes come from ``migrate_source`` in
this process, so only the CLI's own behaviour is under test.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.engine import migrate_source, select_rules

ROOT = Path(__file__).resolve().parent.parent
MIGRATOR = [sys.executable, "-m", "migrator"]
G = select_rules(["G"])

TF1 = b"""import tensorflow as tf

x = tf.placeholder(tf.float32)
y = x * 2.0
with tf.Session() as sess:
    print(sess.run(y, feed_dict={x: 3.0}))
"""
TF1_MAIN = b"""import tensorflow as tf


def main():
    a = tf.placeholder(tf.float32, shape=[None])
    b = tf.reduce_sum(a * a)
    with tf.Session() as sess:
        print(sess.run(b, feed_dict={a: [1.0, 2.0]}))


if __name__ == "__main__":
    main()
"""
UNRELATED = b"print('no tensorflow here')\n"
PY2 = b"import tensorflow as tf\nx = tf.placeholder(tf.float32)\nprint 'python 2'\n"


def run(*args: str, cwd: Path, stdin: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*MIGRATOR, *args], cwd=cwd, input=stdin, capture_output=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def migrated(data: bytes) -> bytes:
    result = migrate_source(data, "x.py", G)
    assert result.changed, result.error
    return result.new_bytes


@pytest.fixture
def project(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "train.py").write_bytes(TF1)
    (pkg / "sub" / "main.py").write_bytes(TF1_MAIN)
    (pkg / "util.py").write_bytes(UNRELATED)
    (pkg / "__init__.py").write_bytes(b"")
    # None of these is project source: each holds a file G101 would change.
    for folder in (".git", ".venv/lib", "myenv/lib", "conda/lib", "build", "dist", "pkg.egg-info", "pkg/__pycache__"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "gen.py").write_bytes(TF1)
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")  # a virtualenv by any name
    (tmp_path / "conda" / "conda-meta").mkdir()
    return tmp_path


def untouched_folders(root: Path) -> bool:
    return all(
        (root / folder / "gen.py").read_bytes() == TF1
        for folder in (".git", ".venv/lib", "myenv/lib", "conda/lib", "build", "dist", "pkg.egg-info", "pkg/__pycache__")
    )


def test_in_place_migration_skips_non_source_folders_and_a_second_run_changes_nothing(project: Path) -> None:
    result = run("migrate", ".", "--select", "G", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "pkg" / "train.py").read_bytes() == migrated(TF1)
    assert (project / "pkg" / "sub" / "main.py").read_bytes() == migrated(TF1_MAIN)
    assert (project / "pkg" / "util.py").read_bytes() == UNRELATED
    # An empty __init__.py is valid Python that needs no change: unchanged, exit 0.
    assert (project / "pkg" / "__init__.py").read_bytes() == b""
    assert untouched_folders(project)
    assert b"4 files scanned, 2 changed, 2 unchanged, 0 failed; rules: G101 x2" in result.stderr
    assert result.stdout == b""
    # Idempotent: the second run has nothing to do, under --check and in place.
    again = run("migrate", ".", "--select", "G", "--check", cwd=project)
    assert again.returncode == 0, again.stderr
    assert b"0 would change" in again.stderr


def test_diff_writes_nothing_and_git_apply_reproduces_the_in_place_migration(project: Path) -> None:
    pkg = project / "pkg"
    # Line-ending and end-of-file cases that a diff must carry exactly.
    (pkg / "crlf.py").write_bytes(TF1.replace(b"\n", b"\r\n"))
    (pkg / "no_newline.py").write_bytes(TF1.rstrip(b"\n"))
    (pkg / "bom.py").write_bytes(b"\xef\xbb\xbf" + TF1)
    before = {p: p.read_bytes() for p in pkg.rglob("*.py")}
    result = run("migrate", "pkg", "--diff", "--select", "G", cwd=project)
    assert result.returncode == 1, result.stderr
    assert {p: p.read_bytes() for p in pkg.rglob("*.py")} == before, "--diff must write nothing"
    assert result.stdout.startswith(b"--- a/pkg/")
    assert b"+++ b/pkg/no_newline.py" in result.stdout and b"\\ No newline at end of file" in result.stdout

    expected = project / "expected"
    shutil.copytree(pkg, expected / "pkg")
    assert run("migrate", "pkg", "--select", "G", cwd=expected).returncode == 0
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / "m.patch").write_bytes(result.stdout)
    subprocess.run(["git", "apply", "--check", "m.patch"], cwd=project, check=True)
    subprocess.run(["git", "apply", "m.patch"], cwd=project, check=True)
    for path in before:
        assert path.read_bytes() == (expected / path.relative_to(project)).read_bytes(), path
    assert (pkg / "crlf.py").read_bytes() == migrated(TF1).replace(b"\n", b"\r\n")


def test_check_exit_codes(project: Path) -> None:
    pending = run("migrate", "pkg", "--check", "--select", "G", cwd=project)
    assert pending.returncode == 1 and pending.stdout == b""
    assert (project / "pkg" / "train.py").read_bytes() == TF1, "--check must write nothing"
    assert run("migrate", "pkg/util.py", "pkg/__init__.py", "--check", cwd=project).returncode == 0


def test_the_default_pipeline_runs_every_rule_in_place(project: Path) -> None:
    """No --select: the whole pipeline, as users run it; same bytes as the engine gives."""
    result = run("migrate", "pkg/train.py", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "pkg" / "train.py").read_bytes() == migrate_source(TF1, "pkg/train.py").new_bytes != TF1


def test_stdin_to_stdout(tmp_path: Path) -> None:
    result = run("migrate", "-", "--stdin-filename", "x.py", "--select", "G", cwd=tmp_path, stdin=TF1)
    assert result.returncode == 0, result.stderr
    assert result.stdout == migrated(TF1)
    assert list(tmp_path.iterdir()) == [], "stdin mode writes no file"
    # Already migrated code comes back byte for byte.
    again = run("migrate", "-", "--select", "G", cwd=tmp_path, stdin=result.stdout)
    assert again.returncode == 0 and again.stdout == result.stdout


def test_stdin_with_check_and_diff(tmp_path: Path) -> None:
    check = run("migrate", "-", "--check", "--select", "G", cwd=tmp_path, stdin=TF1)
    assert check.returncode == 1 and check.stdout == b""
    diff = run("migrate", "-", "--diff", "--stdin-filename", "src/x.py", "--select", "G", cwd=tmp_path, stdin=TF1)
    assert diff.returncode == 1
    assert diff.stdout.startswith(b"--- a/src/x.py\n+++ b/src/x.py\n@@ ")


def test_stdin_that_does_not_parse_is_echoed_unchanged_and_named(tmp_path: Path) -> None:
    result = run("migrate", "-", "--stdin-filename", "legacy/x.py", cwd=tmp_path, stdin=PY2)
    assert result.returncode == 2
    assert result.stdout == PY2, "an editor must never lose its buffer"
    assert b"legacy/x.py:3:" in result.stderr and b"Python 2" in result.stderr
    assert b"Traceback" not in result.stderr


def test_a_file_that_does_not_parse_is_named_and_untouched_while_the_rest_migrates(project: Path) -> None:
    (project / "pkg" / "old.py").write_bytes(PY2)
    result = run("migrate", "pkg", "--select", "G", cwd=project)
    assert result.returncode == 2
    assert (project / "pkg" / "old.py").read_bytes() == PY2
    assert (project / "pkg" / "train.py").read_bytes() == migrated(TF1)
    assert (project / "pkg" / "sub" / "main.py").read_bytes() == migrated(TF1_MAIN)
    assert b"pkg/old.py:3:1: E000 error: cannot parse" in result.stderr and b"Python 2" in result.stderr
    assert b"1 failed" in result.stderr
    assert b"Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["missing.py"],
        [".", "--diff", "--check"],
        [".", "--select", "Z9"],
        [".", "--ignore", "Q"],
        [".", "--jobs", "-1"],
        [".", "--no-such-option"],
        ["-", "."],
        [".", "--stdin-filename", "x.py"],
        [".", "--format", "xml"],
    ],
    ids=lambda a: " ".join(a),
)
def test_usage_errors_exit_2_without_a_traceback(tmp_path: Path, args: list[str]) -> None:
    result = run("migrate", *args, cwd=tmp_path, stdin=b"")
    assert result.returncode == 2, result.stderr
    assert b"Traceback" not in result.stderr
    assert result.stderr.strip()


def test_select_ignore_exclude_and_jobs(project: Path) -> None:
    assert run("migrate", "pkg", "--select", "g101", "--check", cwd=project).returncode == 1
    # Selecting a rule and ignoring it leaves no rule: nothing to do.
    assert run("migrate", "pkg", "--select", "G", "--ignore", "G101", "--check", cwd=project).returncode == 0
    result = run("migrate", "pkg", "--select", "G", "--exclude", "train.py", "--exclude", "pkg/sub/*", cwd=project)
    assert result.returncode == 0
    assert (project / "pkg" / "train.py").read_bytes() == TF1
    assert (project / "pkg" / "sub" / "main.py").read_bytes() == TF1_MAIN


def test_parallel_and_serial_runs_print_the_same_diff(project: Path) -> None:
    for i in range(12):  # enough files for the process pool
        (project / "pkg" / f"m{i:02d}.py").write_bytes(TF1 if i % 3 else TF1_MAIN)
    serial = run("migrate", "pkg", "--diff", "--select", "G", "--jobs", "1", cwd=project)
    parallel = run("migrate", "pkg", "--diff", "--select", "G", "--jobs", "2", cwd=project)
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout == parallel.stdout
    # Files appear in path order, whatever order the workers finish in.
    names = [line.split()[1] for line in parallel.stdout.splitlines() if line.startswith(b"--- a/")]
    assert names == sorted(names) and len(names) == 14


def test_reports_on_stdout_and_in_a_file(project: Path) -> None:
    (project / "pkg" / "old.py").write_bytes(PY2)
    result = run("migrate", "pkg", "--check", "--select", "G", "--format", "json", cwd=project)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["summary"] | {"rules": None, "declined": None} == {
        "files": 5, "changed": 2, "unchanged": 2, "failed": 1, "rules": None, "declined": None,
    }
    failed = [f for f in report["files"] if f["status"] == "failed"]
    assert [(f["path"], f["line"], f["column"]) for f in failed] == [("pkg/old.py", 3, 1)]

    result = run("migrate", "pkg", "--diff", "--select", "G", "--format", "sarif", "--report-file", "m.sarif",
                 cwd=project)
    assert result.stdout.startswith(b"--- a/pkg/"), "with --diff, stdout holds only the patch"
    sarif = json.loads((project / "m.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "pkg/old.py"}, "region": {"startLine": 3, "startColumn": 1}}

    result = run("migrate", "pkg", "--check", "--select", "G", "--format", "github", cwd=project)
    assert result.stdout.startswith(b"::error file=pkg/old.py,line=3,col=1,title=migrator E000::cannot parse")

    result = run("migrate", "pkg", "--check", "--select", "G", "--format", "markdown", cwd=project)
    assert result.stdout.startswith(b"## TensorFlow 2 migration\n")
    assert b"5 files scanned: **2 would change**" in result.stdout
    assert b"#### `pkg/old.py`\n\n- line 3:1 E000 error: cannot parse" in result.stdout, "grouped per file"


def _run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, bytes, bytes]:
    """stderr on a pseudo-terminal, stdout on a pipe."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [*MIGRATOR, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=slave,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm"},
    )
    os.close(slave)
    stdout = process.stdout.read()
    stderr = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        stderr += chunk
    os.close(master)
    return process.wait(timeout=60), stdout, stderr


def test_progress_bar_only_when_stderr_is_a_terminal(project: Path) -> None:
    code, stdout, stderr = _run_on_a_terminal(["migrate", "pkg", "--diff", "--select", "G"], project)
    assert code == 1
    assert b"migrating" in stderr and b"4/4" in stderr
    piped = run("migrate", "pkg", "--diff", "--select", "G", cwd=project)
    assert stdout == piped.stdout, "the progress bar never reaches stdout"
    assert b"migrating" not in piped.stderr and b"\x1b[" not in piped.stderr


def test_rules_lists_every_rule_with_examples(tmp_path: Path) -> None:
    result = run("rules", cwd=tmp_path)
    assert result.returncode == 0
    assert b"G101" in result.stdout
    assert b"before:" in result.stdout and b"after:" in result.stdout
