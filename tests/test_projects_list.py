"""The development projects' lists (benchmarks/projects/*.toml) are well-formed; the
runner's edits are checked. Nothing is fetched or run here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parent.parent / "benchmarks" / "projects.py"


@pytest.fixture(scope="module")
def runner():
    spec = importlib.util.spec_from_file_location("projects_runner", RUNNER)
    module = importlib.util.module_from_spec(spec)
    sys.modules["projects_runner"] = module
    spec.loader.exec_module(module)
    return module


def test_every_list_loads_and_usable_projects_are_pinned_with_a_command(runner):
    projects = [runner.load(path) for path in sorted(runner.LISTS.glob("*.toml"))]
    assert len(projects) >= 8
    for project in projects:
        assert project.unusable or (len(project.commit) == 40 and project.command.startswith("python"))


def test_an_edit_must_match_exactly_once(runner, tmp_path):
    (tmp_path / "train.py").write_text("epochs = 100\nepochs = 100\n")
    project = runner.Project("x", "o/n", "0" * 40, edits=[["train.py", "epochs = 100", "epochs = 1"]])
    with pytest.raises(runner.ListError, match="occurs 2 times"):
        runner.apply_edits(project, tmp_path)
    (tmp_path / "train.py").write_text("epochs = 100\n")
    runner.apply_edits(project, tmp_path)
    assert (tmp_path / "train.py").read_text() == "epochs = 1\n"


def test_the_bert_toy_data_is_deterministic(tmp_path):
    spec = importlib.util.spec_from_file_location("make_data", RUNNER.parent / "projects" / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.GENERATORS["bert_tiny"](tmp_path / "a")
    module.GENERATORS["bert_tiny"](tmp_path / "b")
    for name in ("vocab.txt", "bert_config.json", "train.tsv", "dev.tsv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_native_is_judged_on_the_modules_the_command_runs(runner, tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "model.py").write_text("import tensorflow as tf\nfrom . import layers\n")
    (tmp_path / "pkg" / "layers.py").write_text("import tensorflow as tf\n")
    (tmp_path / "train.py").write_text("from pkg.model import build\n")
    (tmp_path / "eval.py").write_text("import tensorflow as tf\nsess = tf.compat.v1.Session()\n")
    command = runner.core.parse_command(["python", "train.py", "--steps", "2"])
    ran = runner.command_modules(tmp_path, command)
    assert sorted(str(p.relative_to(tmp_path)) for p in ran) == [
        "pkg/__init__.py", "pkg/layers.py", "pkg/model.py", "train.py"]
    assert runner.leftovers(tmp_path, ran) == []
    assert runner.leftovers(tmp_path, [tmp_path / "eval.py"]) == ["eval.py: compat.v1", "eval.py: Session("]
    module = runner.core.parse_command(["python", "-m", "pkg.model"])
    assert [p.name for p in runner.command_modules(tmp_path, module)] == ["__init__.py", "layers.py", "model.py"]
