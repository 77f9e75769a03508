"""What every migrator rule is: a LibCST codemod with a code, a slug, and examples.

Rules are ``VisitorBasedCodemodCommand`` subclasses, so they also run under
``python -m libcst.tool codemod``. migrator's engine calls ``run`` instead, which skips
LibCST's defensive deep copy of the tree (rules never mutate their input).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

from codemods.analysis.evidence import Evidence, evidence_for, remember_input, shadowed_import
from codemods.analysis.names import ImportResolver, resolver_for
from codemods.analysis.positions import locate

_SHADOW_REPORTED = "codemods.base.shadow_reported"


@dataclass(frozen=True)
class Example:
    """A rule's example: ``after`` is None when the rule must leave ``before`` alone."""

    before: str
    after: str | None = None


@dataclass(frozen=True)
class Finding:
    """Something a rule wants the user to know about one place in the file."""

    rule: str
    line: int
    col: int
    message: str
    # "converted": a rewrite the user should review (e.g. a changed default);
    # "declined": left as it was, with the reason.
    kind: str = "declined"


class Rule(VisitorBasedCodemodCommand):
    code: ClassVar[str]
    slug: ClassVar[str]
    summary: ClassVar[str]
    # The rule only runs on files whose text contains one of these strings (a tuple of
    # strings: all of them) and every string of `requires`.
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
        super().__init__(context)
        self.tree: cst.Module | None = None
        self._reports: list[tuple[cst.CSTNode, str, str]] = []
        self._file_reports: list[tuple[str, str]] = []

    @classmethod
    def applies_to(cls, data: bytes) -> bool:
        """A cheap text test: could the rule change this file at all?"""
        if not all(word.encode() in data for word in cls.requires):
            return False
        return any(
            all(word.encode() in data for word in ((trigger,) if isinstance(trigger, str) else trigger))
            for trigger in cls.triggers
        )

    # -- running -----------------------------------------------------------------
    def run(self, module: cst.Module) -> cst.Module:
        """Apply the rule to ``module`` and return the new tree."""
        return self.transform_module_impl(module)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        self.tree = tree
        remember_input(self.resolver, self.context.scratch)
        shadowed = shadowed_import(self.resolver, self.context.filename)
        if shadowed is not None:
            # `import tensorflow` there imports the sibling tensorflow.py, not the library.
            if not self.context.scratch.get(_SHADOW_REPORTED):
                self.context.scratch[_SHADOW_REPORTED] = True
                self.report_file(
                    f"`{shadowed}` here is the local module next to this file ({shadowed}.py or {shadowed}/), "
                    "not the library: file left alone"
                )
            return tree
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

    @property
    def evidence(self) -> Evidence:
        """Which worlds (TF 1/2, Keras 2/3) the file was judged to live in, and why."""
        assert self.tree is not None, "evidence used before the rule ran"
        return evidence_for(self.tree, self.context.scratch, self.context.filename)

    def qualified_name(self, expr: cst.BaseExpression) -> str | None:
        return self.resolver.qualified_name(expr)

    # -- reporting ---------------------------------------------------------------
    def report(self, node: cst.CSTNode, message: str, kind: str = "declined") -> None:
        """Note ``message`` at ``node``, a node of the tree this rule received."""
        self._reports.append((node, message, kind))
        self.context.warnings.append(f"{self.code} {message}")

    def report_file(self, message: str, kind: str = "declined") -> None:
        """Note ``message`` about the whole file (reported at line 1)."""
        self._file_reports.append((message, kind))
        self.context.warnings.append(f"{self.code} {message}")

    def findings(self) -> list[Finding]:
        """The reports of the last run, positioned in the tree the rule received."""
        result = [Finding(self.code, 1, 0, message, kind) for message, kind in self._file_reports]
        if not self._reports or self.tree is None:
            return result
        where = locate(self.tree, (node for node, _, _ in self._reports))
        for node, message, kind in self._reports:
            line, col = where.get(id(node), (0, 0))
            result.append(Finding(self.code, line, col, message, kind))
        return result
