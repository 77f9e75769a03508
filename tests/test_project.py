"""The project-level view: the index of a tree (codemods/analysis/project.py), the
graph-mode fallback scoped to entry scripts (codemods/graph/fallback_scope.py), and the
engine passing each file's facts to the rules. No TensorFlow runs here."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from codemods.analysis.project import ProjectFacts, index_project
from codemods.graph.fallback_scope import switch_entry_to_graph_mode
from migrator import engine, reports
from migrator.files import Target, discover


def _index(files: dict[str, str], entry_scripts=()) -> dict[str, ProjectFacts]:
    return index_project({path: textwrap.dedent(text).encode() for path, text in files.items()}, entry_scripts)


# -- the index ------------------------------------------------------------------------


def test_imports_are_resolved_against_the_trees_files():
    facts = _index({
        "proj/train.py": "import pkg.model\nfrom pkg import data\nimport numpy as np\nif __name__ == '__main__':\n    pass\n",
        "proj/pkg/__init__.py": "",
        "proj/pkg/model.py": "from . import layers\nfrom .data import load\n",
        "proj/pkg/layers.py": "import tensorflow as tf\n",
        "proj/pkg/data.py": "def load(): pass\n",
    })
    assert facts["proj/train.py"].imports == ("proj/pkg/__init__.py", "proj/pkg/data.py", "proj/pkg/model.py")
    assert facts["proj/train.py"].entry_point and not facts["proj/train.py"].is_library
    # `from . import layers` runs the package first, as Python does.
    assert facts["proj/pkg/model.py"].imports == ("proj/pkg/__init__.py", "proj/pkg/data.py", "proj/pkg/layers.py")
    assert facts["proj/pkg/layers.py"].imported_by == ("proj/pkg/model.py",)
    # Entry points reach modules through others.
    assert facts["proj/pkg/layers.py"].entry_points == ("proj/train.py",)
    assert not facts["proj/pkg/layers.py"].entry_point


def test_a_tree_that_is_a_package_imports_itself_by_its_name():
    facts = _index({
        "t2t/__init__.py": "",
        "t2t/utils/__init__.py": "",
        "t2t/utils/lib.py": "import tensorflow as tf\n",
        "t2t/bin/trainer.py": "from t2t.utils import lib\nif __name__ == \"__main__\":\n  lib.main()\n",
    })
    assert facts["t2t/utils/lib.py"].imported_by == ("t2t/bin/trainer.py",)
    assert facts["t2t/utils/lib.py"].entry_points == ("t2t/bin/trainer.py",)


def test_scripts_see_their_own_folder_and_multi_line_imports():
    facts = _index({
        "app/scripts/run.py": "from helpers import (\n    a,\n    b as c,\n)\n",
        "app/scripts/helpers.py": "",
        "app/helpers.py": "",
    }, entry_scripts=["app/scripts/run.py"])
    assert facts["app/scripts/run.py"].imports == ("app/scripts/helpers.py",)
    assert facts["app/scripts/run.py"].entry_point  # named by the command
    assert facts["app/helpers.py"].imported_by == ()


def test_a_script_without_a_guard_is_an_entry_point_when_nothing_imports_it():
    facts = _index({
        "t/train.py": "import model\n\nmodel.fit()\nfor i in range(3):\n    print(i)\n",
        "t/model.py": "import tensorflow as tf\n\nfit = tf.constant(1)\n\n\ndef fit():\n    pass\n",
        "t/helpers.py": "import model\n\nSCALE = 2\n\n\nclass Runner(object):\n    pass\n",
        "t/pkg/__init__.py": "from .impl import run\nrun()\n",
        "t/pkg/impl.py": "def run(): pass\n",
    })
    assert facts["t/train.py"].entry_point and facts["t/model.py"].entry_points == ("t/train.py",)
    assert not facts["t/helpers.py"].entry_point  # definitions only: a library used from elsewhere
    assert not facts["t/model.py"].entry_point  # imported: never given the switch
    assert not facts["t/pkg/__init__.py"].entry_point


def test_unparsable_files_are_indexed_too():
    facts = _index({"p/a.py": "print 'x'\nimport b\n", "p/b.py": ""})
    assert facts["p/b.py"].imported_by == ("p/a.py",)


# -- the switch in entry scripts ---------------------------------------------------------


FACTS = ProjectFacts("p/run.py", imports=("p/lib.py",), entry_point=True,
                     graph_mode_imports=(("p/lib.py", "a reason"),))


SWITCH = "disable_v2_behavior()  # graph mode: lib.py kept on tf.compat.v1 (see the migration report)\n"


@pytest.mark.parametrize("source, expected, line", [
    ("import tensorflow as tf\nimport lib\n", "import tensorflow as tf\ntf.compat.v1." + SWITCH + "import lib\n", 2),
    ('"""Doc."""\nfrom __future__ import print_function\nimport lib\n',
     '"""Doc."""\nfrom __future__ import print_function\nimport tensorflow.compat.v1\n'
     "tensorflow.compat.v1." + SWITCH + "import lib\n", 4),
    # Before the first import of the tree's modules: they build their graph when imported.
    ("import os\n\n# the model\nfrom lib import f\nimport tensorflow as tf\n",
     "import os\n\n# the model\nimport tensorflow.compat.v1\ntensorflow.compat.v1." + SWITCH
     + "from lib import f\nimport tensorflow as tf\n", 5),
    ("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\nimport lib\n", None, 0),
])
def test_entry_scripts_switch_once_before_importing_the_tree(source, expected, line):
    module = cst.parse_module(source)
    switched, at = switch_entry_to_graph_mode(module, FACTS)
    assert switched.code == (expected or source) and at == line


# -- the engine, on a tree -----------------------------------------------------------------

LIBRARY = """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None], name="x")
doubled = x * 2.0
sess = tf.Session()


def make_feed(values):
    return {x: values}


def double(values):
    return sess.run(doubled, feed_dict=make_feed(values))
"""
ENTRY = """\
import numpy as np

from tf_util import double

if __name__ == "__main__":
    print(double(np.arange(3, dtype=np.float32)))
"""


def _migrate(tree: Path, entry_scripts=(), **options) -> list[engine.FileResult]:
    targets = [t for t in discover([str(tree)]) if isinstance(t, Target)]
    project = engine.index_targets(targets, entry_scripts)
    return list(engine.migrate_targets(targets, project=project, **options))


def test_a_library_kept_in_graph_mode_leaves_the_switch_to_its_entry_scripts(tmp_path):
    (tmp_path / "tf_util.py").write_text(LIBRARY.replace("import tensorflow as tf\n",
                                                         "import tensorflow as tf\ntf.disable_v2_behavior()\n"))
    (tmp_path / "run.py").write_text(ENTRY)
    (tmp_path / "other.py").write_text("import tf_util\n\n\ndef twice(values):\n    return tf_util.double(values)\n")
    results = {Path(r.path).name: r for r in _migrate(tmp_path)}
    library, entry = results["tf_util.py"], results["run.py"]
    assert b"disable_v2_behavior" not in library.new_bytes  # the original's switch goes too
    assert library.new_bytes.startswith(b"import tensorflow.compat.v1 as tf\n")
    assert library.graph_mode and not library.graph_switch
    message = " ".join(f.message for f in library.findings)
    assert "other modules import this one" in message and "run.py" in message
    assert entry.changed and entry.graph_switch
    assert b"import tensorflow.compat.v1\ntensorflow.compat.v1.disable_v2_behavior()  # graph mode: tf_util.py" in (
        entry.new_bytes
    )
    assert any(f.kind == "process-wide" and "tf_util.py" in f.message for f in entry.findings)
    assert not results["other.py"].changed  # a library: no __main__ guard, no code of its own runs, no command
    text = reports.render(list(results.values()), "text")
    assert text.startswith("graph mode: ") and "run.py runs in graph mode" in text.splitlines()[0]
    assert "run.py runs in graph mode" in reports.render(list(results.values()), "markdown").split("\n")[4]
    data = json.loads(reports.render(list(results.values()), "json"))
    assert data["graph_mode_entry_points"] == [entry.path]


def test_a_library_without_entry_scripts_says_who_must_switch(tmp_path):
    (tmp_path / "tf_util.py").write_text(LIBRARY)
    (tmp_path / "user.py").write_text("import tf_util\n")
    results = {Path(r.path).name: r for r in _migrate(tmp_path)}
    assert b"disable_v2_behavior" not in results["tf_util.py"].new_bytes
    assert any("no entry script of this tree imports it" in f.message for f in results["tf_util.py"].findings)


def test_a_script_run_alone_keeps_the_switch(tmp_path):
    (tmp_path / "tf_util.py").write_text(LIBRARY)
    (result,) = _migrate(tmp_path / "tf_util.py")
    assert b"tf.disable_v2_behavior()" in result.new_bytes and result.graph_switch


def test_the_command_makes_a_script_an_entry_point(tmp_path):
    (tmp_path / "tf_util.py").write_text(LIBRARY)
    (tmp_path / "main.py").write_text("from tf_util import double\n\n\ndef main():\n    print(double([2.0]))\n")
    results = {Path(r.path).name: r for r in _migrate(tmp_path, [tmp_path / "main.py"])}
    assert results["main.py"].graph_switch and b"disable_v2_behavior()" in results["main.py"].new_bytes


def test_results_keep_the_input_order_in_parallel(tmp_path):
    (tmp_path / "tf_util.py").write_text(LIBRARY)
    for i in range(5):
        (tmp_path / f"run{i}.py").write_text(ENTRY)
    targets = [t for t in discover([str(tmp_path)]) if isinstance(t, Target)]
    results = _migrate(tmp_path, jobs=2)
    assert [r.path for r in results] == [t.display for t in targets]
    assert all(r.graph_switch for r in results if "run" in r.path)



def test_workers_start_each_entry_script_once_its_modules_are_done_with_the_same_results(tmp_path):
    (tmp_path / "tf_util.py").write_text(LIBRARY)
    (tmp_path / "run.py").write_text(ENTRY)
    (tmp_path / "plain.py").write_text("import numpy as np\n\nif __name__ == '__main__':\n    print(np.ones(2))\n")
    for i in range(4):
        (tmp_path / f"ops{i}.py").write_text(f"import tensorflow as tf\n\nX{i} = tf.to_float([{i}])\n")

    def outcome(results: list[engine.FileResult]) -> list:
        return [(r.path, r.changed and r.new_bytes, r.graph_switch, [str(f) for f in r.findings]) for r in results]

    serial = _migrate(tmp_path)
    assert outcome(_migrate(tmp_path, jobs=2)) == outcome(serial)
    assert {Path(r.path).name for r in serial if r.graph_switch} == {"run.py"}

# -- the result cache and --shard ------------------------------------------------------------


def test_a_cached_result_goes_stale_when_another_file_changes_what_it_depended_on(tmp_path):
    from migrator.cache import Cache, fingerprint

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "tf_util.py").write_text(LIBRARY)
    (tree / "helpers.py").write_text("import tensorflow as tf\n\nONE = tf.constant(1.0)\n")
    (tree / "run.py").write_text(ENTRY)
    store = Cache(tmp_path / "cache", fingerprint(["G101"], {}))

    def g101(result: engine.FileResult) -> str:
        return " ".join(f.message for f in result.findings if f.rule == "G101")

    first = {Path(r.path).name: r for r in _migrate(tree, cache=store)}
    assert first["run.py"].graph_switch and "run.py" in g101(first["tf_util.py"])
    # A second entry script importing the library: the library's finding names it, the
    # entry script's cached result still holds; a file no rule consulted the tree for stays cached.
    (tree / "train.py").write_text(ENTRY)
    second = {Path(r.path).name: r for r in _migrate(tree, cache=store)}
    assert "train.py" in g101(second["tf_util.py"])
    assert second["train.py"].graph_switch and second["run.py"].new_bytes == first["run.py"].new_bytes
    assert store.get(
        second["helpers.py"].path, (tree / "helpers.py").read_bytes(), engine.project_keys(None)
    ) is None, "a result stored for a file of a tree is not a single file's result"
    # The library converts now (no helper reads its tensors): the entry scripts' cached
    # switch is stale.
    (tree / "tf_util.py").write_text(
        LIBRARY.replace("feed_dict=make_feed(values)", "feed_dict={x: values}").replace("    return {x: values}", "    pass")
    )
    third = {Path(r.path).name: r for r in _migrate(tree, cache=store)}
    assert not third["tf_util.py"].graph_mode
    assert not third["run.py"].changed and not third["run.py"].graph_switch


def _cli(*args: str, cwd: Path):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "migrator", *args], cwd=cwd, capture_output=True)


def test_shards_decide_as_the_whole_run_does(tmp_path):
    # tf_util.py and run.py in different shards: run.py's shard still learns that
    # tf_util.py stays in graph mode (it migrates it too, without delivering it).
    from migrator.files import shard_of

    (tmp_path / "tf_util.py").write_text(LIBRARY)
    (tmp_path / "run.py").write_text(ENTRY)
    count = next(n for n in range(2, 20) if shard_of("tf_util.py", n) != shard_of("run.py", n))
    whole = _cli("migrate", ".", "--diff", "--no-cache", cwd=tmp_path)
    assert whole.returncode == 1 and b"+tensorflow.compat.v1.disable_v2_behavior()" in whole.stdout
    pieces = []
    for index in range(1, count + 1):
        run = _cli("migrate", ".", "--diff", "--no-cache", "--shard", f"{index}/{count}", cwd=tmp_path)
        assert run.returncode in (0, 1), run.stderr
        assert run.stdout.count(b"--- a/") <= 1, "another shard's file is not delivered"
        pieces.append(run.stdout)
    assert sorted(p for p in pieces if p) == sorted(
        b"--- a/" + part for part in whole.stdout.split(b"--- a/") if part
    )


def test_a_notebook_is_an_entry_script(tmp_path):
    (tmp_path / "tf_util.py").write_text(LIBRARY)
    cells = [{"cell_type": "code", "id": "c1", "metadata": {}, "outputs": [], "execution_count": None,
              "source": ["import numpy as np\n", "from tf_util import double\n", "print(double(np.ones(2)))"]}]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "explore.ipynb").write_text(json.dumps(notebook))
    results = {Path(r.path).name: r for r in _migrate(tmp_path)}
    assert results["explore.ipynb"].graph_switch
    assert b"disable_v2_behavior()" in results["explore.ipynb"].new_bytes
    assert b"disable_v2_behavior" not in results["tf_util.py"].new_bytes


class _Verdict:
    """What the reports read of ``migrator.verify.core.Verdict`` (no program runs here)."""

    status, command, comparison, agreement, equivalent = "DIFFERENT", "python run.py", None, "none", False

    def render(self, width=None) -> str:
        return "DIFFERENT\n  line 2: 1.0 vs 2.0\n"

    def to_dict(self) -> dict:
        return {"status": self.status, "command": self.command}


def test_every_report_carries_the_verdict_of_verify_with(tmp_path):
    (tmp_path / "tf_util.py").write_text(LIBRARY)
    (tmp_path / "run.py").write_text(ENTRY)
    results = _migrate(tmp_path)
    verdict = _Verdict()
    text = reports.render(results, "text", verdict=verdict)
    assert text.startswith("graph mode: ") and text.endswith("verify: DIFFERENT\n  line 2: 1.0 vs 2.0\n")
    assert json.loads(reports.render(results, "json", verdict=verdict))["verification"]["status"] == "DIFFERENT"
    markdown = reports.render(results, "markdown", verdict=verdict)
    assert "**Verified**: DIFFERENT: `python run.py`" in markdown and "line 2: 1.0 vs 2.0" in markdown
    github = reports.render(results, "github", verdict=verdict).splitlines()
    assert github[0].startswith("::error title=migrator verify::DIFFERENT")
    assert len(github) <= reports.GITHUB_ANNOTATIONS + 1  # the verdict took one annotation's place


# -- records zipped by an importer (N101) ---------------------------------------------------

HELPERS = """\
import numpy as np


def batch_iter(data, batch_size):
    data = np.array(data)
    for start in range(0, len(data), batch_size):
        yield data[start:start + batch_size]
"""
TRAIN = """\
import numpy as np
import tensorflow as tf
import data_helpers as dh

x = tf.placeholder(tf.float32, [None, 3])
with tf.Session() as sess:
    for batch in dh.batch_iter(list(zip(np.ones((4, 3)), np.ones((4, 2)))), 2):
        x_batch, y_batch = zip(*batch)
"""


def test_functions_legacy_importers_call_with_zipped_records_are_indexed():
    facts = _index({"p/data_helpers.py": HELPERS, "p/train.py": TRAIN,
                    "p/tf2.py": "import data_helpers\ndata_helpers.batch_iter(list(zip(a, b)), 2)\n"})
    assert facts["p/data_helpers.py"].zipped_arguments == ("batch_iter",)
    # A TF 2 importer (no Session, placeholder, contrib or Keras 2) is no sign of NumPy 1.
    facts = _index({"p/data_helpers.py": HELPERS, "p/tf2.py": "import data_helpers\ndata_helpers.batch_iter(zip(a, b))\n"})
    assert facts["p/data_helpers.py"].zipped_arguments == ()
    facts = _index({"p/data_helpers.py": HELPERS,
                    "p/t.py": "from data_helpers import batch_iter\nsess = tf.Session()\nbatch_iter(zip(a, b), 2)\n"})
    assert facts["p/data_helpers.py"].zipped_arguments == ("batch_iter",)


def test_an_array_of_records_a_legacy_importer_zipped_is_numpy1s_object_array_where_numpy2_raises(tmp_path):
    (tmp_path / "data_helpers.py").write_text(HELPERS)
    (tmp_path / "train.py").write_text(TRAIN)
    results = {Path(r.path).name: r for r in _migrate(tmp_path)}
    helpers = results["data_helpers.py"]
    assert helpers.changed and b"    try:\n        data = np.array(data)\n    except ValueError:\n" in helpers.new_bytes
    assert b"data = np.array(data, dtype=object)" in helpers.new_bytes
    assert any(f.rule == "N101" and "a module importing this one" in f.message for f in helpers.findings)
    # Alone (no tree around it), nothing shows the records.
    (alone,) = _migrate(tmp_path / "data_helpers.py")
    assert not alone.changed
