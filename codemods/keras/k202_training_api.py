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
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.bindings import Bindings
from codemods.analysis.cst_tools import (
    as_keyword,
    code,
    drop_args,
    find_kw,
    has_star,
    keyword,
    kwarg,
    nodes_of,
    with_args,
)
from codemods.analysis.evidence import KERAS2, input_imports_from
from codemods.analysis.keras_calls import keras_path, may_use_keras
from codemods.analysis.names import dotted_name
from codemods.base import Example, Rule

# Keras 2.3.1 parameter order after the generator.
_FIT_GENERATOR = (
    "steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data", "validation_steps",
    "validation_freq", "class_weight", "max_queue_size", "workers", "use_multiprocessing",
    "shuffle", "initial_epoch",
)
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
        "computed each metric on every output, Keras 3 takes a flat list as one metric per output."
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
        return tree.visit(self)

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
        if method in ("fit", "evaluate", "predict"):
            return self._keras1_keywords(original_node, updated_node, method, generator=False)
        if method == "compile":
            return self._tf_keras_accuracy_name(original_node, self._metrics_per_output(original_node, updated_node))
        return updated_node

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
        if (resolved is not None and keras_path(resolved) is None) or metrics is None or self.evidence.keras3:
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


def _reads_acc_keys(tree: cst.Module) -> bool:
    """Does the module read a logged 'acc' / 'val_acc' (``h.history['acc']``, ``logs.get('acc')``)?"""
    found = False

    class _Keys(cst.CSTVisitor):
        def visit_SubscriptElement(self, node: cst.SubscriptElement) -> None:
            nonlocal found
            index = node.slice.value if isinstance(node.slice, cst.Index) else None
            found = found or (isinstance(index, cst.SimpleString) and index.evaluated_value in ("acc", "val_acc"))

        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" and node.args:
                first = node.args[0].value
                found = found or (isinstance(first, cst.SimpleString) and first.evaluated_value in ("acc", "val_acc"))

    tree.visit(_Keys())
    return found


def _paren(expr: cst.BaseExpression) -> str:
    text = code(expr)
    if isinstance(expr, (cst.Name, cst.Integer, cst.Attribute, cst.Call, cst.Subscript)):
        return text
    return f"({text})"
