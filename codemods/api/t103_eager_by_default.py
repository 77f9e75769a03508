"""T103: calls that only switched TF 1 between graph and eager modes go away.

``tf.enable_eager_execution()``, ``tf.enable_v2_behavior()`` and friends ask TF 1 for
what TF 2 does by default. ``tf.reset_default_graph()`` clears a graph that eager TF 2
code does not build; it stays (and T101 keeps it on ``tf.compat.v1``) in a module that
still uses something graph-only: placeholders, sessions, variable scopes... In a module
on ``import tensorflow.compat.v1 as tf`` (what tf_upgrade_v2 leaves) that migrator moves
to plain ``tensorflow``, ``tf.disable_v2_behavior()`` goes too, under the same
condition. Comments and blank lines above a removed call stay where they were. Runs
before T101.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis import tf_api
from codemods.analysis.names import FastVisitor, walk
from codemods.base import Example, Rule


class EagerByDefault(Rule):
    code = "T103"
    details = (
        "Removes statements that only call tf.enable_eager_execution, tf.enable_v2_behavior, "
        "tf.enable_resource_variables, tf.enable_v2_tensorshape or tf.enable_control_flow_v2 (each "
        "reported); tf.reset_default_graph only in modules that use nothing graph-only (placeholders, "
        "sessions, variable scopes, ...), and tf.disable_v2_behavior / tf.disable_eager_execution only "
        "in such modules written against tensorflow.compat.v1; a module the graph conversion kept on the compat.v1 fallback is "
        "left alone."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                # TF 1.x needs eager mode switched on first.
                tf.enable_eager_execution()

                x = tf.constant([1.0, 2.0])
                tf.reset_default_graph()
                print(x.numpy())
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf

                # TF 1.x needs eager mode switched on first.

                x = tf.constant([1.0, 2.0])
                print(x.numpy())
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow.compat.v1 as tf

                tf.disable_v2_behavior()
                x = tf.placeholder(tf.float32, [None])
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        names = tf_api.api_names(self.context.scratch, self.resolver)
        if names is None:
            return tree
        self.names = names
        self.removable = set(tf_api.ENABLING_CALLS)
        if self._graph_only_symbol(tree) is None:
            self.removable |= tf_api.GRAPH_RESET_CALLS
            if self.names.compat_module:
                self.removable |= tf_api.DISABLING_CALLS
        # Keyed by id, holding the node so that its id cannot be reused by a new node.
        self._dropped: dict[int, cst.SimpleStatementLine] = {}
        return self.transformed(tree)

    def _graph_only_symbol(self, tree: cst.Module) -> str | None:
        """A TF1 symbol of the module that only TF 1's graph mode has, if any."""
        names = self.names
        found: list[str] = []

        class _Scan(FastVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> bool:
                symbol = names.symbol(node)
                if symbol is None:
                    return True
                if (
                    symbol not in tf_api.DISABLING_CALLS
                    and symbol not in tf_api.GRAPH_ERA_CALLS
                    and not symbol.startswith(("tf.keras", "tf.logging", "tf.app", "tf.flags"))
                    and tf_api.native_target(symbol) is None
                    and symbol not in tf_api.GRAPH_ERA_CALLS
                    and symbol not in tf_api.CASTS
                    and symbol not in tf_api.SEMANTIC_COMPAT
                    and tf_api.compat_rename(symbol) is not None
                ):
                    found.append(symbol)
                return False

        walk(tree, _Scan())
        return found[0] if found else None

    def _removed_call(self, small: cst.BaseSmallStatement) -> str | None:
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            symbol = self.names.symbol(small.value.func)
            if symbol in self.removable:
                return symbol
        return None

    def leave_SimpleStatementLine(self, original_node, updated_node):
        kept = []
        # Names resolve on the original nodes (the resolver knows those).
        for original, small in zip(original_node.body, updated_node.body):
            symbol = self._removed_call(original)
            if symbol is None:
                kept.append(small)
            else:
                why = "TF 2 runs eagerly" if symbol in tf_api.ENABLING_CALLS else "the module uses nothing graph-only"
                self.report(original_node, f"`{symbol}()` removed: {why}", kind="converted")
        if len(kept) == len(updated_node.body):
            return updated_node
        if not kept:
            self._dropped[id(updated_node)] = updated_node
            return updated_node
        kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(body=kept)

    def _drop(self, body, footer):
        """The body without dropped statements; their leading comments move down."""
        new_body = []
        carry: list[cst.EmptyLine] = []
        for stmt in body:
            if id(stmt) in self._dropped:
                carry.extend(stmt.leading_lines)
                continue
            if carry:
                stmt = stmt.with_changes(leading_lines=_merge(carry, list(stmt.leading_lines)))
                carry = []
            new_body.append(stmt)
        return new_body, _merge(carry, list(footer)) if carry else footer

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock):
        if not any(id(s) in self._dropped for s in updated_node.body):
            return updated_node
        body, footer = self._drop(updated_node.body, updated_node.footer)
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()], leading_lines=footer)]
            footer = []
        return updated_node.with_changes(body=body, footer=footer)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module):
        if not any(id(s) in self._dropped for s in updated_node.body):
            return updated_node
        body, footer = self._drop(updated_node.body, updated_node.footer)
        return updated_node.with_changes(body=body, footer=footer)


def _merge(carried: list[cst.EmptyLine], own: list[cst.EmptyLine]) -> list[cst.EmptyLine]:
    """Leading lines of a statement after the one above it was removed: the removed
    statement's comments are kept; its blank lines only where the statement had none."""
    if all(line.comment is None for line in carried):
        return own if own else carried
    return carried + own
