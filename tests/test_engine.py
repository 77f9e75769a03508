"""The engine on its own: rules passed explicitly, gating, parallel runs, timings.

The rules here are test-only rules defined in this module (module-level classes, so
worker processes can use them), passed to the engine explicitly: what is under test
is the engine, not any real rule.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import libcst as cst

from codemods import RULES
from codemods.base import Rule
from migrator import engine
from migrator.engine import FileResult, Status, migrate_source, migrate_targets, select_rules
from migrator.files import Missing, Target, discover


class RenameOld(Rule):
    """Renames every name ``old`` to ``new`` (and reports each ``keep``)."""

    code, slug, summary, triggers = "X001", "rename-old", "old -> new", ("old", "keep")

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name):
        if original_node.value == "keep":
            self.report(original_node, "kept on purpose")
        return updated_node.with_changes(value="new") if updated_node.value == "old" else updated_node


class AddLines(Rule):
    """Puts two comment lines at the top: every later line moves down by two."""

    code, slug, summary, triggers = "X002", "add-lines", "header", ("tensorflow",)

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if tree.code.startswith("# header"):
            return tree
        lines = [cst.EmptyLine(comment=cst.Comment("# header")), cst.EmptyLine(comment=cst.Comment("# header 2"))]
        return tree.with_changes(header=[*lines, *tree.header])


class Sleepy(Rule):
    code, slug, summary, triggers = "X003", "sleepy", "takes its time on SLOW files", ("SLOW",)

    def rewrite(self, tree: cst.Module) -> cst.Module:
        time.sleep(30)
        return tree


class Dying(Rule):
    code, slug, summary, triggers = "X004", "dying", "kills its worker on DIE files", ("DIE",)

    def rewrite(self, tree: cst.Module) -> cst.Module:
        os._exit(3)


def test_select_rules_by_code_or_prefix_keeps_the_pipeline_order() -> None:
    pipeline = (RenameOld, AddLines, Sleepy)
    assert select_rules(["x00"], pipeline=pipeline) == pipeline
    assert select_rules(["X003", "X001"], pipeline=pipeline) == (RenameOld, Sleepy)
    assert select_rules([], ["X002"], pipeline=pipeline) == (RenameOld, Sleepy)
    assert select_rules(pipeline=pipeline) == pipeline
    assert select_rules() == RULES


def test_the_rules_passed_are_the_rules_run() -> None:
    data = b"import tensorflow as tf\nold = 1\n"
    assert migrate_source(data, "m.py", [RenameOld]).new_bytes == b"import tensorflow as tf\nnew = 1\n"
    assert migrate_source(data, "m.py", [AddLines]).new_bytes == b"# header\n# header 2\n" + data
    assert migrate_source(data, "m.py", []).status is Status.UNCHANGED


def test_files_that_mention_neither_library_are_not_parsed() -> None:
    # RenameOld's trigger is there, but without tensorflow/keras no name can resolve.
    result = migrate_source(b"old = 1\n", "m.py", [RenameOld])
    assert result.status is Status.SKIPPED and "parse" not in result.timings
    parsed = migrate_source(b"import keras\nold = 1\n", "m.py", [RenameOld])
    assert parsed.changed and "parse" in parsed.timings


def test_a_file_no_selected_rule_applies_to_is_still_checked_for_syntax() -> None:
    result = migrate_source(b"import tensorflow as tf\nprint 'x'\n", "m.py", [Sleepy])
    assert result.status is Status.FAILED and result.line == 2
    assert migrate_source(b"import tensorflow as tf\n", "m.py", [Sleepy]).status is Status.UNCHANGED


def test_findings_point_at_lines_of_the_input_even_after_an_earlier_rule_moved_them() -> None:
    data = b"import tensorflow as tf\nx = 1\nkeep = old\n"
    result = migrate_source(data, "m.py", [AddLines, RenameOld])
    assert result.new_bytes == b"# header\n# header 2\nimport tensorflow as tf\nx = 1\nkeep = new\n"
    assert [(f.rule, f.line, f.col, f.message) for f in result.findings] == [("X001", 3, 0, "kept on purpose")]
    assert dict(result.applied) == {"X002": 1, "X001": 1}


def test_timings_name_every_phase() -> None:
    result = migrate_source(b"import keras\nold = 1\n", "m.py", [RenameOld, AddLines])
    assert {"parse", "X001", "codegen", "validate"} <= set(result.timings)
    assert all(seconds >= 0 for seconds in result.timings.values())


def _tree(tmp_path: Path, count: int, body: bytes = b"old = {i}\n") -> list[Path]:
    paths = []
    for i in range(count):
        path = tmp_path / f"m{i:02d}.py"
        path.write_bytes(b"import tensorflow as tf\n" + body.replace(b"{i}", b"%d" % i) + b"#" * (i * 3000) + b"\n")
        paths.append(path)
    return paths


def _run(tmp_path: Path, rules, jobs: int, want_diff: bool = False) -> list[FileResult]:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return list(migrate_targets(discover(["."]), rules, jobs, want_diff=want_diff))
    finally:
        os.chdir(cwd)


def test_parallel_and_serial_runs_give_the_same_results_in_path_order(tmp_path: Path) -> None:
    _tree(tmp_path, 10)
    (tmp_path / "other.py").write_bytes(b"print('no library here')\n")
    serial = _run(tmp_path, [RenameOld], 1, want_diff=True)
    parallel = _run(tmp_path, [RenameOld], 2, want_diff=True)
    assert [r.path for r in parallel] == [r.path for r in serial] == sorted(r.path for r in serial)
    assert [(r.status, r.diff) for r in parallel] == [(r.status, r.diff) for r in serial]
    changed = [r for r in parallel if r.changed]
    assert len(changed) == 10 and all(r.diff.startswith(b"--- a/m") for r in changed)
    assert all(r.new_bytes.startswith(b"import tensorflow as tf\nnew = ") for r in changed)


def test_progress_is_reported_for_every_file(tmp_path: Path) -> None:
    _tree(tmp_path, 6)
    ticks: list[int] = []
    items = [*discover([str(tmp_path)]), Missing("gone.py", "no such file or directory")]
    results = list(migrate_targets(items, [RenameOld], 2, on_progress=ticks.append))
    assert sum(ticks) == len(results) == 7
    assert results[0].status is Status.FAILED and results[0].error == "no such file or directory"


def test_batches_start_with_the_largest_files_and_cover_each_file_once(tmp_path: Path) -> None:
    paths = _tree(tmp_path, 12)
    targets = [Target(p, p.name) for p in paths]
    batches = engine._batches([(i, t, None) for i, t in enumerate(targets)], jobs=2)
    indexes = [i for batch in batches for i, _, _ in batch]
    assert sorted(indexes) == list(range(12))
    assert indexes[0] == 11, "the largest file goes first"
    assert len(batches) > 2, "enough batches to keep both workers busy"


def test_a_worker_that_dies_fails_its_files_and_the_run_goes_on(tmp_path: Path) -> None:
    paths = _tree(tmp_path, 6)
    paths[2].write_bytes(b"import tensorflow as tf\nDIE = 1\n" + b"#" * 40000 + b"\n")
    results = _run(tmp_path, [Dying, RenameOld], 2)
    by_name = {r.path: r for r in results}
    assert by_name["m02.py"].status is Status.FAILED and "worker process" in by_name["m02.py"].error
    assert len(results) == 6
    # The others either migrated or, when they shared the dead worker's pool, failed
    # with the same reason: never a hang, never a lost file.
    for path in paths:
        result = by_name[path.name]
        assert result.changed or "worker process" in result.error
        assert path.read_bytes().startswith(b"import tensorflow as tf\n")


def test_closing_a_parallel_run_stops_its_workers_at_once(tmp_path: Path) -> None:
    # The CLI turns SIGTERM into KeyboardInterrupt; workers inherit that handler and
    # must still die when the run is stopped, not finish their (slow) files.
    (tmp_path / "m00.py").write_bytes(b"import tensorflow as tf\nold = 1\n" + b"#" * 80000 + b"\n")  # first
    for i in range(1, 5):
        (tmp_path / f"slow{i}.py").write_bytes(b"import tensorflow as tf\nSLOW = 1\n" + b"#" * 40000 + b"\n")

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        run = migrate_targets(discover([str(tmp_path)]), [Sleepy, RenameOld], 2)
        first = next(run)
        assert first.path.endswith("m00.py") and first.changed
        start = time.monotonic()
        run.close()
        assert time.monotonic() - start < 3, "workers kept running after the run was closed"
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_the_migrate_path_never_imports_tensorflow_keras_or_numpy() -> None:
    # Every rule on a quarter of the fixtures (every fourth in sorted order: each folder's
    # kinds of program), in a fresh interpreter: importing TensorFlow would cost seconds
    # per run and tie migrating to an installed TensorFlow.
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    script = (
        "import sys, pathlib\n"
        "from migrator.engine import migrate_source\n"
        f"for path in sorted(pathlib.Path({str(root / 'fixtures')!r}).glob('**/before.py'))[::4]:\n"
        "    migrate_source(path.read_bytes(), str(path))\n"
        "loaded = sorted(m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
