"""Scripts converted together with the helper modules that build their graph
(migrator/together.py): which files the index groups, when a group is used, and what
each file becomes. No TensorFlow runs here (the project fixtures run theirs)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from codemods.analysis.project import Helper, index_project
from migrator import engine
from migrator.files import Target, discover

OPS = """\
import tensorflow as tf


def dense(x, n_out, name):
    n_in = int(x.get_shape()[1])
    W = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1), name=name + "_W")
    b = tf.Variable(tf.zeros([n_out]), name=name + "_b")
    return tf.matmul(x, W) + b
"""
MAIN = """\
import numpy as np
import tensorflow as tf

from ops import dense

x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 1])
prediction = dense(x, 1, "out")
loss = tf.reduce_mean(tf.square(prediction - y))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(3):
        _, value = sess.run([train_op, loss], feed_dict={x: np.ones((2, 4)), y: np.ones((2, 1))})
        print(value)
"""


def _tree(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return folder


def _migrate(folder: Path, **options) -> dict[str, engine.FileResult]:
    targets = [t for t in discover([str(folder)]) if isinstance(t, Target)]
    results = engine.migrate_targets(targets, project=engine.index_targets(targets), **options)
    return {Path(r.path).name: r for r in results}


def _g101(result: engine.FileResult) -> str:
    return " | ".join(f.message for f in result.findings if f.rule == "G101")


# -- the index ---------------------------------------------------------------------------


def test_the_index_groups_a_script_with_the_modules_that_build_its_graph():
    facts = index_project({path: textwrap.dedent(text).encode() for path, text in {
        "p/main.py": MAIN.replace("from ops import dense", "from ops import dense\nfrom utils import *"),
        "p/ops.py": OPS,
        "p/utils.py": "import numpy as np\n\n\ndef batches(x):\n    return np.split(x, 2)\n",
        "p/pkg/__init__.py": "",
        "p/pkg/run.py": "from .layers import *\nimport tensorflow as tf\nsess = tf.Session()\nsess.run(fc(1))\n",
        "p/pkg/layers.py": "import tensorflow as tf\n\n\ndef fc(x):\n    return tf.Variable(x)\n",
        "p/pkg/unused.py": "from .layers import *\nimport tensorflow as tf\nsess = tf.Session()\n",
        "p/session_lib.py": "import tensorflow as tf\n\n\ndef build():\n    return tf.Variable(1), tf.Session()\n",
        "p/eval.py": "from session_lib import build\nv, sess = build()\nsess.run(v)\nsess2 = tf.Session()\n",
        "p/pkg/whole.py": "from . import layers as ly\nimport tensorflow as tf\nsess = tf.Session()\nsess.run(ly.fc(1))\n",
        "p/train.py": "import ops\nimport tensorflow as tf\nsess = tf.Session()\nsess.run(ops.dense(1, 2, 'a'))\n",
    }.items()})
    main = facts["p/main.py"].group
    assert main is not None and main.helpers == (Helper("p/ops.py", 0, "ops"),)
    assert "batches" in main.star_names and "np" in main.star_names  # what `from utils import *` may bind
    # Scripts sharing a helper module are one cluster.
    assert facts["p/main.py"].together == facts["p/ops.py"].together == ("p/main.py", "p/ops.py", "p/train.py")
    assert facts["p/main.py"].together_key == facts["p/ops.py"].together_key
    assert facts["p/utils.py"].together == ()  # builds no graph
    # A relative star import whose names the script uses; one whose names it does not use.
    assert facts["p/pkg/run.py"].group.helpers == (Helper("p/pkg/layers.py", 1, "layers"),)
    assert facts["p/pkg/unused.py"].group is None
    assert facts["p/eval.py"].group is None  # a module opening a Session is not a helper
    # The module object, imported whole or from its package.
    assert facts["p/train.py"].group.helpers == (Helper("p/ops.py", 0, "ops", "ops"),)
    assert facts["p/pkg/whole.py"].group.helpers == (Helper("p/pkg/layers.py", 1, "", "ly", "layers"),)


# -- conversions -------------------------------------------------------------------------


def test_a_script_and_its_helper_module_convert_together(tmp_path):
    folder = _tree(tmp_path, {"ops.py": OPS, "main.py": MAIN})
    results = _migrate(folder)
    ops, main = results["ops.py"].new_bytes.decode(), results["main.py"].new_bytes.decode()
    assert "class Dense(tf.Module):" in ops and "def dense(" not in ops
    assert "from ops import Dense\n" in main and "prediction_layer = Dense()" in main
    assert "Session" not in main and "placeholder" not in main
    assert "`dense` creates variables at each call" in _g101(results["ops.py"])
    assert any(f.line == 4 for f in results["ops.py"].findings if f.rule == "G101")  # at `def dense`, in ops.py
    for name, result in results.items():
        (folder / name).write_bytes(result.new_bytes)
    assert not any(r.changed for r in _migrate(folder).values()), "a second migration changes nothing"


def test_a_module_imported_whole_converts_through_its_name(tmp_path):
    script = MAIN.replace("from ops import dense", "import ops as layers").replace("= dense(", "= layers.dense(")
    results = _migrate(_tree(tmp_path, {"ops.py": OPS, "main.py": script}))
    main = results["main.py"].new_bytes.decode()
    assert "import ops as layers\n" in main and "prediction_layer = layers.Dense()" in main
    assert "class Dense(tf.Module):" in results["ops.py"].new_bytes.decode()
    # The module object used otherwise (passed around): not read together.
    passed = script.replace("with tf.Session()", "print(layers)\nwith tf.Session()")
    results = _migrate(_tree(tmp_path / "passed", {"ops.py": OPS, "main.py": passed}))
    assert "uses the module object layers other than as `layers.name`" in _g101(results["main.py"])


def test_two_scripts_share_the_helper_module_they_convert_alike(tmp_path):
    folder = _tree(tmp_path, {"ops.py": OPS, "main.py": MAIN, "tune.py": MAIN.replace("0.1)", "0.2)")})
    results = _migrate(folder, jobs=2)
    assert "class Dense(tf.Module):" in results["ops.py"].new_bytes.decode()
    assert all(b"Dense()" in results[name].new_bytes for name in ("main.py", "tune.py"))


def test_workers_convert_clusters_as_one_process_does(tmp_path):
    """With workers, a cluster is converted together in a worker while others migrate
    files; its files follow. The results are those of one process."""
    files = {
        "ops.py": OPS, "main.py": MAIN, "tune.py": MAIN.replace("0.1)", "0.2)"),
        # a cluster that cannot be converted together
        "other/layers.py": OPS.replace("def dense(", "scale = 0.1\n\n\ndef dense("),
        "other/run.py": MAIN.replace("from ops", "from layers").replace("x = tf.", "scale = 2.0\nx = tf.", 1),
        "plain.py": "import tensorflow as tf\nprint(tf.placeholder(tf.float32))\n",
    }
    one = _migrate(_tree(tmp_path / "one", files), jobs=1)
    two = _migrate(_tree(tmp_path / "two", files), jobs=2)
    assert b"Dense()" in two["main.py"].new_bytes
    assert "`scale` means one thing in layers.py and another in the script" in _g101(two["run.py"])
    for name, result in one.items():
        assert (two[name].new_bytes, two[name].findings) == (result.new_bytes, result.findings), name


def test_a_helper_module_another_module_needs_as_it_is_keeps_its_function_beside_the_class(tmp_path):
    other = "from ops import dense\n\n\ndef head(x):\n    return dense(x, 2, 'head')\n"
    folder = _tree(tmp_path, {"ops.py": OPS, "main.py": MAIN, "heads.py": other})
    results = _migrate(folder)
    ops, main = results["ops.py"].new_bytes.decode(), results["main.py"].new_bytes.decode()
    assert 0 < ops.index("def dense(") < ops.index("class Dense(tf.Module):")
    assert "from ops import Dense\n" in main and "disable_v2_behavior()" not in main
    assert "tf.Module class `Dense` added beside it" in _g101(results["ops.py"])
    assert not results["heads.py"].changed
    for name, result in results.items():
        (folder / name).write_bytes(result.new_bytes)
    assert not any(r.changed for r in _migrate(folder).values()), "a second migration changes nothing"


def test_a_helper_module_another_module_needs_as_it_is_stays(tmp_path):
    # The class would call a get_variable factory G102 rewrites: the module has one form only.
    ops = """\
import tensorflow as tf


def weight(name, shape):
    return tf.get_variable(name, shape, initializer=tf.zeros_initializer())


def dense(x, n_out, name):
    W = weight(name + "_W", [int(x.get_shape()[1]), n_out])
    return tf.matmul(x, W)
"""
    other = "from ops import dense\n\n\ndef head(x):\n    return dense(x, 2, 'head')\n"
    folder = _tree(tmp_path, {"ops.py": ops, "main.py": MAIN, "heads.py": other})
    results = _migrate(folder)
    assert b"def dense(" in results["ops.py"].new_bytes and b"class Dense" not in results["ops.py"].new_bytes
    assert b"disable_v2_behavior()" in results["main.py"].new_bytes
    assert "not converted together with it: ops.py would change with it, but heads.py imports it too" in (
        _g101(results["main.py"])
    )


def test_a_name_the_modules_give_two_meanings_keeps_them_apart(tmp_path):
    ops = OPS.replace("def dense(", "scale = 0.1\n\n\ndef dense(")
    folder = _tree(tmp_path, {"ops.py": ops, "main.py": MAIN.replace("x = tf.", "scale = 2.0\nx = tf.", 1)})
    results = _migrate(folder)
    assert b"class Dense" not in results["ops.py"].new_bytes
    assert "`scale` means one thing in ops.py and another in the script" in _g101(results["main.py"])


def test_a_star_import_of_unknown_names_keeps_them_apart(tmp_path):
    script = MAIN.replace("import numpy as np\n", "import numpy as np\nfrom pylab import *\n")
    results = _migrate(_tree(tmp_path, {"ops.py": OPS, "main.py": script}))
    assert "the script star-imports pylab, whose names are not known" in _g101(results["main.py"])


def test_an_aliased_import_keeps_them_apart(tmp_path):
    script = MAIN.replace("from ops import dense", "from ops import dense as layer").replace("= dense(", "= layer(")
    results = _migrate(_tree(tmp_path, {"ops.py": OPS, "main.py": script}))
    assert "imports a name of ops.py under another name" in _g101(results["main.py"])


def test_a_script_migrated_without_its_helper_module_says_so(tmp_path):
    folder = _tree(tmp_path, {"ops.py": OPS, "main.py": MAIN})
    (result,) = engine.migrate_targets([Target(folder / "main.py", "main.py")])
    assert "this file was migrated on its own: migrate the project's folder" in _g101(result)


def test_a_cached_script_goes_stale_when_its_helper_module_changes(tmp_path):
    from migrator.cache import Cache, fingerprint

    folder = _tree(tmp_path / "tree", {"ops.py": OPS, "main.py": MAIN})
    store = Cache(tmp_path / "cache", fingerprint(["G101"], {}))
    first = _migrate(folder, cache=store)
    assert b"Dense()" in first["main.py"].new_bytes
    # The helper now creates its variables in a loop: it cannot be converted, and the
    # script's cached conversion (which read it) is not used again.
    (folder / "ops.py").write_text(OPS.replace(
        '    b = tf.Variable(tf.zeros([n_out]), name=name + "_b")\n',
        '    for _ in range(1):\n        b = tf.Variable(tf.zeros([n_out]), name=name + "_b")\n',
    ))
    second = _migrate(folder, cache=store)
    assert b"disable_v2_behavior()" in second["main.py"].new_bytes and b"Dense" not in second["main.py"].new_bytes


def test_files_converted_together_go_through_the_same_rules(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from migrator.cli import app

    ignores = '[tool.migrator.per-file-ignores]\n"ops.py" = ["G101"]\n'
    folder = _tree(tmp_path, {"ops.py": OPS, "main.py": MAIN, "pyproject.toml": ignores})
    monkeypatch.chdir(folder)
    run = CliRunner().invoke(app, ["migrate", ".", "--no-cache"])
    assert run.exit_code in (0, 1), run.output
    assert "class Dense" not in (folder / "ops.py").read_text()
    assert "disable_v2_behavior()" in (folder / "main.py").read_text()
    assert "migrated with other rules (per-file ignores)" in run.output


def test_a_file_changed_after_it_was_indexed_is_migrated_alone(tmp_path):
    folder = _tree(tmp_path, {"ops.py": OPS, "main.py": MAIN})
    targets = [t for t in discover([str(folder)]) if isinstance(t, Target)]
    project = engine.index_targets(targets)
    (folder / "main.py").write_text(MAIN + "print('edited')\n")
    results = {Path(r.path).name: r for r in engine.migrate_targets(targets, project=project)}
    assert b"Dense()" not in results["main.py"].new_bytes and b"print('edited')" in results["main.py"].new_bytes
    assert b"class Dense" not in results["ops.py"].new_bytes  # the other file of the group stays as alone too


def test_definitions_a_rule_inserts_stay_with_the_helper_module_that_uses_them(tmp_path):
    layers = (
        "import tensorflow as tf\n\n\ndef rnn_last(x, num_hidden):\n"
        "    cell = tf.nn.rnn_cell.BasicRNNCell(num_hidden)\n"
        "    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
        "    return outputs[:, -1, :]\n"
    )
    script = MAIN.replace("from ops import dense", "from layers import *").replace(
        'prediction = dense(x, 1, "out")', "prediction = rnn_last(tf.reshape(x, [-1, 4, 1]), 1)"
    )
    results = _migrate(_tree(tmp_path, {"layers.py": layers, "main.py": script}))
    converted = results["layers.py"].new_bytes.decode()
    # G102's TF1 cell class, inserted for the layer it made of `rnn_last`, is the helper's.
    assert "class TF1BasicRNNCell(tf.keras.layers.Layer):" in converted and "class RnnLast(" in converted
    main = results["main.py"].new_bytes.decode()
    assert "from layers import *\n" in main and "RnnLast(" in main and "TF1BasicRNNCell" not in main


def test_an_importer_that_never_reads_what_it_imports_does_not_keep_the_module_as_it_is(tmp_path):
    """cnn-text-classification's eval.py imports the model class and restores the graph
    from a checkpoint instead: it needs the name bound, not the module unchanged."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "projects" / "model_class_train_function" / "before"
    files = {name: (fixture / name).read_text() for name in ("text_model.py", "train.py")}
    files["evaluate.py"] = (
        "import tensorflow as tf\nfrom text_model import TextClassifier\n\n"
        "graph = tf.Graph()\nwith graph.as_default():\n    sess = tf.Session()\n"
        "    print(sess.run(graph.get_operation_by_name('x')))\n"
    )
    results = _migrate(_tree(tmp_path, files))
    assert b"disable_v2_behavior" not in results["train.py"].new_bytes
    assert b"placeholder" not in results["text_model.py"].new_bytes
    assert b"class TextClassifier(" in results["text_model.py"].new_bytes
    assert "text_model" not in _g101(results["evaluate.py"])
    # Read under its name, it needs the module as it is.
    files["evaluate.py"] = files["evaluate.py"] + "print(TextClassifier)\n"
    results = _migrate(_tree(tmp_path / "read", files))
    assert "evaluate.py imports it too and needs it otherwise" in _g101(results["train.py"])
