"""Where people work: suppressions, [tool.migrator], .gitignore, --output-dir, the CI
formats, pre-commit hooks, the GitHub Action, and the small command-line conveniences."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from migrator.cli import app
from migrator.engine import migrate_source, select_rules
from tests.test_cli import ROOT, TF1, run

T101 = select_rules(["T101"])
CASTS = b"import tensorflow as tf\n\n"


def cli(*args: str, cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, ["migrate", *args, "-j", "1"] if args[:1] != ("rules",) else list(args))
    finally:
        os.chdir(old)


# -- suppressions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "kept"),
    [
        ("  # noqa", True),
        ("  # noqa: T101", True),
        ("  # NOQA:G101,T1", True),
        ("  # migrator: skip", True),
        ("  # noqa: E501", False),  # another tool's code: not a migrator suppression
        ("  # noqa: G101", False),
        ("", False),
    ],
)
def test_a_suppression_comment_leaves_its_statement_to_the_rules_it_names(comment: str, kept: bool) -> None:
    data = CASTS + f"a = tf.to_float(x){comment}\nb = tf.to_float(x)\n".encode()
    new = migrate_source(data, "m.py", T101).new_bytes.decode().splitlines()
    assert new[2] == (f"a = tf.to_float(x){comment}" if kept else f"a = tf.cast(x, tf.float32){comment}")
    assert new[3] == "b = tf.cast(x, tf.float32)", "the next statement is converted either way"


def test_a_suppression_covers_a_whole_statement_and_a_compound_one_but_not_the_next_line() -> None:
    data = CASTS + (
        b"a = f(  # migrator: skip\n    tf.to_float(x))\n"
        b"if cond:  # noqa: T101\n    b = tf.to_float(x)\n"
        b"# noqa\nc = tf.to_float(x)\n"
    )
    new = migrate_source(data, "m.py", T101).new_bytes.decode()
    assert new.count("tf.to_float(x)") == 2 and "c = tf.cast(x, tf.float32)" in new


def test_a_whole_module_rewrite_that_would_change_a_suppressed_statement_is_not_made() -> None:
    data = TF1.replace(b"with tf.Session() as sess:", b"with tf.Session() as sess:  # noqa: G101")
    result = migrate_source(data, "m.py", select_rules(["G101"]))
    assert result.new_bytes == data
    assert [(f.rule, f.line) for f in result.findings] == [("G101", 5)]
    assert "suppression comment" in result.findings[0].message
    assert migrate_source(TF1, "m.py", select_rules(["G101"])).changed, "without the comment G101 converts it"


# -- configuration and discovery -------------------------------------------------------


def _tree(root: Path) -> None:
    for name in ("src/a.py", "src/tests/t.py", "data/d.py", "vendor/v.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(TF1)


def test_tool_migrator_in_pyproject_selects_ignores_excludes_and_command_line_options_win(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.migrator]\nselect = ["T1"]\nexclude = ["vendor"]\n'
        '[tool.migrator.per-file-ignores]\n"src/tests/*" = ["T101"]\n'
    )
    result = cli(".", "--format", "json", "--check", "--no-respect-gitignore", cwd=tmp_path)
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert set(files) == {"data/d.py", "src/a.py", "src/tests/t.py"}, "vendor excluded"
    assert files["src/a.py"]["rules"] == {"T101": 2}, "only T1 rules selected (G101 would run first)"
    assert files["src/tests/t.py"]["status"] == "unchanged", "per-file-ignores"
    wins = cli("src/a.py", "--select", "G", "--format", "json", "--check", cwd=tmp_path)
    assert json.loads(wins.stdout)["files"][0]["rules"] == {"G101": 1}
    (tmp_path / "pyproject.toml").write_text('[tool.migrator]\nselect = ["Q9"]\n')
    bad = cli(".", "--check", cwd=tmp_path)
    assert bad.exit_code == 2 and "unknown rule code or prefix 'Q9' in" in bad.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.migrator]\nselct = ["G"]\n')
    assert "unknown [tool.migrator] key(s) selct" in cli(".", "--check", cwd=tmp_path).stderr


def test_files_git_ignores_are_left_out_unless_named(tmp_path: Path) -> None:
    _tree(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("data/\n")
    paths = lambda result: sorted(f["path"] for f in json.loads(result.stdout)["files"])  # noqa: E731
    assert paths(cli(".", "--format", "json", "--check", cwd=tmp_path)) == ["src/a.py", "src/tests/t.py", "vendor/v.py"]
    assert "data/d.py" in paths(cli(".", "--format", "json", "--check", "--no-respect-gitignore", cwd=tmp_path))
    assert paths(cli("data/d.py", "--format", "json", "--check", cwd=tmp_path)) == ["data/d.py"]
    # An ignored folder named on the command line (a scratch copy under build/) is migrated as asked.
    assert paths(cli("data", "--format", "json", "--check", cwd=tmp_path)) == ["data/d.py"]


def test_output_dir_writes_the_migrated_tree_elsewhere(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "src" / "notes.py").write_bytes(b"print('no tensorflow')\n")
    result = cli("src", "--output-dir", "out", "--select", "G", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "src" / "a.py").read_bytes() == TF1, "sources untouched"
    assert (tmp_path / "out" / "src" / "a.py").read_bytes() == migrate_source(TF1, "a.py", select_rules(["G"])).new_bytes
    assert (tmp_path / "out" / "src" / "notes.py").read_bytes() == b"print('no tensorflow')\n"
    assert cli("src", "--output-dir", "out", "--check", cwd=tmp_path).exit_code == 2


# -- report formats -----------------------------------------------------------------


def _many_findings(root: Path) -> None:
    (root / "m.py").write_bytes(b"import tensorflow.compat.v1 as tf\n" + b"x = tf.placeholder(tf.float32)\n" * 12)


def test_github_annotations_are_capped_with_a_summary_annotation(tmp_path: Path) -> None:
    _many_findings(tmp_path)
    lines = cli(".", "--check", "--select", "R", "--format", "github", cwd=tmp_path).stdout.splitlines()
    assert len(lines) == 11 and all(line.startswith("::warning") or line.startswith("::notice") for line in lines)
    assert lines[-1].startswith("::notice title=migrator::24 findings") and "10 most important" in lines[-1]


def test_sarif_names_the_tool_version_and_each_rules_help(tmp_path: Path) -> None:
    _many_findings(tmp_path)
    sarif = json.loads(cli(".", "--check", "--select", "R", "--format", "sarif", cwd=tmp_path).stdout)
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["version"] and driver["version"][0].isdigit()
    r001 = next(rule for rule in driver["rules"] if rule["id"] == "R001")
    assert r001["helpUri"] == "docs/rules.md#r001" and "tf.compat.v1" in r001["help"]["text"]


def test_markdown_groups_per_file_in_line_order_and_says_would_change_under_check(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_bytes(b"import tensorflow as tf\nimport tensorflow.contrib.slim as slim\n\n"
                                    b"x = tf.to_float(3)\ny = slim.unknown_thing(x)\n")
    _many_findings(tmp_path)
    text = cli(".", "--check", "--format", "markdown", cwd=tmp_path).stdout
    assert "**2 would change**" in text and "| rewrites |" in text
    assert text.index("#### `b.py`") < text.index("#### `m.py`")
    m_lines = [int(line.split()[2].split(":")[0]) for line in text.split("#### `m.py`")[1].splitlines() if line.startswith("- line")]
    assert m_lines == sorted(m_lines) and len(m_lines) > 2


def test_quiet_prints_nothing_when_nothing_is_found(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(b"import tensorflow as tf\nx = tf.zeros([2])\n")
    result = cli(".", "-q", cwd=tmp_path)
    assert result.exit_code == 0 and result.stderr == ""


def test_rules_code_and_h(tmp_path: Path) -> None:
    one = cli("rules", "g101", cwd=tmp_path)
    assert one.exit_code == 0 and one.stdout.startswith("G101  session-to-function") and "T101" not in one.stdout[:40]
    assert "\nK101" not in one.stdout
    unknown = cli("rules", "G999", cwd=tmp_path)
    assert unknown.exit_code == 2 and "the rules are: K203, K101" in unknown.stderr
    assert CliRunner().invoke(app, ["-h"]).stdout.lstrip().startswith("Usage")


def test_diff_of_a_file_outside_the_working_folder_applies_with_git(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_bytes(TF1)
    (tmp_path / "work").mkdir()
    patch = run("migrate", "../x.py", "--diff", "--select", "G", cwd=tmp_path / "work").stdout
    assert patch.startswith(b"--- a/x.py\n+++ b/x.py\n")
    subprocess.run(["git", "apply", "-"], input=patch, cwd=tmp_path, check=True)
    assert (tmp_path / "x.py").read_bytes() == migrate_source(TF1, "x.py", select_rules(["G"])).new_bytes


# -- pre-commit and the GitHub Action -----------------------------------------------


def _hook(hook_id: str) -> list[str]:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {"python", "jupyter"} <= set(hooks[hook_id]["types_or"])
    return shlex.split(hooks[hook_id]["entry"])


def test_pre_commit_hooks_run_their_entry_on_a_sample_repository(tmp_path: Path) -> None:
    """What pre-commit does: run the hook's entry with the staged file names."""
    (tmp_path / "train.py").write_bytes(TF1)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    migrator = [os.path.join(os.path.dirname(os.sys.executable), "migrator")]
    check = subprocess.run([*migrator, *_hook("migrator-check")[1:], "train.py"], cwd=tmp_path, env=env, capture_output=True)
    assert check.returncode == 1 and (tmp_path / "train.py").read_bytes() == TF1
    fix = subprocess.run([*migrator, *_hook("migrator")[1:], "train.py"], cwd=tmp_path, env=env, capture_output=True)
    assert fix.returncode == 0 and (tmp_path / "train.py").read_bytes() != TF1, "pre-commit fails on the modification"
    again = subprocess.run([*migrator, *_hook("migrator-check")[1:], "train.py"], cwd=tmp_path, env=env, capture_output=True)
    assert again.returncode == 0, again.stderr


def test_github_action_writes_the_markdown_summary_and_gates(tmp_path: Path) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    report = next(step for step in action["runs"]["steps"] if step.get("id") == "report")
    (tmp_path / "train.py").write_bytes(TF1)
    summary = tmp_path / "summary.md"
    bin_dir = os.path.dirname(os.sys.executable)
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "PATH": bin_dir + os.pathsep + os.environ["PATH"],
        "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(tmp_path),
        "PATHS": "train.py", "ARGS": "--select G", "FAIL_ON_REMAINING": "false",
    }
    done = subprocess.run(["bash", "-c", report["run"]], cwd=tmp_path, env=env, capture_output=True)
    assert done.returncode == 1, "a file that would change fails the check"
    assert summary.read_text().startswith("## TensorFlow 2 migration") and "**1 would change**" in summary.read_text()


def test_legacy_python_from_pyproject_is_the_verify_interpreter(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.migrator]\nlegacy-python = "envs/py37/bin/python"\n')
    (tmp_path / "a.py").write_text("print(1)\n")
    result = run("verify", "a.py", "a.py", cwd=tmp_path)
    assert result.returncode == 2 and str(tmp_path / "envs/py37/bin/python").encode() in result.stderr
