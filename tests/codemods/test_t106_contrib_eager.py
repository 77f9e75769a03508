"""T106 beyond its examples."""

from __future__ import annotations

import ast
import textwrap

from codemods.api.t106_contrib_eager import ContribEager
from migrator.engine import migrate_source


def migrate(source: str, rules=(ContribEager,)) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", list(rules))
    text = result.new_bytes.decode()
    ast.parse(text)
    assert migrate_source(result.new_bytes, "t.py", list(rules)).new_bytes == result.new_bytes
    return text, result.findings


def declined(findings: list) -> list[str]:
    return [f.message for f in findings if f.kind == "declined"]


def test_imported_module_and_from_import_aliases_and_the_full_name() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        import tensorflow.contrib.eager as tfe
        from tensorflow.contrib import eager as eager_api

        w = tfe.Variable(tf.zeros([3]), name="w")
        b = eager_api.Variable(0.0, False)
        c = tf.contrib.eager.Variable(1.0)
        batches = tfe.Iterator(dataset)
        """
    )
    assert text == textwrap.dedent(
        """\
        import tensorflow as tf

        w = tf.Variable(tf.zeros([3]), name="w")
        b = tf.Variable(0.0, False)
        c = tf.Variable(1.0)
        batches = iter(dataset)
        """
    )
    assert not declined(findings)


def test_alias_assignment_goes_with_its_last_use_and_keeps_its_comment() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf

        tf.enable_eager_execution()
        # the eager API
        tfe = tf.contrib.eager
        w = tfe.Variable(2.0)
        """
    )
    assert text == textwrap.dedent(
        """\
        import tensorflow as tf

        tf.enable_eager_execution()
        # the eager API
        w = tf.Variable(2.0)
        """
    )


def test_what_has_no_faithful_form_stays_and_is_reported() -> None:
    source = """\
        import tensorflow as tf

        tfe = tf.contrib.eager
        w = tfe.Variable(1.0, True, ["my_collection"])
        df = tfe.gradients_function(f)
        it = tfe.Iterator(dataset, name="x")
        """
    text, findings = migrate(source)
    assert text == textwrap.dedent(source)
    reasons = declined(findings)
    assert any("`collections`" in r for r in reasons)
    assert any("tfe.gradients_function" in r for r in reasons)
    assert any("tfe.Iterator" in r for r in reasons)


def test_implicit_value_and_gradients_and_a_taken_helper_name() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        tfe = tf.contrib.eager

        def implicit_gradients():
            pass

        vg = tfe.implicit_value_and_gradients(loss)
        g = tfe.implicit_gradients(loss)
        """
    )
    assert "def implicit_value_and_gradients(f):" in text
    assert "def tfe_implicit_gradients(f):" in text
    assert "vg = implicit_value_and_gradients(loss)" in text
    assert "g = tfe_implicit_gradients(loss)" in text
    assert "return value, list(zip(tape.gradient(value, variables), variables))" in text
    assert "tfe" not in text.replace("tfe_implicit", "")


def test_optimizers_only_in_eager_code_and_only_through_apply_gradients() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        tf.enable_eager_execution()

        sgd = tf.train.GradientDescentOptimizer(0.5)
        momentum = tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True)
        adam = tf.train.AdamOptimizer()
        rms = tf.train.RMSPropOptimizer(0.01)
        sgd.apply_gradients(pairs)
        momentum.apply_gradients(pairs)
        adam.minimize(lambda: loss)
        rms.apply_gradients(pairs)
        """
    )
    assert "sgd = tf.keras.optimizers.SGD(learning_rate=0.5)" in text
    assert "momentum = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)" in text
    assert "adam = tf.train.AdamOptimizer()" in text
    assert "rms = tf.train.RMSPropOptimizer(0.01)" in text
    reasons = declined(findings)
    assert any("`adam` is bound more than once or used otherwise" in r for r in reasons)
    assert any("accumulator at 1.0" in r for r in reasons)


def test_graph_code_and_code_without_evidence_are_left_alone() -> None:
    graph = """\
        import tensorflow as tf

        tfe = tf.contrib.eager
        w = tfe.Variable(1.0)
        sess = tf.Session()
        """
    text, findings = migrate(graph)
    assert text == textwrap.dedent(graph)
    assert any("tf.Session" in r for r in declined(findings))
    plain = """\
        import tensorflow as tf

        optimizer = tf.train.AdamOptimizer(0.1)
        optimizer.apply_gradients(pairs)
        """
    text, findings = migrate(plain)
    assert text == textwrap.dedent(plain)
    assert not findings


def test_network_with_layers_keras_cannot_take_as_they_are() -> None:
    source = """\
        import tensorflow as tf
        tfe = tf.contrib.eager

        class Net(tfe.Network):
            def __init__(self):
                super(Net, self).__init__()
                self.dense = self.track_layer(
                    tf.layers.Dense(4, kernel_initializer=tf.truncated_normal_initializer()))

            def call(self, x):
                return self.dense(x)
        """
    text, findings = migrate(source)
    assert text == textwrap.dedent(source)
    assert any("tf.layers.Dense" in r for r in declined(findings))


def test_network_tracking_a_layer_object() -> None:
    text, _ = migrate(
        """\
        import tensorflow as tf
        tfe = tf.contrib.eager
        shared = tf.keras.layers.Dense(3)

        class Net(tfe.Network):
            def __init__(self, name=None):
                super(Net, self).__init__(name=name)
                self.shared = (self.track_layer(shared))
                self.flat = self.track_layer(tf.layers.Flatten())

            def call(self, x):
                return self.shared(self.flat(x))
        """
    )
    assert "class Net(tf.keras.Model):" in text
    assert "self.shared = (shared)" in text
    assert "self.flat = tf.keras.layers.Flatten()" in text
    assert "tfe" not in text


def test_contrib_enable_eager_execution_is_left_to_t103_by_its_core_name() -> None:
    from codemods.api.t103_eager_by_default import EagerByDefault

    text, findings = migrate(
        """\
        import tensorflow as tf
        import tensorflow.contrib.eager as tfe

        # Set Eager API
        tfe.enable_eager_execution()
        print(tf.constant(2) + 3)
        """,
        rules=(ContribEager, EagerByDefault),
    )
    assert text == textwrap.dedent(
        """\
        import tensorflow as tf

        # Set Eager API
        print(tf.constant(2) + 3)
        """
    )
    assert sorted(f.rule for f in findings) == ["T103", "T106"]
