"""The interface between G101's pipeline and its features.

A feature (checkpoints, summaries, variable helpers, scoped variable lists, G102's
layer objects) converts one family of TF1 constructs. It keeps its own state on its
instance (one instance per conversion) and acts only through these hooks, which the
pipeline calls in this order, feature by feature in ``FEATURES`` order. Every hook
may raise ``CannotConvert``; the defaults do nothing.

analysis
  ``exempt_calls``      before classification: calls the feature converts (not refused
                        as unsupported graph constructs); may mark statements removed or
                        rewritten (``graph.edits``).
  ``declined_because``  why an unsupported call was left as it was (an earlier rule's
                        reason), for the refusal; None when the feature does not know.
  ``owns_statement``    statements the feature took over: not classified.
  ``classify_call``     ``names = call(...)`` at the graph's level: True when handled.
  ``classify_value``    ``name = value`` not handled as a TF call: True when handled.
  ``var_list``          the code of a ``var_list=`` the feature can read, or None.
  ``variable_function`` a function creating variables, called by the graph: True when
                        the feature converts it (else the module is refused).
  ``unit_added``        after a tensor-defining unit joined the graph.
  ``check``             after classification.
  ``keras_statement``   statements that are Keras code, not graph (not run sites).
sites
  ``claims_run``        a call the feature rewrites itself instead of a planned run
                        (an iterator's initializer run): the expressions in it to check
                        like any other code (its feed values), or None when not claimed.
  ``restored_state``    a call that restores state (``saver.restore``): what it sets.
planning
  ``fed_tensor``        a run feeds ``name``, a tensor ``unit`` computes: the dtype (code)
                        its value is converted to when it becomes the function's
                        parameter, or None when the feature does not convert it.
  ``check_plan``        the planned functions.
emission
  ``replace_statement`` a statement of the graph's block replaced whole.
  ``unit_code``         a unit's node before it is written into a function.
  ``rewrite_call``      a call outside the run sites, rewritten.
  ``rewrite_statement`` a statement rewritten (after its calls).
  ``finish_module``     the converted module, when the graph is built in ``main()``.
"""

from __future__ import annotations

import libcst as cst

from codemods.graph.g101_session_to_function.model import Function, Graph, Restore, Unit


class Feature:
    def exempt_calls(self, graph: Graph) -> set[int]:
        return set()

    def declined_because(self, graph: Graph, call: cst.Call) -> str | None:
        return None

    def owns_statement(self, graph: Graph, index: int) -> bool:
        return False

    def classify_call(self, graph: Graph, index: int, names: list[str], call: cst.Call) -> bool:
        return False

    def classify_value(self, graph: Graph, index: int, name: str, value: cst.BaseExpression) -> bool:
        return False

    def var_list(self, graph: Graph, node: cst.BaseExpression, before: int) -> str | None:
        return None

    def variable_function(self, graph: Graph, fn: cst.FunctionDef) -> bool:
        return False

    def unit_added(self, graph: Graph, unit: Unit) -> None:
        pass

    def check(self, graph: Graph) -> None:
        pass

    def keras_statement(self, graph: Graph, stmt: cst.BaseStatement) -> bool:
        return False

    def claims_run(self, graph: Graph, call: cst.Call, looped: bool) -> list[cst.BaseExpression] | None:
        return None

    def restored_state(self, graph: Graph, call: cst.Call) -> Restore | None:
        return None

    def fed_tensor(self, graph: Graph, unit: Unit, name: str, statement: int) -> str | None:
        return None

    def check_plan(self, graph: Graph, functions: list[Function]) -> None:
        pass

    def replace_statement(self, graph: Graph, stmt: cst.BaseStatement) -> cst.BaseStatement | None:
        return None

    def unit_code(self, graph: Graph, unit: Unit, node: cst.CSTNode) -> cst.CSTNode:
        return node

    def rewrite_call(self, graph: Graph, call: cst.Call) -> cst.BaseExpression | None:
        return None

    def rewrite_statement(
        self, graph: Graph, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel | None:
        return None

    def finish_module(self, graph: Graph, module: cst.Module) -> cst.Module:
        return module
