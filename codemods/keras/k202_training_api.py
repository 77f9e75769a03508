"""K202: ``fit_generator`` / ``evaluate_generator`` / ``predict_generator`` -> ``fit`` /
``evaluate`` / ``predict``; Keras 1 training keywords (``nb_epoch``, ``samples_per_epoch``,
``nb_val_samples``, ``val_samples``...) -> Keras 2 ones.

Keras 3 removed the ``*_generator`` methods (``fit`` takes a generator) and the loader
keywords (``max_queue_size``, ``workers``, ``use_multiprocessing``: a ``PyDataset``
takes them now). Keras 2.3.1's own converters define the Keras 1 keywords:
``nb_epoch`` -> ``epochs``, ``nb_val_samples`` -> ``validation_steps``, ``val_samples``
-> ``steps`` (plain renames: Keras 2.3.1 ran that many *batches*), ``samples_per_epoch``
-> ``steps_per_epoch`` divided by the generator's ``batch_size`` when it has one.
Positional arguments after the generator follow Keras 2's order and become keywords,
since ``fit``'s second parameter is ``y``. ``evaluate_generator`` and
``predict_generator`` defaulted to ``verbose=0``, which is written out.

``compile(loss=[l1, l2], metrics=['accuracy'])`` (a model with several outputs, one
loss each): Keras 2 computed every listed metric on every output; Keras 3 reads a flat
list as one metric per output and refuses one of another length. The list is repeated
per output, ``metrics=[['accuracy'], ['accuracy']]``, which Keras 3 reads as Keras 2 did
(``train_on_batch`` returns the loss, the outputs' losses, then the metrics per output,
in Keras 2's order).

TF 1.15's ``tf.keras`` logged ``metrics=['accuracy']`` as ``acc`` / ``val_acc``; Keras 3
(and standalone Keras 2.3) as ``accuracy``. In TF 1 ``tf.keras`` code that reads those
keys (``history.history['acc']``, ``logs.get('acc')``), the metric is given as ``'acc'``,
which Keras 3 logs under that name. A module that also imports standalone Keras for its
utilities only (``keras.utils.to_categorical``, ``keras.datasets``,
``keras.preprocessing``) builds its models with ``tf.keras`` all the same.

Keras 2 listed the results of a model with several outputs (``train_on_batch``,
``test_on_batch``, ``evaluate``) as the total loss, each output's loss, then each output's
metrics, outputs in order; Keras 3 lists the metrics sorted by their names, which start
with the output's layer name (``dense_1_accuracy`` before ``dense_accuracy``), so
``d_loss[3]`` may be another output's accuracy. For a model compiled here with one loss
per output and one metric per output, the results are asked for as a dict
(``return_dict=True``) and listed in Keras 2's order by ``results_in_keras2_order``, a
helper written once after the imports.

Keras 2 gave every one-dimensional array fed to a model (``fit``, ``predict``,
``train_on_batch``, ...) a trailing axis. Keras 3 adapts a rank-1 array to a ``(None,
1)`` input too, but not once the same model was called with rank-2 arrays there (its
retraced function has an unknown rank: ``as_list() is not defined on an unknown
TensorShape``). Where one input of a model gets an array the module builds as 1-D
(``np.array([... for ...])``, ``np.arange(n)``, ``np.random.randint(0, k, n)``) in one call
and as 2-D in another, the 1-D one gets the axis Keras 2 gave it: ``labels.reshape(-1, 1)``.

``class_weight`` as a list: Keras 2 weighted each output's samples by the dict for that
output (the class being the target's argmax, or the target itself in one column);
Keras 3 takes ``class_weight`` for models with one output only. For a model compiled
here with as many losses as dicts, the weights become ``sample_weight`` per output
(``class_weights_as_sample_weights(targets, dicts)``, a helper written after the
imports); a model with one output ignored a list of several dicts in Keras 2 (it is
dropped) and used a list of one as that dict.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import libcst as cst

from codemods.analysis.bindings import Bindings
from codemods.analysis.cst_tools import (
    after_imports,
    as_keyword,
    code,
    drop_args,
    find_kw,
    has_star,
    insert_statements,
    keyword,
    kwarg,
    nodes_of,
    with_args,
)
from codemods.analysis.evidence import KERAS2, input_imports_from
from codemods.analysis.keras_calls import keras_path, may_use_keras
from codemods.analysis.names import FastVisitor, dotted_name, walk
from codemods.base import Example, Rule

# Keras 2.3.1 parameter order after the generator.
_FIT_GENERATOR = (
    "steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data", "validation_steps",
    "validation_freq", "class_weight", "max_queue_size", "workers", "use_multiprocessing",
    "shuffle", "initial_epoch",
)
# Methods taking a model's inputs first.
_FEEDING = ("fit", "evaluate", "predict", "train_on_batch", "test_on_batch", "predict_on_batch")
# NumPy constructors whose shape argument (position, keyword) sets the rank.
_SHAPED = {
    "zeros": (0, "shape"), "ones": (0, "shape"), "empty": (0, "shape"), "full": (0, "shape"),
    "random.randint": (2, "size"), "random.normal": (2, "size"), "random.uniform": (2, "size"),
    "random.random": (0, "size"), "random.rand": (None, None),
}
# Methods returning a model's loss and metrics as a list.
_RESULT_LISTS = ("train_on_batch", "test_on_batch", "evaluate")
_RESULTS_HELPER = "results_in_keras2_order"
_RESULTS_HELPER_TEXT = '''\
def {name}(model, logs):
    """A multi-output model's results as Keras 2 listed them: the loss, each output's loss,
    then each output's metrics, outputs in order (Keras 3 sorts the metrics by name)."""
    names = model.output_names
    owner = {{key: max((n for n in names if key.startswith(n + "_")), key=len, default=None) for key in logs}}
    results = [logs["loss"]] + [logs[n + "_loss"] for n in names if n + "_loss" in logs]
    for name in names:
        results += [value for key, value in logs.items() if owner[key] == name and key != name + "_loss"]
    return results
'''
_CLASS_WEIGHTS_HELPER = "class_weights_as_sample_weights"
_CLASS_WEIGHTS_HELPER_TEXT = '''\
def {name}(targets, class_weights):
    """Keras 2's class_weight list for a model with several outputs: each output's samples
    weighted by its dict, the class being the target's argmax (one-hot) or its value."""
    weights = []
    for y, class_weight in zip(targets, class_weights):
        y = {numpy}.asarray(y)
        classes = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y))
        weights.append({numpy}.array([class_weight[c] for c in classes], dtype="float32"))
    return weights
'''
# Standalone Keras areas that build no model.
_KERAS_UTILITIES = ("keras.utils", "keras.datasets", "keras.preprocessing")
_EVAL_GENERATOR = ("steps", "callbacks", "max_queue_size", "workers", "use_multiprocessing", "verbose")
_METHODS = {
    "fit_generator": ("fit", _FIT_GENERATOR),
    "evaluate_generator": ("evaluate", _EVAL_GENERATOR),
    "predict_generator": ("predict", _EVAL_GENERATOR),
}
# Keras 1 keyword -> Keras 2 keyword (keras.legacy.interfaces.legacy_generator_methods_support).
_KERAS1 = {
    "samples_per_epoch": "steps_per_epoch",
    "val_samples": "steps",
    "nb_epoch": "epochs",
    "nb_val_samples": "validation_steps",
    "nb_worker": "workers",
    "pickle_safe": "use_multiprocessing",
    "max_q_size": "max_queue_size",
}
_LOADER = ("max_queue_size", "workers", "use_multiprocessing")
# ImageDataGenerator / TimeseriesGenerator iterators carry a batch_size attribute.
_BATCHED_FACTORIES = ("flow", "flow_from_directory", "flow_from_dataframe")


def _generator_functions(tree: cst.Module) -> set[str]:
    """Names of the module's functions that contain ``yield`` (generator functions)."""
    return {
        function.name.value
        for function in nodes_of(tree, cst.FunctionDef)
        if nodes_of(function.body, cst.Yield, skip=(cst.FunctionDef,))
    }


class TrainingApi(Rule):
    code = "K202"
    keras3_keeps = "its training calls are Keras 3's and are left as they are"
    details = (
        "Keras 3 has no *_generator methods: fit/evaluate/predict take the generator. Positional "
        "arguments after the generator become keywords (fit's second parameter is y). Keras 1 "
        "keywords are converted as Keras 2.3.1 converted them at run time (nb_val_samples and "
        "val_samples are plain renames: Keras 2.3.1 drew that many batches; samples_per_epoch is "
        "divided by the generator's batch_size when it has one). max_queue_size/workers/"
        "use_multiprocessing no longer exist on fit (a keras.utils.PyDataset takes them): dropped "
        "and reported. Keras 2.3.1's evaluate_generator returned the last batch's loss, not the "
        "mean evaluate returns (metrics were averaged in both): reported. A flat metrics list given with "
        "one loss per output (compile(loss=[l1, l2], metrics=['accuracy'])) is repeated per output: Keras 2 "
        "computed each metric on every output, Keras 3 takes a flat list as one metric per output. The "
        "train_on_batch/test_on_batch/evaluate results of such a model are listed in Keras 2's order (loss, "
        "output losses, output metrics) by results_in_keras2_order (Keras 3 sorts the metrics by output name). "
        "A 1-D array fed to a model input that other calls feed 2-D arrays gets the trailing axis Keras 2 gave it "
        "(x.reshape(-1, 1)): Keras 3's retraced function fails on the rank change. class_weight=[d1, d2] (one "
        "dict per output, which Keras 3 refuses) becomes sample_weight=class_weights_as_sample_weights(targets, "
        "[d1, d2]), Keras 2's per-output weights; for a model with one output, Keras 2 ignored a list of several "
        "dicts (dropped) and read a list of one as that dict."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.models import Sequential

                model = Sequential()
                model.fit_generator(batches(), 100, 3, validation_data=val, nb_val_samples=10, workers=2)
                loss = model.evaluate_generator(batches(), 5)
                model.fit(x, y, nb_epoch=10, batch_size=32)
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow.keras.models import Sequential

                model = Sequential()
                model.fit(batches(), steps_per_epoch=100, epochs=3, validation_data=val, validation_steps=10)
                loss = model.evaluate(batches(), steps=5, verbose=0)
                model.fit(x, y, epochs=10, batch_size=32)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from keras.layers.advanced_activations import LeakyReLU

                losses = ['binary_crossentropy', 'sparse_categorical_crossentropy']
                discriminator.compile(loss=losses, optimizer='adam', metrics=['accuracy'])
                """
            ),
            after=textwrap.dedent(
                """\
                from keras.layers.advanced_activations import LeakyReLU

                losses = ['binary_crossentropy', 'sparse_categorical_crossentropy']
                discriminator.compile(loss=losses, optimizer='adam', metrics=[['accuracy'], ['accuracy']])
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                from keras.models import Model

                discriminator.compile(loss=['binary_crossentropy', 'sparse_categorical_crossentropy'],
                                      optimizer='adam', metrics=[['accuracy'], ['accuracy']])
                d_loss = discriminator.train_on_batch(imgs, [valid, labels])
                print(d_loss[3], d_loss[4])
                gen_imgs = generator.predict([noise, np.random.randint(0, 10, (32, 1))])
                samples = generator.predict([noise, np.arange(10)])
                """
            ),
            after=textwrap.dedent(
                """\
                import numpy as np
                from keras.models import Model


                def results_in_keras2_order(model, logs):
                    \"\"\"A multi-output model's results as Keras 2 listed them: the loss, each output's loss,
                    then each output's metrics, outputs in order (Keras 3 sorts the metrics by name).\"\"\"
                    names = model.output_names
                    owner = {key: max((n for n in names if key.startswith(n + "_")), key=len, default=None) for key in logs}
                    results = [logs["loss"]] + [logs[n + "_loss"] for n in names if n + "_loss" in logs]
                    for name in names:
                        results += [value for key, value in logs.items() if owner[key] == name and key != name + "_loss"]
                    return results

                discriminator.compile(loss=['binary_crossentropy', 'sparse_categorical_crossentropy'],
                                      optimizer='adam', metrics=[['accuracy'], ['accuracy']])
                d_loss = results_in_keras2_order(discriminator, discriminator.train_on_batch(imgs, [valid, labels], return_dict=True))
                print(d_loss[3], d_loss[4])
                gen_imgs = generator.predict([noise, np.random.randint(0, 10, (32, 1))])
                samples = generator.predict([noise, np.arange(10).reshape(-1, 1)])
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                from keras.models import Model

                discriminator.compile(loss=['binary_crossentropy', 'categorical_crossentropy'], optimizer='adam')
                combined.compile(loss=['binary_crossentropy'], optimizer='adam')
                discriminator.train_on_batch(imgs, [valid, labels], class_weight=[cw1, cw2])
                combined.train_on_batch(noise, valid, class_weight=[cw1, cw2])
                """
            ),
            after=textwrap.dedent(
                """\
                import numpy as np
                from keras.models import Model


                def class_weights_as_sample_weights(targets, class_weights):
                    \"\"\"Keras 2's class_weight list for a model with several outputs: each output's samples
                    weighted by its dict, the class being the target's argmax (one-hot) or its value.\"\"\"
                    weights = []
                    for y, class_weight in zip(targets, class_weights):
                        y = np.asarray(y)
                        classes = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y))
                        weights.append(np.array([class_weight[c] for c in classes], dtype="float32"))
                    return weights

                discriminator.compile(loss=['binary_crossentropy', 'categorical_crossentropy'], optimizer='adam')
                combined.compile(loss=['binary_crossentropy'], optimizer='adam')
                discriminator.train_on_batch(imgs, [valid, labels], sample_weight=class_weights_as_sample_weights([valid, labels], [cw1, cw2]))
                combined.train_on_batch(noise, valid)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.models import Sequential

                model = Sequential()
                model.fit(batches(), steps_per_epoch=100, epochs=3)
                model.compile(loss='mse', optimizer='adam', metrics=['mae'])
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        self.generator_functions = _generator_functions(tree)
        self.bindings = Bindings.of(tree)
        self.scopes: list[cst.CSTNode] = [tree]
        self.reads_acc = _reads_acc_keys(tree)
        self.classes: list[str] = []
        self.outputs: dict[str, int | None] = {}
        self.multi_output = self._multi_output_models(tree)
        self.helpers: list[str] = []
        self.one_d_inputs = self._one_d_inputs_among_two_d(tree)
        self.discarded: set[int] = set()
        self.results_reordered = False
        new = self.transformed(tree)
        if self.results_reordered:
            self.helpers.append(_RESULTS_HELPER_TEXT.format(name=_RESULTS_HELPER))
        if self.helpers:
            gap = [cst.EmptyLine(), cst.EmptyLine()]
            helpers = [cst.parse_statement(text).with_changes(leading_lines=gap) for text in self.helpers]
            new = insert_statements(new, after_imports(new.body, opening_only=True), helpers)
        return new

    def _multi_output_models(self, tree: cst.Module) -> set[str]:
        """The models (class-qualified dotted names) every compile of which gives one loss
        per output (two or more) and one metric per output; ``self.outputs`` gets each
        compiled model's number of outputs (None when the compiles disagree or cannot tell)."""
        verdicts: dict[str, bool] = {}

        def compiled(node: cst.Call, classes: list[str], scopes: list[cst.CSTNode]) -> None:
            func = node.func
            key = _model_key(func.value, classes) if isinstance(func, cst.Attribute) and func.attr.value == "compile" else None
            if key is None:
                return
            verdicts[key] = verdicts.get(key, True) and self._one_metric_per_output(node, scopes)
            count = self._loss_count(node, scopes)
            self.outputs[key] = count if self.outputs.get(key, count) == count else None

        walk(tree, _ScopedCalls(tree, compiled))
        return {key for key, ok in verdicts.items() if ok}

    def _one_d_inputs_among_two_d(self, tree: cst.Module) -> dict[int, set[int]]:
        """By the id of a call feeding a model: the positions of its inputs that are 1-D
        arrays where another call feeds the same model 2-D arrays."""
        ranks: dict[tuple[str, int], set[int]] = {}
        one_d: dict[tuple[str, int], list[int]] = {}

        def fed(node: cst.Call, classes: list[str], scopes: list[cst.CSTNode]) -> None:
            func = node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value in _FEEDING) or has_star(node):
                return
            model = _model_key(func.value, classes)
            x = _inputs_arg(node)
            if model is None or x is None:
                return
            elements = [e.value for e in x.value.elements] if isinstance(x.value, (cst.List, cst.Tuple)) else [x.value]
            for position, element in enumerate(elements):
                rank = self._numpy_rank(element, scopes)
                if rank is not None:
                    ranks.setdefault((model, position), set()).add(rank)
                    if rank == 1:
                        one_d.setdefault((model, position), []).append(id(node))

        walk(tree, _ScopedCalls(tree, fed))
        found: dict[int, set[int]] = {}
        for (model, position), calls in one_d.items():
            if any(rank >= 2 for rank in ranks[(model, position)]):
                for call in calls:
                    found.setdefault(call, set()).add(position)
        return found

    def _numpy_rank(self, expr: cst.BaseExpression, scopes: list[cst.CSTNode], depth: int = 0) -> int | None:
        """The rank of the NumPy array ``expr`` builds, when the module shows it."""
        if isinstance(expr, cst.Name) and depth < 3:
            value = self.bindings.value(scopes, expr.value)
            return None if value is None else self._numpy_rank(value, scopes, depth + 1)
        if not isinstance(expr, cst.Call) or has_star(expr):
            return None
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value == "reshape":
            if self._numpy_rank(func.value, scopes, depth + 1) is None:
                return None
            shape = [a.value for a in expr.args if a.keyword is None]
            if len(shape) == 1 and isinstance(shape[0], (cst.Tuple, cst.List)):
                return len(shape[0].elements)
            return len(shape) or None
        qualified = self.qualified_name(func) or ""
        name = qualified[len("numpy."):] if qualified.startswith("numpy.") else None
        if name == "arange":
            return 1
        if name in ("array", "asarray") and expr.args and expr.args[0].keyword is None:
            return 1 if _flat_sequence(expr.args[0].value) else None
        if name in _SHAPED:
            position, word = _SHAPED[name]
            if position is None:  # np.random.rand(d0, d1, ...)
                return len(expr.args) or None
            given = find_kw(expr, word) if word else None
            positional = [a for a in expr.args if a.keyword is None]
            shape = given.value if given is not None else positional[position].value if len(positional) > position else None
            if isinstance(shape, (cst.Tuple, cst.List)):
                return len(shape.elements)
            if isinstance(shape, (cst.Integer, cst.Name, cst.Attribute, cst.BinaryOperation)):
                return 1
        return None

    def _losses(self, call: cst.Call, scopes: list[cst.CSTNode]) -> cst.BaseExpression | None:
        """What ``compile`` gets as its loss (a name bound once: its value)."""
        loss = find_kw(call, "loss") or next((a for i, a in enumerate(call.args) if a.keyword is None and i == 1), None)
        losses = loss.value if loss is not None else None
        if isinstance(losses, cst.Name):
            losses = self.bindings.value(scopes, losses.value) or losses
        return losses

    def _loss_count(self, call: cst.Call, scopes: list[cst.CSTNode]) -> int | None:
        """How many outputs ``compile`` gives losses to: the length of a loss list, 1 for
        one loss (a string or a function), None when it cannot tell."""
        losses = self._losses(call, scopes)
        if isinstance(losses, (cst.List, cst.Tuple)):
            return len(losses.elements) if all(isinstance(e, cst.Element) for e in losses.elements) else None
        if isinstance(losses, (cst.SimpleString, cst.Attribute)):
            return 1
        return None

    def _one_metric_per_output(self, call: cst.Call, scopes: list[cst.CSTNode]) -> bool:
        """``compile(loss=[l1, l2], metrics=['accuracy'])`` (or ``[['accuracy'], ['accuracy']]``)."""
        if has_star(call):
            return False
        losses = self._losses(call, scopes)
        metrics = find_kw(call, "metrics")
        if not isinstance(losses, (cst.List, cst.Tuple)) or len(losses.elements) < 2 or metrics is None:
            return False
        listed = metrics.value
        if not isinstance(listed, cst.List) or not listed.elements:
            return False
        if len(listed.elements) == 1 and isinstance(listed.elements[0].value, cst.SimpleString):
            return True
        return len(listed.elements) == len(losses.elements) and all(
            isinstance(e.value, cst.List) and len(e.value.elements) == 1 for e in listed.elements
        )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self.classes.pop()
        return updated_node

    def visit_Expr(self, node: cst.Expr) -> None:
        self.discarded.add(id(node.value))  # a result nobody reads keeps Keras 3's list

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self.scopes.pop()
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        func = updated_node.func
        if not isinstance(func, cst.Attribute) or has_star(updated_node):
            return updated_node
        method = func.attr.value
        if method in _METHODS:
            return self._generator_method(original_node, updated_node, method)
        if id(original_node) in self.one_d_inputs:
            updated_node = self._trailing_axis(original_node, updated_node)
        if method in ("fit", "evaluate", "predict"):
            updated_node = self._keras1_keywords(original_node, updated_node, method, generator=False)
        if method == "compile":
            return self._tf_keras_accuracy_name(original_node, self._metrics_per_output(original_node, updated_node))
        if method in ("fit", "train_on_batch", "test_on_batch", "evaluate"):
            updated_node = self._class_weight_list(original_node, updated_node)
        if method in _RESULT_LISTS:
            return self._results_in_keras2_order(original_node, updated_node, method)
        return updated_node

    def _class_weight_list(self, original: cst.Call, call: cst.Call) -> cst.Call:
        """``class_weight=[cw1, cw2]``: per-output sample weights, as Keras 2 computed them."""
        given = find_kw(call, "class_weight")
        if given is None or not isinstance(given.value, (cst.List, cst.Tuple)):
            return call
        func = call.func
        assert isinstance(func, cst.Attribute)
        model = code(func.value)
        outputs = self.outputs.get(_model_key(func.value, self.classes) or "")
        dicts = [e.value for e in given.value.elements if isinstance(e, cst.Element)]
        others = [a for a in call.args if a is not given]
        if outputs == 1 and len(dicts) == 1:
            self.report(original, (
                f"`{model}` has one output: Keras 2 read class_weight=[d] as d, Keras 3 takes the dict -> "
                f"class_weight={code(dicts[0])}"
            ), "converted")
            return with_args(call, [given.with_changes(value=dicts[0]) if a is given else a for a in call.args])
        if outputs == 1:
            self.report(original, (
                f"`{model}` has one output: Keras 2 ignored a class_weight list of {len(dicts)} dicts (every sample "
                "weighing 1), Keras 3 refuses it -> dropped"
            ), "converted")
            return with_args(call, others)
        y = find_kw(call, "y") or next((a for i, a in enumerate(call.args) if a.keyword is None and i == 1), None)
        targets = y.value if y is not None else None
        numpy = self.resolver.alias_for("numpy")
        if (
            outputs is None or outputs != len(dicts) or not isinstance(targets, (cst.List, cst.Tuple))
            or len(targets.elements) != outputs or find_kw(call, "sample_weight") is not None or numpy is None
            or not all(dotted_name(e.value) for e in targets.elements if isinstance(e, cst.Element))
        ):
            self.report(original, (
                "class_weight given as a list (Keras 2: one dict per output), which Keras 3 refuses: left as it was "
                "(needs a model compiled here with one loss per dict, its targets as a list of names, NumPy imported)"
            ))
            return call
        self.report(original, (
            f"class_weight with one dict per output of `{model}`: Keras 2 weighted each output's samples by its "
            "dict, Keras 3 takes class_weight for one output only -> sample_weight="
            f"{_CLASS_WEIGHTS_HELPER}({code(targets)}, {code(given.value)})"
        ), "converted")
        if not any(_CLASS_WEIGHTS_HELPER in text for text in self.helpers):
            self.helpers.append(_CLASS_WEIGHTS_HELPER_TEXT.format(name=_CLASS_WEIGHTS_HELPER, numpy=numpy))
        weights = cst.parse_expression(f"{_CLASS_WEIGHTS_HELPER}({code(targets)}, {code(given.value)})")
        return with_args(call, [a.with_changes(keyword=cst.Name("sample_weight"), value=weights) if a is given else a
                                for a in call.args])

    def _trailing_axis(self, original: cst.Call, call: cst.Call) -> cst.Call:
        """The 1-D arrays this call feeds where others feed 2-D ones -> ``x.reshape(-1, 1)``."""
        positions = self.one_d_inputs[id(original)]
        x = _inputs_arg(call)
        assert x is not None

        def with_axis(value: cst.BaseExpression) -> cst.BaseExpression:
            self.report(original, (
                f"`{code(value)}` is 1-D where other calls feed this model 2-D arrays: Keras 2 gave it a trailing axis, "
                f"Keras 3 fails on the retraced function -> {code(value)}.reshape(-1, 1)"
            ), "converted")
            return cst.parse_expression(f"{_paren(value)}.reshape(-1, 1)")

        if isinstance(x.value, (cst.List, cst.Tuple)):
            elements = [
                e.with_changes(value=with_axis(e.value)) if i in positions else e for i, e in enumerate(x.value.elements)
            ]
            new_x = x.with_changes(value=x.value.with_changes(elements=elements))
        else:
            new_x = x.with_changes(value=with_axis(x.value))
        return with_args(call, [new_x if a is x else a for a in call.args])

    def _results_in_keras2_order(self, original: cst.Call, call: cst.Call, method: str) -> cst.BaseExpression:
        func = call.func
        assert isinstance(func, cst.Attribute)
        key = _model_key(func.value, self.classes)
        if key not in self.multi_output or id(original) in self.discarded or find_kw(call, "return_dict") is not None:
            return call
        model = code(func.value)
        self.report(original, (
            f"`{model}` has several outputs and metrics: Keras 2 listed its {method} results as the loss, each "
            "output's loss, then each output's metrics in output order, Keras 3 sorts the metrics by name -> "
            f"{_RESULTS_HELPER}({model}, {model}.{method}(..., return_dict=True))"
        ), "converted")
        self.results_reordered = True
        asked = with_args(call, [*call.args, kwarg("return_dict", cst.Name("True"))])
        return cst.Call(func=cst.Name(_RESULTS_HELPER), args=[cst.Arg(func.value), cst.Arg(asked)])

    def _tf_keras_accuracy_name(self, original: cst.Call, call: cst.Call) -> cst.Call:
        """TF 1.15 tf.keras logged ``metrics=['accuracy']`` as 'acc': where the module reads
        that key, the metric is named 'acc', which Keras 3 logs as given."""
        metrics = find_kw(call, "metrics")
        # Standalone Keras imported for its utilities only (to_categorical, datasets) builds
        # no model: the models are tf.keras ones.
        if metrics is None or not self.reads_acc or not self.evidence.tf1 or input_imports_from(
            self.context.scratch, "keras", besides=_KERAS_UTILITIES
        ) is not False:
            return call
        changed = False

        def renamed(node: cst.BaseExpression) -> cst.BaseExpression:
            nonlocal changed
            if isinstance(node, cst.SimpleString) and node.evaluated_value == "accuracy":
                changed = True
                return node.with_changes(value=node.value.replace("accuracy", "acc"))
            if isinstance(node, cst.List):
                return node.with_changes(elements=[e.with_changes(value=renamed(e.value)) for e in node.elements])
            return node

        value = renamed(metrics.value)
        if not changed:
            return call
        self.report(original, (
            "TF 1.15's tf.keras logged metrics=['accuracy'] as 'acc'/'val_acc', which this module reads; Keras 3 logs "
            "'accuracy': the metric is named 'acc' (the same metric), which Keras 3 logs under that name"
        ), "converted")
        return with_args(call, [metrics.with_changes(value=value) if a is metrics else a for a in call.args])

    def _metrics_per_output(self, original: cst.Call, call: cst.Call) -> cst.Call:
        """``compile(loss=[l1, l2], metrics=['accuracy'])``: Keras 2 computed the metrics on
        every output -> ``metrics=[['accuracy'], ['accuracy']]``."""
        resolved = self.qualified_name(original.func)
        metrics = find_kw(call, "metrics")
        if (resolved is not None and keras_path(resolved) is None) or metrics is None:
            return call
        loss = find_kw(call, "loss") or next((a for i, a in enumerate(call.args) if a.keyword is None and i == 1), None)
        losses = loss.value if loss is not None else None
        if isinstance(losses, cst.Name):
            losses = self.bindings.value(self.scopes, losses.value)
        if not isinstance(losses, (cst.List, cst.Tuple)) or len(losses.elements) < 2:
            return call
        listed = metrics.value
        if not isinstance(listed, cst.List) or any(
            isinstance(e, cst.StarredElement) or isinstance(e.value, (cst.List, cst.Tuple, cst.Dict)) for e in listed.elements
        ):
            return call
        outputs = len(losses.elements)
        if len(listed.elements) == outputs and self.evidence.keras.world != KERAS2:
            self.report(original, (
                f"{outputs} losses and {outputs} metrics: Keras 2 computed every metric on every output, Keras 3 "
                "one metric per output, and nothing here shows which Keras this is: left as it was"
            ))
            return call
        per_output = ", ".join([code(listed)] * outputs)
        self.report(original, (
            f"metrics={code(listed)} with {outputs} outputs (one loss each): Keras 2 computed them on every output, "
            f"Keras 3 reads a flat list as one metric per output -> [{per_output}]"
        ), "converted")
        new = metrics.with_changes(value=cst.parse_expression(f"[{per_output}]"))
        return with_args(call, [new if a is metrics else a for a in call.args])

    def _generator_method(self, original: cst.Call, call: cst.Call, method: str) -> cst.Call:
        new_method, order = _METHODS[method]
        args = list(call.args)
        positional = [a for a in args if a.keyword is None]
        if len(positional) - 1 > len(order):
            self.report(original, f"`{method}` called with more positional arguments than Keras 2 accepted; left as it was")
            return call
        new_args: list[cst.Arg] = []
        for index, arg in enumerate(args):
            if arg.keyword is None and index > 0:
                arg = as_keyword(arg, order[index - 1])
            elif keyword(arg) == "generator":
                arg = arg.with_changes(keyword=cst.Name("x"))
            new_args.append(arg)
        call = with_args(call, new_args).with_changes(func=call.func.with_changes(attr=cst.Name(new_method)))
        call = self._keras1_keywords(original, call, new_method, generator=True)
        if new_method in ("evaluate", "predict") and not any(keyword(a) == "verbose" for a in call.args):
            call = with_args(call, [*call.args, kwarg("verbose", "0")])
        if new_method == "evaluate":
            self.report(original, "Keras 2.3.1's `evaluate_generator` returned the last batch's loss (metrics averaged over all batches); `evaluate` returns the mean loss over the steps", "converted")
        return call

    def _keras1_keywords(self, original: cst.Call, call: cst.Call, method: str, generator: bool) -> cst.Call:
        names = [keyword(a) for a in call.args]
        if not any(n in _KERAS1 or n in _LOADER for n in names):
            return call
        if not generator and not any(n in _KERAS1 for n in names) and not self._looks_like_keras_fit(call):
            return call
        args: list[cst.Arg] = []
        for arg in call.args:
            name = keyword(arg)
            if name == "samples_per_epoch":
                arg = self._samples_to_steps(original, call, arg)
            elif name in _KERAS1:
                new = _KERAS1[name]
                if name in ("nb_val_samples", "val_samples"):
                    self.report(original, f"`{name}` counted samples in Keras 1; Keras 2.3.1 renamed it to `{new}` and drew that many batches, as the migrated call does: divide by the batch size if samples were meant", "converted")
                arg = arg.with_changes(keyword=cst.Name(new))
            args.append(arg)
        call = with_args(call, args)
        loader = [keyword(a) for a in call.args if keyword(a) in _LOADER]
        if loader:
            self.report(original, f"`{', '.join(loader)}`: Keras 3's `{method}` reads data in the calling thread and has no such arguments (a keras.utils.PyDataset takes workers/use_multiprocessing/max_queue_size); dropped", "converted")
            call = drop_args(call, lambda a: keyword(a) in _LOADER)
        return call

    def _looks_like_keras_fit(self, call: cst.Call) -> bool:
        # Loader keywords alone: only Keras' fit/evaluate/predict take them.
        return any(keyword(a) in ("steps_per_epoch", "validation_steps", "epochs", "steps", "batch_size", "verbose") for a in call.args)

    def _samples_to_steps(self, original: cst.Call, call: cst.Call, arg: cst.Arg) -> cst.Arg:
        generator = next((a.value for a in call.args if a.keyword is None or keyword(a) in ("x", "generator")), None)
        samples = arg.value
        self.report(original, "`samples_per_epoch` counted samples in Keras 1; converted to `steps_per_epoch` as Keras 2.3.1 did (divided by the generator's batch_size when it has one)", "converted")
        if isinstance(generator, cst.Call):
            func = generator.func
            if isinstance(func, cst.Name) and func.value in self.generator_functions:
                return arg.with_changes(keyword=cst.Name("steps_per_epoch"))
            if isinstance(func, cst.Attribute) and func.attr.value in _BATCHED_FACTORIES:
                batch = next((a.value for a in generator.args if keyword(a) == "batch_size"), None)
                batch_code = code(batch) if batch is not None else "32"
                return arg.with_changes(keyword=cst.Name("steps_per_epoch"), value=cst.parse_expression(f"{_paren(samples)} // {batch_code}"))
        if isinstance(generator, cst.Name) or (generator is not None and dotted_name(generator)):
            gen = code(generator)
            value = f"{_paren(samples)} // {gen}.batch_size if hasattr({gen}, 'batch_size') else {_paren(samples)}"
            return arg.with_changes(keyword=cst.Name("steps_per_epoch"), value=cst.parse_expression(value))
        return arg.with_changes(keyword=cst.Name("steps_per_epoch"))


class _ScopedCalls(FastVisitor):
    """Calls ``on_call(call, classes, scopes)`` for every call, with the classes and the
    scopes (module, functions) it is in."""

    def __init__(self, module: cst.Module, on_call: Callable[[cst.Call, list[str], list[cst.CSTNode]], None]) -> None:
        super().__init__()
        self.on_call = on_call
        self.classes: list[str] = []
        self.scopes: list[cst.CSTNode] = [module]

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_Call(self, node: cst.Call) -> None:
        self.on_call(node, self.classes, self.scopes)


def _inputs_arg(call: cst.Call) -> cst.Arg | None:
    """The argument giving a model its inputs (``x``)."""
    given = find_kw(call, "x")
    if given is not None:
        return given
    first = call.args[0] if call.args else None
    return first if first is not None and first.keyword is None else None


def _flat_sequence(expr: cst.BaseExpression) -> bool:
    """A list (or comprehension) of numbers: ``[0, 1]``, ``[n for n in range(10)]``."""
    if isinstance(expr, cst.ListComp):
        return isinstance(expr.elt, (cst.Name, cst.Integer, cst.Float))
    if isinstance(expr, cst.List):
        return bool(expr.elements) and all(
            isinstance(e, cst.Element) and isinstance(e.value, (cst.Integer, cst.Float, cst.UnaryOperation))
            for e in expr.elements
        )
    return False


def _model_key(expr: cst.BaseExpression, classes: list[str]) -> str | None:
    """``self.d`` in class ``GAN`` -> ``GAN:self.d``; ``d`` -> ``d``; None for other expressions."""
    dotted = dotted_name(expr)
    if dotted is not None and dotted.startswith("self.") and classes:
        return f"{classes[-1]}:{dotted}"
    return dotted


def _reads_acc_keys(tree: cst.Module) -> bool:
    """Does the module read a logged 'acc' / 'val_acc' (``h.history['acc']``, ``logs.get('acc')``)?"""
    found = False

    class _Keys(FastVisitor):
        def visit_SubscriptElement(self, node: cst.SubscriptElement) -> None:
            nonlocal found
            index = node.slice.value if isinstance(node.slice, cst.Index) else None
            found = found or (isinstance(index, cst.SimpleString) and index.evaluated_value in ("acc", "val_acc"))

        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" and node.args:
                first = node.args[0].value
                found = found or (isinstance(first, cst.SimpleString) and first.evaluated_value in ("acc", "val_acc"))

    walk(tree, _Keys())
    return found


def _paren(expr: cst.BaseExpression) -> str:
    text = code(expr)
    if isinstance(expr, (cst.Name, cst.Integer, cst.Attribute, cst.Call, cst.Subscript)):
        return text
    return f"({text})"
