"""T104: ``y = tf.Print(x, data, message)`` statements -> ``tf.print(message, *data)``.

TF 1's ``tf.Print`` was an identity op that printed ``data`` when its output was
computed; TF 2's ``tf.print`` prints when it runs and returns nothing useful. A
statement ``y = tf.Print(x, [a, b], "msg")`` becomes ``tf.print("msg", a, b)`` followed
by ``y = x`` (dropped when ``y`` is ``x``); a bare ``tf.Print(...)`` statement becomes the
``tf.print`` call. Both print to standard error, as before (the layout of the printed
tensors differs slightly). ``tf.Print`` nested inside a larger expression, or with
``first_n`` (no TF 2 counterpart), is left to T101, which keeps it on ``tf.compat.v1``
and reports it. Runs before T101.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis import tf_api
from codemods.analysis.cst_tools import bind_arguments, code
from codemods.base import Example, Rule

_PARAMETERS = ("input_", "data", "message", "first_n", "summarize", "name")


class TFPrint(Rule):
    code = "T104"
    details = __doc__.split("\n\n", 1)[1].strip()
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                def loss_fn(logits, labels):
                    logits = tf.Print(logits, [tf.shape(logits), logits], "logits: ", summarize=10)
                    loss = tf.Print(tf.reduce_mean(logits - labels), [labels], message="labels")
                    return loss
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                def loss_fn(logits, labels):
                    tf.print("logits: ", tf.shape(logits), logits, summarize=10)
                    tf.print("labels", labels)
                    loss = tf.reduce_mean(logits - labels)
                    return loss
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                y = tf.reduce_sum(tf.Print(x, [x]))
                z = tf.Print(x, [x], first_n=3)
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        names = tf_api.api_names(self.context.scratch, self.resolver)
        if names is None:
            return tree
        self.names = names
        # Only a statement calling tf.Print changes: one that names something from tensorflow.
        self.skip_statements_without("tensorflow")
        return self.transformed(tree)

    def _print_parts(self, call: cst.CSTNode):
        """(input, tf.print call text) of a convertible ``tf.Print`` call, else None."""
        if not isinstance(call, cst.Call) or self.names.symbol(call.func) != "tf.Print":
            return None
        bound = bind_arguments(call.args, _PARAMETERS)
        if bound is None:
            return None
        values = {name: arg.value for name, arg in bound.items()}
        if "input_" not in values or "data" not in values or "first_n" in values:
            return None
        data = values["data"]
        if isinstance(data, (cst.List, cst.Tuple)) and not any(isinstance(e, cst.StarredElement) for e in data.elements):
            printed = [code(e.value) for e in data.elements]
        else:
            printed = [f"*{code(data)}"]
        if "message" in values and not (isinstance(values["message"], cst.Name) and values["message"].value == "None"):
            printed.insert(0, code(values["message"]))
        if "summarize" in values:
            printed.append(f"summarize={code(values['summarize'])}")
        text = f"{self.names.spell('tf.print', call.func)}({', '.join(printed)})"
        return values["input_"], text

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if len(original_node.body) != 1:
            return updated_node
        small = original_node.body[0]
        if isinstance(small, cst.Expr):
            parts = self._print_parts(small.value)
            if parts is None:
                return updated_node
            self.report(original_node, "`tf.Print(...)` -> `tf.print(...)`", kind="converted")
            new = cst.parse_statement(parts[1] + "\n")
            return new.with_changes(leading_lines=updated_node.leading_lines,
                                    trailing_whitespace=updated_node.trailing_whitespace)
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            return updated_node
        parts = self._print_parts(small.value)
        if parts is None:
            return updated_node
        input_, text = parts
        self.report(original_node, "`y = tf.Print(x, ...)` -> `tf.print(...)` and `y = x`", kind="converted")
        printed = cst.parse_statement(text + "\n").with_changes(leading_lines=updated_node.leading_lines)
        target = updated_node.body[0].targets[0].target
        if code(target) == code(input_) and isinstance(target, cst.Name):
            return printed.with_changes(trailing_whitespace=updated_node.trailing_whitespace)
        assign = updated_node.with_changes(
            body=[updated_node.body[0].with_changes(value=input_)], leading_lines=[]
        )
        return cst.FlattenSentinel([printed, assign])
