"""T101: TF1 API names and signatures -> their native TF2 forms.

Driven by TensorFlow's own `tf_upgrade_v2` tables (renames, keyword renames, argument
reorders), but preferring the native TF2 spelling: `tf.compat.v1` is used only where
TF2 has no equivalent, and each such use is reported. Runs after the graph conversion,
on what it left; modules kept on the `tensorflow.compat.v1` fallback are not touched
(their names resolve to `tensorflow.compat.v1.*`).
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.base import Example, Rule
from migrator.analysis import tf_api
from migrator.analysis.graph import expression_of

_ATOMIC = (cst.Name, cst.Attribute, cst.Integer, cst.Float, cst.Call, cst.Subscript)


class TF2Api(Rule):
    code = "T101"
    slug = "tf2-api"
    summary = "Renamed, moved and re-signatured TF1 functions get their native TF2 names and arguments."
    triggers = ("tensorflow",)
    details = (
        "Uses tf_upgrade_v2's tables (snapshot in migrator/data/tf_upgrade_v2.json) and prefers the "
        "native TF2 name; tf.compat.v1 only where TF2 has none, reported. Also: keep_dims/"
        "reduction_indices/dim -> keepdims/axis, positional arguments whose order changed become "
        "keywords, tf.to_float(x) -> tf.cast(x, tf.float32), tf.nn.dropout(x, keep_prob) -> "
        "rate=1 - keep_prob, v1 softmax_cross_entropy_with_logits keeps its labels out of the "
        "gradient with tf.stop_gradient, tf.app.flags/tf.logging/tf.app.run -> absl, and graph-era "
        "calls (tf.enable_eager_execution, tf.reset_default_graph) are dropped."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                w = tf.Variable(tf.random_normal([3, 2]))
                s = tf.reduce_sum(tf.log(tf.abs(w) + 1), reduction_indices=1, keep_dims=True)
                h = tf.nn.dropout(tf.to_float(s), 0.8)
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                w = tf.Variable(tf.random.normal([3, 2]))
                s = tf.reduce_sum(tf.math.log(tf.abs(w) + 1), axis=1, keepdims=True)
                h = tf.nn.dropout(tf.cast(s, tf.float32), rate=1 - 0.8)
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
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if self.context.scratch.get("graph.fallback"):
            return tree  # kept on tf.compat.v1 on purpose by the graph conversion
        self.alias = self.resolver.alias_for("tensorflow")
        # `import tensorflow.compat.v1 as tf` (what tf_upgrade_v2 leaves behind): its names
        # are TF1 names; the module comes out importing tensorflow plainly.
        self.compat_module = self.alias is None and self.resolver.alias_for("tensorflow.compat.v1") is not None
        if self.compat_module:
            self.alias = self.resolver.alias_for("tensorflow.compat.v1")
        if self.alias is None:
            return tree
        self.absl_needed: set[str] = set()
        # Positional-argument rewrites (keep_prob, reordered parameters) would change the
        # meaning of code that is already TF2: they apply only to code that shows TF1.
        self.tf1_code = (
            self.compat_module or bool(self.context.scratch.get("graph.converted")) or self._shows_tf1(tree)
        )
        new = tree.visit(self)
        if self.compat_module:
            new = new.with_changes(body=[_plain_tensorflow_import(stmt) for stmt in new.body])
        if self.absl_needed:
            new = _add_imports(new, [f"import {m}" for m in sorted(self.absl_needed)])
        return new

    def _shows_tf1(self, tree: cst.Module) -> bool:
        renames = tf_api.tables()["symbol_renames"]
        found = False

        rule = self

        class _Evidence(cst.CSTVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> bool:
                nonlocal found
                symbol = rule._tf1(node)
                if symbol is not None and symbol in renames and not symbol.startswith("tf.keras."):
                    found = True
                return not found

        tree.visit(_Evidence())
        return found

    # -- symbol names ---------------------------------------------------------------
    def _tf1(self, expr: cst.BaseExpression) -> str | None:
        name = self.qualified_name(expr)
        if name is None or not name.startswith("tensorflow."):
            return None
        if name.startswith("tensorflow.compat.v1."):
            # In a compat.v1 module `tf.X` is TF1's X; elsewhere it is already explicit.
            return "tf." + name[len("tensorflow.compat.v1.") :] if self.compat_module else None
        if name.startswith("tensorflow.compat."):
            return None
        return "tf." + name[len("tensorflow.") :]

    def _spell(self, symbol: str) -> cst.BaseExpression:
        """``tf.math.log`` in this module's spelling of tensorflow."""
        return cst.parse_expression(self.alias + symbol[len("tf") :] if symbol.startswith("tf.") else symbol)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        symbol = self._tf1(original_node)
        if symbol is None or symbol.startswith("tf.keras."):
            return updated_node  # tf.keras is Keras 3 in TF 2.21: the Keras rules own it
        for old, new in tf_api.ABSL_MODULES.items():
            if symbol == old or symbol.startswith(old + "."):
                self.absl_needed.add(new)
                return cst.parse_expression(new + symbol[len(old) :])
        if symbol == "tf.app.run":
            self.absl_needed.add("absl.app")
            return cst.parse_expression("absl.app.run")
        if symbol in tf_api.GRAPH_ERA_CALLS:
            return updated_node  # the statement goes (leave_SimpleStatementLine)
        native = tf_api.native_rename(symbol)
        if native is not None:
            return self._spell(native)
        compat = tf_api.compat_rename(symbol)
        if compat is not None and symbol not in tf_api.CASTS:
            self.report(original_node, f"`{symbol}` has no native TF 2 equivalent; kept as `{compat}`")
            return self._spell(compat)
        if tf_api.removed(symbol) or symbol.startswith(("tf.contrib.", "tf.layers.")):
            self.report(original_node, f"`{symbol}` was removed from TF 2 and has no automatic replacement")
            return updated_node
        return updated_node

    # -- calls ----------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        symbol = self._tf1(original_node.func)
        if symbol is None:
            return updated_node
        if symbol in tf_api.CASTS and len(updated_node.args) == 1 and updated_node.args[0].keyword is None:
            dtype = self._spell(f"tf.{tf_api.CASTS[symbol]}")
            return cst.Call(self._spell("tf.cast"), [updated_node.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT), cst.Arg(dtype)])
        if symbol == "tf.app.run":
            return self._app_run(updated_node)
        args = list(updated_node.args)
        if self.tf1_code:
            args = self._reordered(symbol, args)
        args = self._renamed_keywords(symbol, args)
        if symbol == "tf.nn.dropout" and self.tf1_code:
            args = self._dropout(args)
        elif symbol == "tf.nn.softmax_cross_entropy_with_logits" and self.tf1_code:
            args = self._labels_out_of_gradient(args)
        return updated_node.with_changes(args=_fix_commas(args, updated_node.args[-1] if updated_node.args else None))

    def _reordered(self, symbol: str, args: list[cst.Arg]) -> list[cst.Arg]:
        names = tf_api.reorder(symbol)
        if not names:
            return args
        result = []
        for position, arg in enumerate(args):
            if arg.keyword is None and not arg.star and position < len(names) and names[position]:
                arg = arg.with_changes(keyword=cst.Name(names[position]), equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
            result.append(arg)
        return result

    def _renamed_keywords(self, symbol: str, args: list[cst.Arg]) -> list[cst.Arg]:
        renames = tf_api.keyword_renames(symbol)
        if not renames:
            return args
        result = []
        for arg in args:
            if arg.keyword is not None and arg.keyword.value in renames:
                new = renames[arg.keyword.value]
                if new is None:
                    continue
                arg = arg.with_changes(keyword=cst.Name(new))
            result.append(arg)
        return result

    def _dropout(self, args: list[cst.Arg]) -> list[cst.Arg]:
        """``keep_prob`` -> ``rate=1 - keep_prob`` (the second positional or the keyword)."""
        if any(a.keyword is not None and a.keyword.value == "rate" for a in args):
            return args
        result = []
        for position, arg in enumerate(args):
            is_keep = (arg.keyword is not None and arg.keyword.value == "keep_prob") or (
                arg.keyword is None and position == 1
            )
            if is_keep:
                value = arg.value
                text = cst.Module([]).code_for_node(value)
                if not isinstance(value, _ATOMIC):
                    text = f"({text})"
                arg = cst.Arg(cst.parse_expression(f"1 - {text}"), keyword=cst.Name("rate"), equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
            result.append(arg)
        return result

    def _labels_out_of_gradient(self, args: list[cst.Arg]) -> list[cst.Arg]:
        """TF1's v1 op did not backpropagate into labels; TF2's does."""
        result = []
        for arg in args:
            already = isinstance(arg.value, cst.Call) and cst.Module([]).code_for_node(arg.value.func).endswith(
                "stop_gradient"
            )
            if arg.keyword is not None and arg.keyword.value == "labels" and not already:
                arg = arg.with_changes(value=cst.Call(self._spell("tf.stop_gradient"), [cst.Arg(arg.value)]))
            result.append(arg)
        return result

    def _app_run(self, call: cst.Call) -> cst.Call:
        """``tf.app.run(main=main)`` -> ``absl.app.run(main)``."""
        args = []
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "main":
                arg = arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
            args.append(arg)
        return call.with_changes(args=_fix_commas(args))

    # -- statements -----------------------------------------------------------------
    def leave_SimpleStatementLine(self, original_node, updated_node):
        expr = expression_of(original_node)
        if isinstance(expr, cst.Call) and self._tf1(expr.func) in tf_api.GRAPH_ERA_CALLS:
            self.report(original_node, f"`{self._tf1(expr.func)}()` removed: TF 2 runs eagerly", kind="converted")
            return cst.RemovalSentinel.REMOVE
        return updated_node

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign):
        """``r = tf.while_loop(c, b, [i])``: TF1 returned the lone loop variable, TF2 a list."""
        value = original_node.value
        if (
            isinstance(value, cst.Call)
            and self._tf1(value.func) == "tf.while_loop"
            and len(original_node.targets) == 1
            and isinstance(original_node.targets[0].target, cst.Name)
        ):
            loop_vars = next((a.value for i, a in enumerate(value.args) if a.keyword is None and i == 2), None)
            loop_vars = loop_vars or next((a.value for a in value.args if a.keyword and a.keyword.value == "loop_vars"), None)
            if isinstance(loop_vars, cst.List) and len(loop_vars.elements) == 1:
                return updated_node.with_changes(
                    value=cst.Subscript(updated_node.value, [cst.SubscriptElement(cst.Index(cst.Integer("0")))])
                )
        return updated_node


def _plain_tensorflow_import(stmt: cst.CSTNode) -> cst.CSTNode:
    """``import tensorflow.compat.v1 as tf`` -> ``import tensorflow as tf``."""
    if not isinstance(stmt, cst.SimpleStatementLine) or not isinstance(stmt.body[0], cst.Import):
        return stmt
    names = [
        a.with_changes(name=cst.Name("tensorflow")) if a.evaluated_name == "tensorflow.compat.v1" and a.asname else a
        for a in stmt.body[0].names
    ]
    return stmt.with_changes(body=[stmt.body[0].with_changes(names=names)])


def _fix_commas(args: list[cst.Arg], original_last: cst.Arg | None = None) -> list[cst.Arg]:
    """Commas between arguments; none after a new last argument."""
    if not args:
        return args
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    fixed = [a.with_changes(comma=comma) if a.comma is cst.MaybeSentinel.DEFAULT else a for a in args[:-1]]
    last = args[-1]
    if original_last is not None and last is not original_last:
        last = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return [*fixed, last]


def _add_imports(module: cst.Module, lines: list[str]) -> cst.Module:
    """Insert import statements after the module's existing top-level imports."""
    body = list(module.body)
    existing = {module.code_for_node(s).strip() for s in body if isinstance(s, cst.SimpleStatementLine)}
    new = [cst.parse_statement(line + "\n") for line in lines if line not in existing]
    position = 0
    for index, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            position = index + 1
    body[position:position] = new
    return module.with_changes(body=body)
