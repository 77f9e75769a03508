"""T101: TF1 API names and signatures -> their native TF2 forms.

Driven by TensorFlow's own `tf_upgrade_v2` tables (renames, keyword renames, argument
reorders) and by the TF1/TF2 signatures recorded next to them, but preferring the
native TF2 spelling: `tf.compat.v1` is used only where TF2 has no equivalent, and each
such use is reported. Runs last, on what the graph conversion and the other T rules
left (T102 absl, T103 graph-era calls, T104 tf.Print run before it); modules kept on the
`tensorflow.compat.v1` fallback by the graph conversion are not touched.
"""

from __future__ import annotations

import re
import textwrap

import libcst as cst

from codemods.analysis import legacy_homes, tf_api
from codemods.analysis.cst_tools import as_keyword, bind_arguments, code, kwarg, literal_value, nodes_of, with_args
from codemods.analysis.evidence import TF2
from codemods.analysis.names import ImportResolver
from codemods.base import Example, Rule

_ATOMIC = (cst.Name, cst.Attribute, cst.Integer, cst.Float, cst.Call, cst.Subscript, cst.SimpleString)
# Symbols whose native form depends on how they are called (decided in leave_Call).
_PER_CALL = {"tf.where", "tf.assign", "tf.assign_add", "tf.assign_sub", "tf.nn.xw_plus_b", "tf.nn.relu_layer",
             "tf.batch_gather", "tf.div", *tf_api.CASTS}
# tf.losses.X(labels, predictions) with the default weights=1.0 and reduction
# (SUM_BY_NONZERO_WEIGHTS: the sum over all elements divided by their count, a mean).
# Each maps to its parameters and the elementwise loss (None: |predictions - labels|).
_MEAN_LOSSES = {
    "tf.losses.sparse_softmax_cross_entropy": (("labels", "logits"), "tf.nn.sparse_softmax_cross_entropy_with_logits"),
    "tf.losses.softmax_cross_entropy": (("onehot_labels", "logits"), "tf.nn.softmax_cross_entropy_with_logits"),
    "tf.losses.sigmoid_cross_entropy": (("multi_class_labels", "logits"), "tf.nn.sigmoid_cross_entropy_with_logits"),
    "tf.losses.mean_squared_error": (("labels", "predictions"), "tf.math.squared_difference"),
    "tf.losses.absolute_difference": (("labels", "predictions"), None),
}
_PER_CALL |= set(_MEAN_LOSSES) | set(tf_api.V1_INITIALIZERS)
_ASSIGN_METHODS = {"tf.assign": "assign", "tf.assign_add": "assign_add", "tf.assign_sub": "assign_sub"}
# TF 1's summary ops, whose TF 2 namesakes write to the default writer instead: a call with
# TF 2's step (or its data / buckets / description) is TF 2's; any other stays TF 1's.
_V1_SUMMARIES = {f"tf.summary.{name}" for name in ("scalar", "histogram", "image", "audio", "text")}
_V2_SUMMARY_KEYWORDS = {"step", "data", "buckets", "description"}
_V1_SUMMARY_REASON = (
    "is TF 1's summary op (a serialized Summary, added to the graph's collection for tf.summary.merge_all); TF 2's "
    "of the same name writes to the default writer at a step and returns a bool"
)


def _sets_default_writer(node: cst.With) -> bool:
    """``with writer.as_default(step=...):``: TF 2's summaries inside write at that step."""
    return any(
        isinstance(item.item, cst.Call)
        and isinstance(item.item.func, cst.Attribute)
        and item.item.func.attr.value == "as_default"
        and any(a.keyword is not None and a.keyword.value == "step" for a in item.item.args)
        for item in node.items
    )


# A variable scope around calls of these only names ops (``_names_ops_only``): TensorFlow
# ops but those that create variables or call a function given to them, builtins, shape methods.
_CREATES_OR_CALLS = {
    "tf.Variable", "tf.get_variable", "tf.get_local_variable", "tf.make_template", "tf.cond", "tf.case",
    "tf.while_loop", "tf.map_fn", "tf.scan", "tf.foldl", "tf.foldr", "tf.py_func", "tf.py_function",
    "tf.numpy_function", "tf.custom_gradient", "tf.function", "tf.vectorized_map", "tf.switch_case",
}
_CREATING_MODULES = (
    "tf.layers.", "tf.keras", "tf.contrib.", "tf.compat.", "tf.estimator.", "tf.train.", "tf.metrics.",
    "tf.feature_column.", "tf.saved_model.", "tf.data.", "tf.distribute.", "tf.tpu.", "tf.autograph.",
    "tf.experimental.", "tf.initializers.", "tf.Module", "tf.lite.", "tf.summary.",
)
_PURE_BUILTINS = {"abs", "len", "int", "float", "min", "max", "range", "list", "tuple", "isinstance", "round", "sum"}
_SHAPE_METHODS = {"get_shape", "as_list"}

def _assigned_in(function: cst.FunctionDef) -> list[set[str]]:
    """The names each assignment in ``function`` binds (a parameter rebound is no longer its default's kind)."""
    return [
        {n.value for n in nodes_of(target, cst.Name)}
        for node in nodes_of(function.body, (cst.Assign, cst.AugAssign, cst.AnnAssign))
        for target in ([t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target])
    ]


_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _expression(text: str) -> cst.BaseExpression:
    """``text`` as an expression node; dotted names (most of what T101 writes) built
    directly, which costs a fraction of a call to LibCST's parser."""
    if not _DOTTED.fullmatch(text):
        return cst.parse_expression(text)
    first, *rest = text.split(".")
    node: cst.BaseExpression = cst.Name(first)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _parenthesized(expr: cst.BaseExpression) -> str:
    text = code(expr)
    return text if isinstance(expr, _ATOMIC) else f"({text})"


class TF2Api(Rule):
    code = "T101"
    details = (
        "Uses tf_upgrade_v2's tables (snapshot in codemods/data/tf_upgrade_v2.json, with the TF1 and TF2 "
        "signatures of every function whose arguments changed) and prefers the native TF2 name; "
        "tf.compat.v1 only where TF2 has none or computes something else (tf.image.resize_images, "
        "tf.div of operands whose type no literal shows, three-argument tf.where), each reported with the "
        "reason (tf.div with a float literal -> tf.math.divide, with two integer literals -> tf.math.floordiv). "
        "Also: keep_dims/"
        "reduction_indices/dim -> keepdims/axis, positional arguments whose place changed become "
        "keywords, a call passing an argument TF2 dropped stays on tf.compat.v1 (reported), "
        "tf.to_float(x) -> tf.cast(x, tf.float32), tf.assign(v, x) -> v.assign(x), tf.py_func -> "
        "tf.numpy_function, tf.gfile.FastGFile -> tf.io.gfile.GFile (the same file object), "
        "`with tf.variable_scope(name):` around TensorFlow ops that create no variable and take no function "
        "(and builtins, shape methods) -> `with tf.name_scope(name):` (it only named their ops), "
        "tf.random_normal_initializer / random_uniform_initializer / zeros_initializer / ones_initializer / "
        "constant_initializer(float) -> TF 2's class of the same name with TF 1's defaults written out (stddev=1.0, "
        "minval=0, maxval=1; unseeded and without dtype= they draw the same numbers, also when passed to "
        "tf.compat.v1.get_variable), tf.nn.dropout(x, keep_prob) -> rate=1 - keep_prob, v1 "
        "softmax_cross_entropy_with_logits keeps its labels out of the gradient with tf.stop_gradient, TF 1's "
        "summary ops (tf.summary.scalar / histogram / image / audio / text called without TF 2's step, data, buckets "
        "or description) stay on tf.compat.v1 for merge_all, "
        "`from tensorflow import X` imports follow their symbols, and modules on "
        "`import tensorflow.compat.v1 as tf` come out importing tensorflow plainly. Positional "
        "arguments are re-mapped only in files that show TF1 code (a TF1 name somewhere), so code "
        "already on TF2 keeps its meaning. A name kept on tf.compat.v1 is reported with what to write instead "
        "(tf.nn.dynamic_rnn: a Keras RNN layer; collections: a list of the variables; tf.Summary: tf.summary.scalar "
        "under a writer; TF1 optimizers: their Keras optimizer with TF1's defaults)."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                w = tf.Variable(tf.random_normal([3, 2]))
                s = tf.reduce_sum(tf.log(tf.abs(w) + 1), reduction_indices=1, keep_dims=True)
                h = tf.nn.dropout(tf.to_float(s), 0.8)
                top = tf.nn.in_top_k(s, [0, 1, 1], 1)
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                w = tf.Variable(tf.random.normal([3, 2]))
                s = tf.reduce_sum(tf.math.log(tf.abs(w) + 1), axis=1, keepdims=True)
                h = tf.nn.dropout(tf.cast(s, tf.float32), rate=1 - 0.8)
                top = tf.nn.in_top_k(predictions=s, targets=[0, 1, 1], k=1)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                def lrelu(x, leak=0.2, name="lrelu"):
                    with tf.variable_scope(name):
                        return tf.maximum(x, leak * x)

                def dense(x, n, name="dense"):
                    with tf.variable_scope(name):
                        w = tf.get_variable("w", [x.get_shape().as_list()[-1], n])
                        return tf.matmul(x, w)
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                def lrelu(x, leak=0.2, name="lrelu"):
                    with tf.name_scope(name):
                        return tf.maximum(x, leak * x)

                def dense(x, n, name="dense"):
                    with tf.compat.v1.variable_scope(name):
                        w = tf.compat.v1.get_variable("w", [x.get_shape().as_list()[-1], n])
                        return tf.matmul(x, w)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                hypothesis = tf.div(1., 1. + tf.exp(-logits))
                pairs = tf.div(tf.constant(7), 2)
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                hypothesis = tf.math.divide(1., 1. + tf.exp(-logits))
                pairs = tf.math.floordiv(tf.constant(7), 2)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow.compat.v1 as tf

                tf.assign(counter, tf.div(total, 2))
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                counter.assign(tf.compat.v1.div(total, 2))
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf


                def weight(name, shape):
                    return tf.get_variable(name, shape, initializer=tf.random_normal_initializer())


                def bias(name, shape, seed):
                    return tf.get_variable(name, shape, initializer=tf.random_uniform_initializer(-0.1, seed=seed))


                with tf.gfile.FastGFile("graph.pb", "rb") as f:
                    graph_def = tf.GraphDef()
                    graph_def.ParseFromString(f.read())
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf


                def weight(name, shape):
                    return tf.compat.v1.get_variable(name, shape, initializer=tf.random_normal_initializer(stddev=1.0))


                def bias(name, shape, seed):
                    return tf.compat.v1.get_variable(name, shape, initializer=tf.compat.v1.random_uniform_initializer(-0.1, seed=seed))


                with tf.io.gfile.GFile("graph.pb", "rb") as f:
                    graph_def = tf.compat.v1.GraphDef()
                    graph_def.ParseFromString(f.read())
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                x = tf.nn.dropout(tf.random.normal([2]), 0.5)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                w = tf.Variable(tf.random_normal_initializer()(shape=[3, 2]))


                @tf.function
                def f(x):
                    return tf.matmul(x, w)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        names = tf_api.api_names(self.context.scratch, self.resolver)
        if names is None:
            return tree
        self.names = names
        # Names TF 1 and TF 2 share (tf.where, tf.nn.max_pool, tf.saved_model.load) and
        # positional arguments mean TF 2's functions in TF 2 code: every rewrite applies
        # only to a module that shows TF 1 (a TF 1-only name or argument, compat.v1).
        self.tf1_code = (
            self.names.compat_module or tf_api.graph_outcome(self.context.scratch).converted or self.evidence.tf1
        )
        self._call_funcs: set[int] = set()
        self._writer_blocks = 0  # `with writer.as_default(step=...)` blocks around the node
        self._undecided: set[str] = set()
        self._name_scopes: dict[int, cst.With] = {}  # tf.variable_scope funcs (by id) that become name scopes
        self._functions: list[cst.FunctionDef] = []  # the functions around the node
        self._star_imports: list[cst.ImportFrom] = []
        self._star_names: dict[str, None] = {}
        self.skip_statements_without("tensorflow")
        new = self.transformed(tree)
        if self._star_names:
            self.report(self._star_imports[0], (
                "`from ... import *` binds TF 1 names used here "
                f"({', '.join(f'`{s[3:]}`' for s in self._star_names)}), which cannot be converted in "
                "place: import them by name (or `import tensorflow as tf`) and run migrator again"
            ))
        if not self.tf1_code:
            if self._undecided:
                verdict = self.evidence.tensorflow
                judged = "judged TF 2 code" if verdict.world == TF2 else "could not tell TF 1 from TF 2 code"
                self.report_file(
                    f"{judged} ({'; '.join(verdict.reasons)}): names TF 1 and TF 2 share "
                    f"({', '.join(f'`{s}`' for s in sorted(self._undecided))}) are left as they are",
                    kind="converted" if verdict.world == TF2 else "declined",
                )
            return tree
        if self.names.compat_module:
            new = new.with_changes(body=[_plain_tensorflow_import(stmt) for stmt in new.body])
        statement = self.names.import_statement()
        if statement is not None:
            new = tf_api.add_imports(new, [statement])
        return new

    # -- symbol names ---------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self._call_funcs.add(id(node.func))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        if self._functions and self._functions[-1] is original_node:  # (not visited: a skipped statement)
            self._functions.pop()
        return updated_node

    def visit_With(self, node: cst.With) -> None:
        self._writer_blocks += _sets_default_writer(node)
        if self.tf1_code and self._names_ops_only(node):
            self._name_scopes[id(node.items[0].item.func)] = node  # type: ignore[attr-defined]

    def leave_With(self, original_node: cst.With, updated_node: cst.With) -> cst.With:
        self._writer_blocks -= _sets_default_writer(original_node)
        func = original_node.items[0].item.func if isinstance(original_node.items[0].item, cst.Call) else None
        if func is not None and self._name_scopes.get(id(func)) is original_node:
            item = updated_node.items[0].item
            assert isinstance(item, cst.Call) and isinstance(item.func, cst.Attribute)
            self.report(original_node, (
                "`with tf.variable_scope(name):` around statements that create no variable (TensorFlow ops and "
                "builtins only) only names their ops -> `with tf.name_scope(name):`"
            ), kind="converted")
            scope = item.with_changes(func=item.func.with_changes(attr=cst.Name("name_scope")))
            return updated_node.with_changes(items=[updated_node.items[0].with_changes(item=scope)])
        return updated_node

    def _names_ops_only(self, node: cst.With) -> bool:
        """``with tf.variable_scope(name):`` (one positional argument, no ``as``) whose
        block calls only TensorFlow ops that create no variable and take no function,
        builtins and a tensor's shape methods: the scope can only name ops."""
        if len(node.items) != 1 or node.items[0].asname is not None:
            return False
        item = node.items[0].item
        if not (isinstance(item, cst.Call) and isinstance(item.func, cst.Attribute) and len(item.args) == 1
                and item.args[0].keyword is None and not item.args[0].star
                and self.names.symbol(item.func) == "tf.variable_scope"):
            return False
        # A name (not a VariableScope object, which tf.name_scope does not take): a string, or
        # a parameter of the function around the block whose default is a string.
        name = item.args[0].value
        if not isinstance(name, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)) and not (
            isinstance(name, cst.Name) and self._functions and any(
                param.name.value == name.value and isinstance(param.default, (cst.SimpleString, cst.ConcatenatedString))
                for param in self._functions[-1].params.params
            ) and not any(
                name.value in assigned for assigned in _assigned_in(self._functions[-1])
            )
        ):
            return False
        calls = nodes_of(node.body, cst.Call)
        if nodes_of(node.body, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False
        for call in calls:
            symbol = self.names.symbol(call.func)
            if symbol is not None:
                if symbol in _CREATES_OR_CALLS or symbol.startswith(_CREATING_MODULES) or "rnn" in symbol:
                    return False
            elif isinstance(call.func, cst.Name):
                if call.func.value not in _PURE_BUILTINS or self.resolver.qualified_name(call.func) not in (
                    None, f"builtins.{call.func.value}"
                ) or self.resolver.is_bound_anywhere(call.func.value):
                    return False
            elif not (isinstance(call.func, cst.Attribute) and call.func.attr.value in _SHAPE_METHODS):
                return False
        return True

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if isinstance(node.names, cst.ImportStar) and node.module is not None and not node.relative:
            module = _dotted(node.module) or ""
            if module == "tensorflow" or module.startswith("tensorflow."):
                self._star_imports.append(node)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        # A bare name bound by `from tensorflow import *` cannot be renamed in place.
        if not self._star_imports or self.resolver.is_bound_anywhere(node.value):
            return
        symbol = self.names.symbol(node)
        if symbol is not None and (tf_api.native_rename(symbol) or tf_api.compat_rename(symbol) or tf_api.removed(symbol)):
            self._star_names.setdefault(symbol, None)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        symbol = self.names.symbol(original_node)
        if symbol is None or symbol.startswith("tf.keras.") or symbol == "tf.keras":
            return updated_node  # tf.keras is Keras 3 in TF 2.21: the Keras rules own it
        if id(original_node) in self._name_scopes:
            return updated_node  # a variable scope that becomes a name scope (leave_With)
        if symbol in _PER_CALL and id(original_node) in self._call_funcs:
            return updated_node  # leave_Call decides
        if not self.tf1_code and symbol.startswith("tf.estimator.") and id(original_node) in self._call_funcs:
            self.report(original_node, _estimator_message(symbol))  # gone from TF 2 code too
            return updated_node
        return self._decide(symbol, updated_node, lambda: self._convert_attribute(symbol, original_node, updated_node))

    def _decide(self, symbol: str, updated: cst.CSTNode, convert):
        """``convert()`` in TF 1 code; elsewhere only note that it would have changed."""
        if self.tf1_code:
            return convert()
        mark = len(self._reports)
        self.tf1_code = True
        try:
            result = convert()
        finally:
            self.tf1_code = False
            del self._reports[mark:]
        if result is not updated:
            self._undecided.add(symbol)
        return updated

    def _convert_attribute(self, symbol: str, original_node: cst.Attribute, updated_node: cst.Attribute):
        native = tf_api.native_rename(symbol)
        if native is not None:
            return _expression(self.names.spell(native, original_node))
        compat = tf_api.compat_rename(symbol)
        if compat is not None:
            self.report(original_node, f"`{symbol}` kept as `{compat}`: {tf_api.compat_reason(symbol)}")
            return _expression(self.names.spell(compat))
        if legacy_homes.is_gone(symbol[len("tf.") :]):
            return updated_node  # tf.layers, tf.nn.rnn_cell, tf.contrib: G103 gives them a TF 2.21 home or reports them
        if tf_api.removed(symbol):
            self.report(original_node, f"`{symbol}` was removed from TF 2 and has no automatic replacement")
            return updated_node
        deprecation = tf_api.module_deprecation(symbol)
        if deprecation is not None and id(original_node) in self._call_funcs:
            self.report(original_node, f"`{symbol}`: {deprecation.replace('<function name>', symbol)}")
        elif symbol.startswith("tf.estimator.") and id(original_node) in self._call_funcs:
            self.report(original_node, _estimator_message(symbol))
        return updated_node

    # -- imports of TF names --------------------------------------------------------
    def leave_SimpleStatementLine(self, original_node, updated_node):
        if not self.tf1_code or len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.ImportFrom):
            return updated_node
        node = updated_node.body[0]
        module = _dotted(node.module) if node.module is not None and not node.relative else None
        if module is None or isinstance(node.names, cst.ImportStar):
            return updated_node
        groups: dict[str, list[cst.ImportAlias]] = {}
        changed = False
        for alias in node.names:
            symbol = tf_api.tf1_symbol(f"{module}.{_dotted(alias.name)}", self.names.compat_module)
            target = self._import_target(symbol, original_node) if symbol else None
            if target is None:
                groups.setdefault(module, []).append(alias)
                continue
            new_module, _, leaf = ("tensorflow" + target[len("tf") :]).rpartition(".")
            local = alias.evaluated_alias or alias.evaluated_name
            new_alias = cst.ImportAlias(
                name=cst.Name(leaf), asname=None if leaf == local else cst.AsName(name=cst.Name(local))
            )
            changed = changed or new_module != module or leaf != alias.evaluated_name
            groups.setdefault(new_module, []).append(new_alias)
        if not changed:
            return updated_node
        lines = []
        for index, (new_module, aliases) in enumerate(groups.items()):
            aliases = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in aliases]
            statement = cst.ImportFrom(module=_expression(new_module), names=aliases)
            line = updated_node.with_changes(body=[statement])
            if index:
                line = line.with_changes(leading_lines=[])
            lines.append(line)
        return cst.FlattenSentinel(lines)

    def _import_target(self, symbol: str, node: cst.CSTNode) -> str | None:
        """The TF symbol an imported TF1 name should come from, if not the one imported."""
        if symbol.startswith("tf.keras"):
            return None
        native = tf_api.native_target(symbol)
        if native is not None and (native != symbol or self.names.compat_module):
            return native
        compat = tf_api.compat_rename(symbol)
        if compat is not None:
            self.report(node, f"`{symbol}` kept as `{compat}`: {tf_api.compat_reason(symbol)}")
            return compat
        return None

    # -- calls ----------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        symbol = self.names.symbol(original_node.func)
        if symbol is None or symbol.startswith("tf.keras."):
            return updated_node
        return self._decide(symbol, updated_node, lambda: self._convert_call(symbol, original_node, updated_node))

    def _convert_call(self, symbol: str, original_node: cst.Call, updated_node: cst.Call):
        if symbol in _PER_CALL:
            return self._per_call(symbol, original_node, updated_node)
        if symbol in _V1_SUMMARIES and not self._writer_blocks and not any(
            a.keyword is not None and a.keyword.value in _V2_SUMMARY_KEYWORDS for a in updated_node.args
        ):
            return self._keep_on_compat(symbol, original_node, updated_node, _V1_SUMMARY_REASON)
        args, problem = self._arguments(symbol, list(updated_node.args))
        if problem is not None:
            return self._keep_on_compat(symbol, original_node, updated_node, problem)
        if symbol == "tf.nn.softmax_cross_entropy_with_logits":
            args = self._labels_out_of_gradient(args, original_node)
        if args == list(updated_node.args):
            return updated_node
        return updated_node.with_changes(args=_fix_commas(args, updated_node.args[-1] if updated_node.args else None))

    def _keep_on_compat(self, symbol: str, original: cst.Call, updated: cst.Call, problem: str) -> cst.Call:
        compat = tf_api.compat_name(symbol)
        if not isinstance(original.func, cst.Attribute):
            self.report(original, f"`{symbol}` {problem}; not converted (imported by name, use `{compat}`)")
            return updated
        self.report(original, f"`{symbol}` {problem}: kept as `{compat}`")
        return original.with_changes(func=_expression(self.names.spell(compat)), args=updated.args)

    def _arguments(self, symbol: str, args: list[cst.Arg]) -> tuple[list[cst.Arg], str | None]:
        """The call's arguments for TF2: keywords renamed, moved positional arguments as
        keywords; or a problem that keeps the call on tf.compat.v1."""
        renames = tf_api.keyword_renames(symbol)
        sig = tf_api.signature(symbol)
        if sig is None and not renames and symbol != "tf.nn.dropout":
            return args, None
        v2_keywords = set(sig["v2_keywords"]) if sig and sig["v2_keywords"] is not None else None
        stars = any(a.star for a in args)
        if stars:
            sig = None  # *args / **kwargs: only the explicit keywords can be renamed
        legacy_order = tf_api.reorder(symbol) if sig is None and not stars else None
        result: list[cst.Arg] = []
        as_keywords = False
        for position, arg in enumerate(args):
            if arg.star:
                result.append(arg)
                continue
            if arg.keyword is None:
                if not self.tf1_code or stars:
                    result.append(arg)
                    continue
                if sig is None:
                    name = legacy_order[position] if legacy_order and position < len(legacy_order) else None
                    result.append(as_keyword(arg, name) if name else arg)
                    continue
                if position >= len(sig["v1"]):
                    if sig["v1_star"]:
                        result.append(arg)
                        continue
                    return args, "has more positional arguments than TF 1 took"
                old = sig["v1"][position]
            else:
                old = arg.keyword.value
            new = renames[old] if old in renames else old
            if (symbol, old) in tf_api.DROPPABLE:
                if code(arg.value) != tf_api.DROPPABLE[(symbol, old)]:
                    return args, f"passes `{old}={code(arg.value)}`, which TF 2 dropped"
                new = None
            if new is None:  # TF2 dropped the argument (no effect there)
                as_keywords = as_keywords or arg.keyword is None
                continue
            if symbol == "tf.nn.dropout" and old == "keep_prob":
                # always by keyword: a positional `1 - p` would be converted again next run
                arg = arg.with_changes(value=cst.parse_expression(f"1 - {_parenthesized(arg.value)}"))
                new = "rate"
                as_keywords = True
            if v2_keywords is not None and new not in v2_keywords:
                renamed_in_place = (
                    arg.keyword is None and not as_keywords and sig is not None and position < len(sig["v2"])
                    and sig["v2"][position] not in sig["v1"]
                )
                if not renamed_in_place:  # (tf.device(name): TF 2 calls it device_name, same place)
                    return args, f"passes `{old}`, which TF 2 does not take"
                result.append(arg)
                continue
            if arg.keyword is None:
                if not as_keywords and position < len(sig["v2"]) and sig["v2"][position] == new:
                    result.append(arg)
                    continue
                as_keywords = True
                result.append(as_keyword(arg, new))
            else:
                result.append(arg if new == old else arg.with_changes(keyword=cst.Name(new)))
        return result, None

    def _labels_out_of_gradient(self, args: list[cst.Arg], original: cst.Call) -> list[cst.Arg]:
        """TF1's v1 op did not backpropagate into labels; TF2's does."""
        labels = next((a.value for a in original.args if a.keyword is not None and a.keyword.value == "labels"), None)
        if labels is None or self._constant(labels):  # names resolve on the original nodes
            return args
        result = []
        for arg in args:
            if arg.keyword is not None and arg.keyword.value == "labels":
                stop = _expression(self.names.spell("tf.stop_gradient"))
                arg = arg.with_changes(value=cst.Call(stop, [cst.Arg(arg.value)]))
            result.append(arg)
        return result

    def _constant(self, expr: cst.BaseExpression) -> bool:
        """Literals, tf.constant(...) and tf.stop_gradient(...) carry no gradient anyway."""
        if isinstance(expr, (cst.Integer, cst.Float, cst.List, cst.Tuple)):
            elements = getattr(expr, "elements", [])
            return all(not isinstance(e.value, (cst.Name, cst.Call, cst.Attribute)) for e in elements)
        if isinstance(expr, cst.Call):
            return self.names.symbol(expr.func) in ("tf.constant", "tf.stop_gradient")
        return False

    # -- calls whose native form depends on their arguments ---------------------------
    def _per_call(self, symbol: str, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if symbol in tf_api.V1_INITIALIZERS:
            initializer, reason = _native_initializer(symbol, updated)
            if initializer is not None:
                return initializer
        else:
            native = self._native_call(symbol, original, list(updated.args))
            if native is not None:
                return cst.parse_expression(native).with_changes(lpar=updated.lpar, rpar=updated.rpar)
            reason = tf_api.compat_reason(symbol)
        compat = tf_api.compat_name(symbol)
        self.report(original, f"`{symbol}` kept as `{compat}`: {reason}")
        if not isinstance(original.func, cst.Attribute):
            return updated
        return updated.with_changes(func=_expression(self.names.spell(compat)))

    def _native_call(self, symbol: str, original: cst.Call, args: list[cst.Arg]) -> str | None:
        """Source of the native TF2 call for these arguments, or None."""
        def spell(target: str) -> str:
            return self.names.spell(target, original.func)

        if symbol in tf_api.CASTS:
            bound = _exact_arguments(args, ("x",))
            if bound is not None:
                dtype = self.names.spell(f"tf.{tf_api.CASTS[symbol]}")
                return f"{spell('tf.cast')}({code(bound['x'])}, {dtype}{_name_suffix(bound)})"
        elif symbol in _ASSIGN_METHODS:
            bound = _exact_arguments(args, ("ref", "value"))
            if bound is not None:
                method = _ASSIGN_METHODS[symbol]
                return f"{_parenthesized(bound['ref'])}.{method}({code(bound['value'])}{_name_suffix(bound)})"
        elif symbol == "tf.div":
            bound = _exact_arguments(args, ("x", "y"))
            kinds = {_literal_kind(self.names, bound[k]) for k in ("x", "y")} if bound is not None else set()
            # TF 1's div divided floats exactly and floored integers; a float literal makes
            # the other operand a float too (TF 1 refused to mix), two int literals are ints.
            target = "tf.math.divide" if "float" in kinds else "tf.math.floordiv" if kinds == {"int"} else None
            if bound is not None and target is not None:
                return f"{spell(target)}({code(bound['x'])}, {code(bound['y'])}{_name_suffix(bound)})"
        elif symbol == "tf.where":
            bound = _exact_arguments(args, ("condition",))
            if bound is not None:  # the one-argument form: the indices of true elements, as before
                return f"{spell('tf.where')}({code(bound['condition'])}{_name_suffix(bound)})"
        elif symbol in ("tf.nn.xw_plus_b", "tf.nn.relu_layer"):
            bound = _exact_arguments(args, ("x", "weights", "biases"))
            if bound is not None:
                x, w, b = (code(bound[k]) for k in ("x", "weights", "biases"))
                affine = f"{spell('tf.nn.bias_add')}({self.names.spell('tf.matmul')}({x}, {w}), {b}"
                if symbol == "tf.nn.xw_plus_b":
                    return f"{affine}{_name_suffix(bound)})"
                return f"{spell('tf.nn.relu')}({affine}){_name_suffix(bound)})"
        elif symbol in _MEAN_LOSSES:
            required, elementwise = _MEAN_LOSSES[symbol]
            bound = _exact_arguments(args, required)
            if bound is not None:
                labels, other = bound[required[0]], bound[required[1]]
                if elementwise is None:
                    loss = f"{spell('tf.abs')}({_parenthesized(other)} - {_parenthesized(labels)})"
                elif required[1] == "logits":
                    loss = f"{spell(elementwise)}(labels={code(labels)}, logits={code(other)})"
                else:
                    loss = f"{spell(elementwise)}({code(other)}, {code(labels)})"
                return f"{spell('tf.reduce_mean')}({loss}{_name_suffix(bound)})"
        elif symbol == "tf.batch_gather":
            bound = _exact_arguments(args, ("params", "indices"))
            if bound is not None:
                params, indices = code(bound["params"]), code(bound["indices"])
                return f"{spell('tf.gather')}({params}, {indices}, batch_dims=-1{_name_suffix(bound)})"
        return None

    # -- statements -----------------------------------------------------------------
    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign):
        """``r = tf.while_loop(c, b, [i])``: TF1 returned the lone loop variable, TF2 a list."""
        value = original_node.value
        if (
            self.tf1_code
            and isinstance(value, cst.Call)
            and self.names.symbol(value.func) == "tf.while_loop"
            and len(original_node.targets) == 1
            and isinstance(original_node.targets[0].target, cst.Name)
            and isinstance(updated_node.value, cst.Call)
        ):
            loop_vars = next((a.value for i, a in enumerate(value.args) if a.keyword is None and i == 2), None)
            loop_vars = loop_vars or next((a.value for a in value.args if a.keyword and a.keyword.value == "loop_vars"), None)
            if isinstance(loop_vars, cst.List) and len(loop_vars.elements) == 1:
                return updated_node.with_changes(
                    value=cst.Subscript(updated_node.value, [cst.SubscriptElement(cst.Index(cst.Integer("0")))])
                )
        return updated_node


def _native_initializer(symbol: str, call: cst.Call) -> tuple[cst.Call | None, str]:
    """TF1's initializer call as the TF 2 class of the same name (the same numbers), with
    TF1's defaults written out where TF 2's differ; or None and why not."""
    params, tf1_defaults = tf_api.V1_INITIALIZERS[symbol]
    name = symbol[len("tf."):]
    bound = bind_arguments(call.args, params)
    if bound is None:
        return None, f"its arguments could not be matched to TF 1's {name}({', '.join(params)})"
    seed = bound.get("seed")
    if seed is not None and code(seed.value) != "None":
        return None, (
            f"TF 2's tf.{name} draws from a stateless op when seeded (other numbers than TF 1's seeded op); "
            "unseeded, both draw the same numbers"
        )
    if "dtype" in bound:
        return None, (
            f"TF 2's tf.{name} takes its dtype when called, not when built (tf.get_variable passes the "
            "variable's dtype to it: give dtype= to tf.get_variable instead)"
        )
    if "verify_shape" in bound:
        return None, "TF 2's tf.constant_initializer takes no verify_shape"
    if symbol == "tf.constant_initializer" and (set(bound) != {"value"} or not _float_literal(bound["value"].value)):
        return None, (
            "TF 2's tf.constant_initializer called without a dtype gives the value's own dtype (TF 1's gave "
            "float32), so only a float value such as 0.1 keeps its meaning"
        )
    missing = [kwarg(param, default) for param, default in tf1_defaults if param not in bound]
    return (with_args(call, [*call.args, *missing]) if missing else call), ""


def _float_literal(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        expr = expr.expression
    return isinstance(expr, cst.Float)


def _estimator_message(symbol: str) -> str:
    return (
        f"`{symbol}`: tf.estimator was removed in TF 2.16 (tf.compat.v1 has none either); "
        "this module will not run on TF 2.21 until it is rewritten with Keras"
    )


def _exact_arguments(args: list[cst.Arg], required: tuple[str, ...]) -> dict[str, cst.BaseExpression] | None:
    """The call's arguments by parameter name, when they are exactly ``required``
    (positionally or by keyword) and perhaps ``name`` (by keyword); else None."""
    bound = bind_arguments(args, required, keyword_only=("name",))
    if bound is None or not all(name in bound for name in required):
        return None
    return {name: arg.value for name, arg in bound.items()}


def _literal_kind(names: ImportResolver, expr: cst.BaseExpression) -> str | None:
    """"float" / "int" for a number literal (negative, or in a plain tf.constant), else None."""
    if isinstance(expr, cst.Call) and names.symbol(expr.func) == "tf.constant" and len(expr.args) == 1:
        if expr.args[0].keyword is None and not expr.args[0].star:
            expr = expr.args[0].value
    value = literal_value(expr)
    return "float" if type(value) is float else "int" if type(value) is int else None


def _name_suffix(bound: dict[str, cst.BaseExpression]) -> str:
    return f", name={code(bound['name'])}" if "name" in bound else ""


def _dotted(expr: cst.BaseExpression) -> str | None:
    from codemods.analysis.names import dotted_name

    return dotted_name(expr)


def _plain_tensorflow_import(stmt: cst.CSTNode) -> cst.CSTNode:
    """``import tensorflow.compat.v1 as tf`` / ``from tensorflow.compat import v1 as tf``
    -> ``import tensorflow as tf``."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return stmt
    small = stmt.body[0]
    if isinstance(small, cst.Import):
        names = [
            a.with_changes(name=cst.Name("tensorflow")) if a.evaluated_name == "tensorflow.compat.v1" and a.asname else a
            for a in small.names
        ]
        return stmt.with_changes(body=[small.with_changes(names=names)])
    if (
        isinstance(small, cst.ImportFrom)
        and small.module is not None
        and _dotted(small.module) == "tensorflow.compat"
        and not isinstance(small.names, cst.ImportStar)
        and len(small.names) == 1
        and small.names[0].evaluated_name == "v1"
    ):
        local = small.names[0].evaluated_alias or "v1"
        return stmt.with_changes(body=[cst.parse_statement(f"import tensorflow as {local}\n").body[0]])
    return stmt


def _fix_commas(args: list[cst.Arg], original_last: cst.Arg | None = None) -> list[cst.Arg]:
    """Commas between arguments; none after a new last argument."""
    if not args:
        return args
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    fixed = [a.with_changes(comma=comma) if a.comma is cst.MaybeSentinel.DEFAULT else a for a in args[:-1]]
    last = args[-1]
    if original_last is not None and last is not original_last and last.value is not original_last.value:
        last = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return [*fixed, last]

