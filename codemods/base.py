"""What every migrator rule is: a LibCST codemod with a code, a slug, and examples.

Rules are ``VisitorBasedCodemodCommand`` subclasses, so they also run under
``python -m libcst.tool codemod``. migrator's engine calls ``run`` instead, which skips
LibCST's defensive deep copy of the tree (rules never mutate their input).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import libcst as cst
from libcst.codemod import Codemod, CodemodContext, VisitorBasedCodemodCommand

from codemods import text_gate
from codemods.analysis.names import ImportResolver, resolver_for
from codemods.analysis.positions import locate
from codemods.finding import Finding


@dataclass(frozen=True)
class Example:
    """A rule's example: ``after`` is None when the rule must leave ``before`` alone."""

    before: str
    after: str | None = None


class Rule(VisitorBasedCodemodCommand):
    code: ClassVar[str]
    slug: ClassVar[str]
    summary: ClassVar[str]
    # The rule only runs on files whose text contains one of these strings (a tuple of
    # strings: all of them) and every string of `requires`. codemods.RULES holds a copy,
    # so the engine can test it without importing the rule.
    triggers: ClassVar[tuple[str | tuple[str, ...], ...]]
    requires: ClassVar[tuple[str, ...]] = ()
    examples: ClassVar[tuple[Example, ...]] = ()
    # Longer documentation for `migrator rules` (caveats, numeric differences).
    details: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "summary" in cls.__dict__:
            cls.DESCRIPTION = cls.summary

    def __init__(self, context: CodemodContext) -> None:
        # Not super().__init__: LibCST's transformer set-up searches every attribute of
        # the rule for matcher decorators (7 ms a rule, a rule per file), which the fast
        # dispatch below never consults. The state it leaves is set here: no matchers.
        Codemod.__init__(self, context)
        self._matchers = {}
        self._extra_visit_funcs = {}
        self._extra_leave_funcs = {}
        self.tree: cst.Module | None = None
        self._reports: list[tuple[cst.CSTNode, str, str]] = []

    @classmethod
    def applies_to(cls, data: bytes) -> bool:
        """A cheap text test: could the rule change this file at all?"""
        return text_gate(data, cls.triggers, cls.requires)

    # -- running -----------------------------------------------------------------
    def run(self, module: cst.Module) -> cst.Module:
        """Apply the rule to ``module`` and return the new tree."""
        return self.transform_module_impl(module)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        self.tree = tree
        return self.rewrite(tree)

    def rewrite(self, tree: cst.Module) -> cst.Module:
        """Whole-module rules override this; visitor rules keep the default."""
        return tree.visit(self)

    # -- fast dispatch -------------------------------------------------------------
    # LibCST's codemod transformers check matcher decorators at every node, which
    # measured at several times the parse cost on large files. migrator's rules use
    # no matcher decorators, so visits dispatch straight to visit_X / leave_X.
    _relevant_statements: set[int] | None = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        relevant = self._relevant_statements
        if relevant is not None and isinstance(node, cst.BaseStatement) and id(node) not in relevant:
            return False
        method = getattr(self, "visit_" + type(node).__name__, None)
        return method is None or method(node) is not False

    def on_leave(self, original_node, updated_node):
        method = getattr(self, "leave_" + type(original_node).__name__, None)
        return updated_node if method is None else method(original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass

    def skip_statements_without(self, package: str) -> None:
        """From now on, visit only statements that name something imported from
        ``package`` (and import statements): the others have nothing for the rule."""
        self._relevant_statements = self.resolver.statements_using(package)

    # -- shared analysis ---------------------------------------------------------
    @property
    def resolver(self) -> ImportResolver:
        assert self.tree is not None, "resolver used before the rule ran"
        return resolver_for(self.tree, self.context.scratch)

    def qualified_name(self, expr: cst.BaseExpression) -> str | None:
        return self.resolver.qualified_name(expr)

    # -- reporting ---------------------------------------------------------------
    def report(self, node: cst.CSTNode, message: str, kind: str = "declined") -> None:
        """Note ``message`` at ``node``, a node of the tree this rule received."""
        self._reports.append((node, message, kind))
        self.context.warnings.append(f"{self.code} {message}")

    def findings(self) -> list[Finding]:
        """The reports of the last run, positioned in the tree the rule received."""
        if not self._reports or self.tree is None:
            return []
        where = locate(self.tree, (node for node, _, _ in self._reports))
        result = []
        for node, message, kind in self._reports:
            line, col = where.get(id(node), (0, 0))
            result.append(Finding(self.code, line, col, message, kind))
        return result
