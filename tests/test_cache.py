"""The result cache (migrator/cache.py) and --shard: a re-run over unchanged files runs no
rule; a changed file, another rule selection or another migrator changes the key; a
corrupt entry is a miss; --no-cache neither reads nor writes; N shards' patches
together are the unsharded patch."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import libcst as cst

from codemods.base import Rule
from migrator import cache as cache_module
from migrator.cache import Cache, fingerprint
from migrator.engine import Status, migrate_targets
from migrator.files import Target, discover, shard_of

ROOT = Path(__file__).resolve().parent.parent


class CountingRename(Rule):
    """``old`` -> ``new`` with a finding on ``keep``; counts the files it runs on."""

    code, slug, summary, triggers = "X101", "counting-rename", "old -> new", ("old", "keep")
    runs = 0

    def rewrite(self, tree: cst.Module) -> cst.Module:
        type(self).runs += 1
        return tree.visit(self)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name):
        if original_node.value == "keep":
            self.report(original_node, "kept on purpose")
        return updated_node.with_changes(value="new") if updated_node.value == "old" else updated_node


SOURCE = b"import tensorflow as tf\nold = 1\nkeep = old\n"


def _migrate(path: Path, store: Cache | None, want_diff: bool = True, jobs: int = 1):
    CountingRename.runs = 0
    targets = [Target(path, path.name)]
    if jobs > 1:  # the parallel path answers hits in the main process
        targets += [Target(p, p.name) for p in sorted(path.parent.glob("other*.py"))]
    results = list(migrate_targets(targets, [CountingRename], jobs, want_diff=want_diff, cache=store))
    return results[0], CountingRename.runs


def _cache(tmp_path: Path, codes=("X101",)) -> Cache:
    return Cache(tmp_path / "cache", fingerprint(codes, {"max_file_bytes": 1}))


def test_a_hit_gives_the_same_result_without_running_the_rule(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(SOURCE)
    store = _cache(tmp_path)
    first, runs = _migrate(path, store)
    assert runs == 1 and first.status is Status.CHANGED
    second, runs = _migrate(path, store)
    assert runs == 0
    assert (second.status, second.new_bytes, second.diff, second.findings, second.applied) == (
        first.status, first.new_bytes, first.diff, first.findings, first.applied,
    )
    assert second.findings and second.findings[0].message == "kept on purpose"
    assert (tmp_path / "cache" / "CACHEDIR.TAG").is_file()
    assert (tmp_path / "cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_unchanged_files_hit_too_and_a_diff_is_added_when_first_asked_for(tmp_path: Path) -> None:
    plain = tmp_path / "plain.py"
    plain.write_bytes(b"import tensorflow as tf\nkeep = 1\n")
    store = _cache(tmp_path)
    assert _migrate(plain, store)[1] == 1
    result, runs = _migrate(plain, store)
    assert (result.status, runs) == (Status.UNCHANGED, 0)
    changed = tmp_path / "changed.py"
    changed.write_bytes(SOURCE)
    assert _migrate(changed, store, want_diff=False)[0].diff is None
    result, runs = _migrate(changed, store, want_diff=True)
    assert runs == 0 and result.diff and result.diff.startswith(b"--- a/changed.py")
    assert _migrate(changed, store, want_diff=True)[0].diff == result.diff


def test_a_changed_file_or_another_selection_or_migrator_misses(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(SOURCE)
    _migrate(path, _cache(tmp_path))
    path.write_bytes(SOURCE + b"old = 2\n")
    result, runs = _migrate(path, _cache(tmp_path))
    assert runs == 1 and result.new_bytes.endswith(b"new = 2\n")
    assert _migrate(path, _cache(tmp_path, codes=("X101", "T101")))[1] == 1
    assert fingerprint(["X101"], {"max_file_bytes": 1}) != fingerprint(["X101"], {"max_file_bytes": 2})
    # A change to any rule or engine source is another fingerprint.
    source = tmp_path / "rule.py"
    source.write_text("A = 1\n")
    monkeypatch.setattr(cache_module, "_source_files", lambda: [source])
    before = fingerprint(["X101"], {})
    source.write_text("A = 2\n")
    assert fingerprint(["X101"], {}) != before


def test_a_corrupt_or_truncated_entry_is_a_miss_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(SOURCE)
    store = _cache(tmp_path)
    expected, _ = _migrate(path, store)
    (entry,) = [p for p in store.folder.rglob("*") if p.is_file()]
    good = entry.read_bytes()
    for damaged in (b"", b"garbage", good[:-5], good.replace(b'"changed"', b'"exploded"')):
        entry.write_bytes(damaged)
        result, runs = _migrate(path, store)
        assert runs == 1 and result.new_bytes == expected.new_bytes and result.findings == expected.findings
        assert entry.read_bytes() == good


def test_the_parallel_path_answers_hits_without_workers(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(SOURCE)
    for i in range(4):
        (tmp_path / f"other{i}.py").write_bytes(SOURCE + b"x%d = 1\n" % i)
    store = _cache(tmp_path)
    cold, _ = _migrate(path, store, jobs=2)
    warm, runs = _migrate(path, store, jobs=2)
    assert runs == 0 and (warm.new_bytes, warm.diff) == (cold.new_bytes, cold.diff)


def _cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "migrator", *args], cwd=cwd, capture_output=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


TF1_FILES = {
    "a.py": b"import tensorflow as tf\nx = tf.random_normal([2])\n",
    "pkg/b.py": b"import tensorflow as tf\ny = tf.log(2.0)\n",
    "pkg/c.py": b"import tensorflow as tf\nz = tf.to_float(1)\n",
    "pkg/sub/d.py": b"import tensorflow as tf\nw = tf.random_uniform([3])\n",
    "pkg/sub/e.py": b"import tensorflow as tf\nv = tf.squared_difference(1.0, 2.0)\n",
    "f.py": b"import tensorflow as tf\nu = tf.random_normal([4])\n",
    "g.py": b"print('no tensorflow')\n",
}


def _write_tree(root: Path) -> None:
    for name, data in TF1_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def test_cli_cache_folder_and_no_cache(tmp_path: Path) -> None:
    _write_tree(tmp_path)
    folder = tmp_path / "elsewhere"
    first = _cli("migrate", ".", "--diff", "--select", "T101", cwd=tmp_path, env={"MIGRATOR_CACHE_DIR": str(folder)})
    assert first.returncode == 1 and (folder / "CACHEDIR.TAG").is_file()
    second = _cli("migrate", ".", "--diff", "--select", "T101", cwd=tmp_path, env={"MIGRATOR_CACHE_DIR": str(folder)})
    assert (second.returncode, second.stdout, second.stderr) == (first.returncode, first.stdout, first.stderr)
    shutil.rmtree(folder)
    uncached = _cli("migrate", ".", "--diff", "--select", "T101", "--no-cache", cwd=tmp_path)
    assert uncached.stdout == first.stdout
    assert not folder.exists() and not (tmp_path / ".migrator_cache").exists()


def test_workers_start_while_the_tree_is_indexed_and_not_for_a_tree_the_cache_knows(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from migrator import cli, engine

    _write_tree(tmp_path)
    # An entry script waits for the module it imports: a run with files to start later.
    (tmp_path / "run.py").write_text("import a\n\nif __name__ == '__main__':\n    print(a.x)\n")
    started = []
    start = engine.start_workers
    monkeypatch.setattr(engine, "start_workers", lambda *args: started.append(args) or start(*args))
    monkeypatch.chdir(tmp_path)
    args = ["migrate", ".", "--diff", "--jobs", "2", "--cache-dir", str(tmp_path / "cache")]
    cold = CliRunner().invoke(cli.app, args)
    warm = CliRunner().invoke(cli.app, args)
    assert (cold.exit_code, warm.exit_code) == (1, 1) and warm.stdout == cold.stdout and "tf.random.normal" in cold.stdout
    assert len(started) == 1


def test_shards_split_the_files_by_their_path_under_the_folder(tmp_path: Path) -> None:
    for root in (tmp_path / "one", tmp_path / "two" / "deeper"):
        root.mkdir(parents=True)
        _write_tree(root)
    python = [name for name in TF1_FILES]
    for count in (1, 2, 3, 5):
        per_root = []
        for root in (tmp_path / "one", tmp_path / "two" / "deeper"):
            shards = [
                sorted(os.path.relpath(t.path, root) for t in discover([str(root)], shard=(i, count)))
                for i in range(1, count + 1)
            ]
            assert sorted(name for shard in shards for name in shard) == sorted(python)
            per_root.append(shards)
        assert per_root[0] == per_root[1], "the same tree elsewhere is split the same way"
    assert shard_of("pkg/b.py", 4) == shard_of("pkg" + os.sep + "b.py", 4)


def _per_file(patch: bytes) -> list[bytes]:
    """A patch cut into its files' diffs (each starts with its ``--- a/`` line)."""
    starts = [m.start() for m in re.finditer(rb"^--- a/", patch, re.M)]
    return [patch[start:end] for start, end in zip(starts, starts[1:] + [len(patch)])]


def test_the_union_of_the_shards_diffs_is_the_unsharded_diff(tmp_path: Path) -> None:
    _write_tree(tmp_path)
    whole = _cli("migrate", ".", "--diff", "--select", "T101", "--no-cache", cwd=tmp_path)
    assert whole.returncode == 1 and len(_per_file(whole.stdout)) == 6
    shards = []
    for index in (1, 2, 3):
        run = _cli("migrate", ".", "--diff", "--select", "T101", "--no-cache", "--shard", f"{index}/3", cwd=tmp_path)
        assert run.returncode in (0, 1), run.stderr
        shards.append(_per_file(run.stdout))
    assert sum(1 for shard in shards if shard) > 1, "the files spread over more than one shard"
    assert b"".join(sorted(piece for shard in shards for piece in shard)) == b"".join(sorted(_per_file(whole.stdout)))


def test_a_bad_shard_is_a_usage_error(tmp_path: Path) -> None:
    for value in ("4/3", "x"):
        run = _cli("migrate", ".", "--shard", value, cwd=tmp_path)
        assert run.returncode == 2 and b"--shard takes I/N" in run.stderr


def test_the_project_view_is_read_back_for_the_same_files_and_bytes_only(tmp_path: Path, monkeypatch) -> None:
    from codemods.analysis import project as project_module
    from migrator.engine import index_targets

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "helpers.py").write_text("import tensorflow as tf\ndef build(x):\n    return tf.placeholder(tf.float32)\n")
    (tree / "main.py").write_text(
        "import tensorflow as tf\nfrom helpers import build\nx = build(1)\nwith tf.Session() as s:\n    s.run(x)\n"
    )
    targets = [Target(p, p.name) for p in sorted(tree.glob("*.py"))]
    store = _cache(tmp_path)
    monkeypatch.chdir(tree)
    built = index_targets(targets, cache=store)
    assert built.facts["helpers.py"].imported_by == ("main.py",)

    def not_again(*args, **kwargs):
        raise AssertionError("indexed again")

    monkeypatch.setattr("migrator.engine.index_project", not_again)
    again = index_targets(targets, cache=store)
    assert (again.facts, again.sources, again.paths) == (built.facts, built.sources, built.paths)
    # Another file's bytes (or another file) is another view.
    (tree / "main.py").write_text("import helpers\n")
    monkeypatch.setattr("migrator.engine.index_project", project_module.index_project)
    changed = index_targets(targets, cache=store)
    assert changed.facts["main.py"].imports == ("helpers.py",) and not changed.facts["main.py"].together
