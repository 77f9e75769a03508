"""K305: Keras 2 callback arguments -> Keras 3.

* ``ModelCheckpoint(period=1)`` -> dropped (``save_freq='epoch'``, Keras 3's default, is
  every epoch); ``period=N`` (every N epochs) has no Keras 3 argument (``save_freq``
  counts batches): reported.
* ``mode='auto'`` (or no mode) with a literal ``monitor`` other than a loss, on
  ``EarlyStopping``/``ReduceLROnPlateau``/``ModelCheckpoint``: Keras 2.3.1 chose
  ``'max'`` when the name contained ``'acc'`` and ``'min'`` otherwise; Keras 3 asks the
  metric (and refuses a metric that does not say), so Keras 2's choice is written out.
* ``ReduceLROnPlateau(epsilon=)`` -> ``min_delta`` (Keras 2.3.1's own rename).
* ``TensorBoard(batch_size=, write_grads=, embeddings_layer_names=, embeddings_data=)``
  and ``ProgbarLogger(count_mode=, stateful_metrics=)``: arguments Keras 3 does not
  have, dropped and reported.
* ``<model>.optimizer.lr`` -> ``<model>.optimizer.learning_rate`` (in custom callbacks:
  ``K.get_value(self.model.optimizer.lr)``).
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.cst_tools import (
    as_keyword,
    drop_args,
    find_kw,
    has_star,
    keyword,
    kwarg,
    literal_value,
    with_args,
)
from codemods.analysis.keras_calls import keras_path, may_use_keras
from codemods.base import Example, Rule

# Keras 2.3.1 positional parameters.
_POSITIONAL = {
    "ModelCheckpoint": ("filepath", "monitor", "verbose", "save_best_only", "save_weights_only", "mode", "period"),
    "EarlyStopping": ("monitor", "min_delta", "patience", "verbose", "mode", "baseline", "restore_best_weights"),
    "ReduceLROnPlateau": ("monitor", "factor", "patience", "verbose", "mode", "min_delta", "cooldown", "min_lr"),
    "TensorBoard": ("log_dir", "histogram_freq", "batch_size", "write_graph", "write_grads", "write_images"),
    "ProgbarLogger": ("count_mode", "stateful_metrics"),
}
_DROPPED = {
    "TensorBoard": ("batch_size", "write_grads", "embeddings_layer_names", "embeddings_data"),
    "ProgbarLogger": ("count_mode", "stateful_metrics"),
}
_MONITORED = ("ModelCheckpoint", "EarlyStopping", "ReduceLROnPlateau")


class Callbacks(Rule):
    code = "K305"
    keras3_keeps = "its callbacks are Keras 3's and are left as they are"
    details = (
        "period=1 is dropped (Keras 3 saves every epoch by default); period=N>1 is reported "
        "(save_freq counts batches). mode='auto' is written out as Keras 2.3.1 resolved it "
        "('max' when the monitored name contains 'acc', else 'min'). Arguments Keras 3 removed "
        "from TensorBoard and ProgbarLogger are dropped and reported. optimizer.lr -> "
        "optimizer.learning_rate."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras import backend as K
                from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint

                stop = EarlyStopping(monitor='val_acc', patience=2)
                save = ModelCheckpoint('best.h5', monitor='val_loss', period=1)
                lr = K.get_value(model.optimizer.lr)
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow.keras import backend as K
                from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint

                stop = EarlyStopping(monitor='val_acc', patience=2, mode='max')
                save = ModelCheckpoint('best.h5', monitor='val_loss')
                lr = K.get_value(model.optimizer.learning_rate)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras.callbacks import EarlyStopping

                stop = EarlyStopping(monitor='val_loss', patience=2)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        return self.transformed(tree)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        value = original_node.value
        if original_node.attr.value == "lr" and isinstance(value, cst.Attribute) and value.attr.value == "optimizer":
            return updated_node.with_changes(attr=cst.Name("learning_rate"))
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        path = keras_path(self.qualified_name(original_node.func))
        if not path or not path.startswith("callbacks.") or has_star(updated_node):
            return updated_node
        name = path.split(".", 1)[1]
        order = _POSITIONAL.get(name)
        if order is None:
            return updated_node
        call = updated_node
        positional = [a for a in call.args if a.keyword is None]
        if len(positional) > len(order):
            return updated_node
        # Positional arguments past the ones Keras 3 keeps in the same place -> keywords.
        args = []
        for index, arg in enumerate(call.args):
            if arg.keyword is None and order[index] in ("period",) + _DROPPED.get(name, ()):
                arg = as_keyword(arg, order[index])
            args.append(arg)
        call = with_args(call, args)
        if name == "ModelCheckpoint":
            call = self._period(original_node, call)
        if name == "ReduceLROnPlateau":
            eps = find_kw(call, "epsilon")
            if eps is not None and find_kw(call, "min_delta") is None:
                call = with_args(call, [a.with_changes(keyword=cst.Name("min_delta")) if a is eps else a for a in call.args])
        if name in _DROPPED:
            gone = [keyword(a) for a in call.args if keyword(a) in _DROPPED[name]]
            if gone:
                self.report(original_node, f"`{name}({', '.join(gone)}=...)`: Keras 3 has no such arguments; dropped", "converted")
                call = drop_args(call, lambda a: keyword(a) in _DROPPED[name])
        if name in _MONITORED:
            call = self._mode(call, order)
        return call

    def _period(self, original: cst.Call, call: cst.Call) -> cst.Call:
        period = find_kw(call, "period")
        if period is None:
            return call
        if literal_value(period.value) == 1:
            return drop_args(call, lambda a: a is period)
        self.report(original, "`ModelCheckpoint(period=N)` saved every N epochs; Keras 3's save_freq counts batches (N * steps per epoch): left as it was")
        return call

    def _mode(self, call: cst.Call, order: tuple[str, ...]) -> cst.Call:
        mode_index = order.index("mode")
        positional = [a for a in call.args if a.keyword is None]
        mode = find_kw(call, "mode") or (positional[mode_index] if len(positional) > mode_index else None)
        if mode is not None and literal_value(mode.value) != "auto":
            return call
        monitor_index = order.index("monitor")
        monitor = find_kw(call, "monitor") or (positional[monitor_index] if len(positional) > monitor_index else None)
        if monitor is None:
            return call  # 'val_loss': min in both
        value = literal_value(monitor.value)
        if not isinstance(value, str) or value.removeprefix("val_") == "loss":
            return call
        chosen = "'max'" if "acc" in value else "'min'"
        if mode is not None:
            return with_args(call, [a.with_changes(value=cst.parse_expression(chosen)) if a is mode else a for a in call.args])
        return with_args(call, [*call.args, kwarg("mode", chosen)])
