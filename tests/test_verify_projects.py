"""migrator verify on project folders: ``verify ORIGINAL MIGRATED -- python train.py ...``
and ``migrate DIR --verify-with CMD``.

The fixture project (tests/verify_cases/projects/linreg) is a two-module TF1 program: the
model class in ``model.py``, the Session loop with argparse flags in ``train.py``, data
read from ``data/points.csv`` relative to the working directory; ``after/`` is its
migrated form. The end-to-end tests run TensorFlow 1.15.5 and 2.21 (seconds each).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.cli import app
from migrator.verify import DIFFERENT, EQUIVALENT, ProjectCommand, runtimes, verify_tree
from migrator.verify.core import parse_command

PROJECT = Path(__file__).parent / "verify_cases" / "projects" / "linreg"
BEFORE, AFTER = PROJECT / "before", PROJECT / "after"



# -- reading the command: no TensorFlow --------------------------------------------------


def test_a_script_command_keeps_its_arguments():
    assert parse_command(["python", "train.py", "--num_epochs", "1"]) == ProjectCommand(
        "train.py", None, ("--num_epochs", "1"))
    assert parse_command(["python3.7", "-u", "sub/run.py"]) == ProjectCommand("sub/run.py", None, ())


def test_a_module_command():
    assert parse_command(["python", "-m", "pkg.train", "-x"]) == ProjectCommand(None, "pkg.train", ("-x",))
    assert str(parse_command(["python", "-m", "pkg.train", "a b"])) == "python -m pkg.train 'a b'"


@pytest.mark.parametrize("words, message", [
    ([], "must start with python"),
    (["bash", "run.sh"], "must start with python"),
    (["python"], "names no script"),
    (["python", "-m"], "needs a module name"),
    (["python", "-c", "print(1)"], "option -c is not supported"),
    (["python", "/abs/train.py"], "relative to the project"),
])
def test_commands_that_cannot_run_are_refused(words, message):
    with pytest.raises(ValueError, match=message):
        parse_command(words)


def test_cli_usage_errors_for_folders(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["verify", str(BEFORE), str(AFTER)])
    assert result.exit_code == 2 and "need the project's command" in result.output
    result = runner.invoke(app, ["verify", str(BEFORE), str(AFTER), "--", "python", "nothere.py"])
    assert result.exit_code == 2 and "has no script nothere.py" in result.output
    result = runner.invoke(app, ["migrate", str(tmp_path), "--verify-with", "python train.py"])
    assert result.exit_code == 2 and "has no script train.py" in result.output
    result = runner.invoke(app, ["migrate", str(BEFORE), "--diff", "--verify-with", "python train.py"])
    assert result.exit_code == 2 and "cannot be combined" in result.output
    result = runner.invoke(app, ["migrate", str(BEFORE / "train.py"), "--verify-with", "python train.py"])
    assert result.exit_code == 2 and "exactly one folder" in result.output
    result = runner.invoke(app, ["migrate", str(BEFORE), "--verify-with", "bash go.sh"])
    assert result.exit_code == 2 and "must start with python" in result.output
    result = runner.invoke(app, ["verify", str(BEFORE / "train.py"), str(AFTER), "--", "python", "train.py"])
    assert result.exit_code == 2 and "is not a folder" in result.output
    result = runner.invoke(app, ["verify", str(BEFORE), str(AFTER), "--", "sh", "train.sh"])
    assert result.exit_code == 2 and "must start with python" in result.output


# -- real runs -------------------------------------------------------------------------


def test_cli_project_and_its_migrated_form_are_equivalent(legacy_runtime):
    result = CliRunner().invoke(app, [
        "verify", str(BEFORE), str(AFTER), "--json", "--legacy-python", legacy_runtime.python,
        "--", "python", "train.py", "--num_epochs", "2",
    ])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == EQUIVALENT and data["agreement"] == "strict", data
    assert data["command"] == "python train.py --num_epochs 2"
    assert data["before"]["versions"]["tensorflow"] == "1.15.5"
    assert data["after"]["stdout"].count("epoch") == 2  # the argument reached the program


def test_a_changed_learning_rate_in_the_imported_module_is_different(legacy_runtime, tmp_path):
    changed = tmp_path / "after"
    shutil.copytree(AFTER, changed)
    model = changed / "model.py"
    model.write_text(model.read_text().replace("SGD(learning_rate)", "SGD(learning_rate * 0.5)"))
    verdict = verify_tree(BEFORE, changed, ["python", "-m", "train", "--num_epochs", "2"],
                          legacy_runtime=legacy_runtime, sequential=True)
    assert verdict.status == DIFFERENT, verdict.render()
    assert verdict.command == "python -m train --num_epochs 2"
    assert "epoch 1 loss" in verdict.render()
    assert not (changed / "__pycache__").exists()  # it ran in a scratch copy


def test_migrate_verify_with_puts_the_verdict_into_the_report(legacy_runtime, tmp_path, monkeypatch):
    monkeypatch.setenv(runtimes.LEGACY_PYTHON_ENV_VAR, legacy_runtime.python)
    project = tmp_path / "linreg"
    shutil.copytree(BEFORE, project)
    report = tmp_path / "report.json"
    result = CliRunner().invoke(app, [
        "migrate", str(project), "--no-cache", "--format", "json", "--report-file", str(report),
        "--verify-with", "python train.py --num_epochs 2", "--sequential",
    ])
    data = json.loads(report.read_text())
    assert data["summary"]["changed"] >= 1
    assert (project / "train.py").read_text() != (BEFORE / "train.py").read_text()  # migrated in place
    verification = data["verification"]
    assert verification["command"] == "python train.py --num_epochs 2"
    assert verification["before"]["versions"]["tensorflow"] == "1.15.5"
    assert verification["after"]["versions"]["tensorflow"].startswith("2.")
    assert verification["status"] == EQUIVALENT and result.exit_code == 0, result.output


def test_a_library_kept_in_graph_mode_runs_with_the_switch_in_its_entry_script(legacy_runtime, tmp_path, monkeypatch):
    # tf_util.py (imported by run.py) cannot be converted: it stays on tf.compat.v1 without
    # disable_v2_behavior(), which goes into run.py; the migrated project still computes the same.
    monkeypatch.setenv(runtimes.LEGACY_PYTHON_ENV_VAR, legacy_runtime.python)
    project = tmp_path / "graph_library"
    shutil.copytree(PROJECT.parent / "graph_library", project)
    result = CliRunner().invoke(app, [
        "migrate", str(project), "--no-cache", "--format", "markdown", "--verify-with", "python run.py",
    ])
    assert "disable_v2_behavior" not in (project / "tf_util.py").read_text()
    assert "disable_v2_behavior()" in (project / "run.py").read_text()
    assert "run.py runs in graph mode" in result.output
    assert "**Verified**: EQUIVALENT" in result.output and result.exit_code == 0, result.output
