"""What every migrator rule is: a LibCST codemod with a code, a slug, and examples.

Rules are ``VisitorBasedCodemodCommand`` subclasses, so they also run under
``python -m libcst.tool codemod``. migrator's engine calls ``run`` instead, which skips
LibCST's defensive deep copy of the tree (rules never mutate their input).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import libcst as cst
from libcst.codemod import Codemod, CodemodContext, VisitorBasedCodemodCommand

from codemods import registered, text_gate
from codemods.analysis.evidence import Evidence, evidence_for, remember_input, shadowed_import
from codemods.analysis.names import (
    FastVisitor,
    Hooks,
    ImportResolver,
    is_statement,
    leave_hook,
    resolver_for,
    transform,
    visit_hook,
    walk,
)
from codemods.analysis.positions import locate
from codemods.finding import Finding

_SHADOW_REPORTED = "codemods.base.shadow_reported"
_REGISTERED_FIELDS = ("slug", "summary", "triggers", "requires")


@dataclass(frozen=True)
class Example:
    """A rule's example: ``after`` is None when the rule must leave ``before`` alone."""

    before: str
    after: str | None = None


class Rule(Hooks, VisitorBasedCodemodCommand):
    code: ClassVar[str]
    # A pipeline rule's slug, summary and text gate are written once, in its codemods.RULES
    # entry (the engine reads them there without importing the rule); the class receives
    # them when it is defined. A rule outside the pipeline (a test's) sets them itself.
    slug: ClassVar[str]
    summary: ClassVar[str]
    # The rule only runs on files whose text contains one of these strings (a tuple of
    # strings: all of them) and every string of `requires`.
    triggers: ClassVar[tuple[str | tuple[str, ...], ...]]
    requires: ClassVar[tuple[str, ...]] = ()
    examples: ClassVar[tuple[Example, ...]] = ()
    # Longer documentation for `migrator rules` (caveats, numeric differences).
    details: ClassVar[str] = ""
    # False for a rule that only reports (its examples are all left unchanged).
    changes_code: ClassVar[bool] = True
    # A rule rewriting Keras 2 code into Keras 3 says here what it leaves as it is in a
    # file judged Keras 3 code (codemods.analysis.evidence), which comes out unchanged.
    keras3_keeps: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        spec = registered(cls.code) if "code" in cls.__dict__ else None
        if spec is not None:
            restated = [name for name in _REGISTERED_FIELDS if name in cls.__dict__]
            if restated:
                raise TypeError(f"{cls.code} restates {', '.join(restated)}: write it once, in its codemods.RULES entry")
            cls.slug, cls.summary, cls.triggers, cls.requires = spec.slug, spec.summary, spec.triggers, spec.requires
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
        self._suppressed: dict[int, frozenset[str] | None] = {}
        self._reports: list[tuple[cst.CSTNode, str, str]] = []
        self._file_reports: list[tuple[str, str]] = []

    @classmethod
    def applies_to(cls, data: bytes) -> bool:
        """A cheap text test: could the rule change this file at all?"""
        return text_gate(data, cls.triggers, cls.requires)

    # -- running -----------------------------------------------------------------
    def run(self, module: cst.Module) -> cst.Module:
        """Apply the rule to ``module`` and return the new tree."""
        new = self.transform_module_impl(module)
        if new is not module and self._suppressed:
            return self._keep_suppressed(module, new)
        return new

    def _keep_suppressed(self, module: cst.Module, new: cst.Module) -> cst.Module:
        """Whole-module rewrites (a block turned into a function) cannot skip one
        statement: when one would change a statement whose comment suppresses this
        rule, the rule leaves the file as it was and says so."""
        code = new.code
        for node in suppressed_nodes(self.context.scratch):
            if _silences(self._suppressed.get(id(node), False), self.code) and module.code_for_node(node) not in code:
                self._reports = []
                self.report(node, "file left as it was: its rewrite would change this statement, "
                            "which a suppression comment (# noqa / # migrator: skip) exempts from this rule")
                return module
        return new

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
        self._suppressed = suppressions(tree, self.context.scratch)
        new = self.rewrite(tree)
        return self._unless_keras3(tree, new) if self.keras3_keeps else new

    def rewrite(self, tree: cst.Module) -> cst.Module:
        """Whole-module rules override this; visitor rules keep the default."""
        return self.transformed(tree)

    def transformed(self, node: cst.CSTNode) -> cst.CSTNode:
        """``node.visit(self)``, without rebuilding the nodes the rule leaves alone."""
        return transform(node, self)

    # -- fast dispatch -------------------------------------------------------------
    # LibCST's codemod transformers check matcher decorators at every node, which
    # measured at several times the parse cost on large files. migrator's rules use
    # no matcher decorators, so visits dispatch straight to visit_X / leave_X.
    _relevant_statements: set[int] | None = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        # (Most rules skip nothing: then no statement test at every node.)
        skipping = self._relevant_statements is not None or self._suppressed
        if skipping and is_statement(node) and not self.visits_statement(node):
            return False
        return visit_hook(self, node)

    def visits_statement(self, node: cst.BaseStatement) -> bool:
        """False for a statement the rule skips whole: one that names nothing from the
        package it is about (``skip_statements_without``), or whose suppression comment
        exempts it from this rule."""
        relevant = self._relevant_statements
        if relevant is not None and id(node) not in relevant:
            return False
        return not (self._suppressed and _silences(self._suppressed.get(id(node), False), self.code))

    def on_leave(self, original_node, updated_node):
        hook = leave_hook(self, original_node)
        return updated_node if hook is None else hook(self, original_node, updated_node)

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

    def _unless_keras3(self, tree: cst.Module, new: cst.Module) -> cst.Module:
        """``new``, or ``tree`` as it was when the file was judged Keras 3 code, which
        means what Keras 3 makes of it: the rule's notes are dropped (they are about
        Keras 2 code) and, when it would have changed the file, that is said once."""
        if (new is tree and not self._reports and not self._file_reports) or not self.evidence.keras3:
            return new
        self._reports.clear()
        self._file_reports.clear()
        if not new.deep_equals(tree):
            self.report_file(
                f"judged Keras 3 code ({'; '.join(self.evidence.keras.reasons[:3])}): {self.keras3_keeps}",
                kind="converted",
            )
        return tree

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
        where = locate(self.tree, (node for node, _, _ in self._reports), self.context.scratch)
        for node, message, kind in self._reports:
            line, col = where.get(id(node), (0, 0))
            result.append(Finding(self.code, line, col, message, kind))
        return result


# -- suppression comments --------------------------------------------------------------
# A "migrator: skip" comment and a bare "noqa" one exempt a statement from every rule;
# "noqa" with a colon and codes (T101, G) from the rules named (codes or prefixes); one
# naming only other tools' codes (E501) exempts it from none. A compound statement's comment
# (on its header line) covers its whole body.
_SUPPRESSION = re.compile(r"#\s*(?:migrator:\s*skip\b|noqa\b(?:\s*:\s*(?P<codes>[A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*))?)", re.I)
SCRATCH_HAS_SUPPRESSIONS = "codemods.base.source_has_suppressions"  # set by the engine from the bytes
_CACHE_KEY = "codemods.base.suppressions"


def _codes(comment: str) -> frozenset[str] | None:
    """The rule codes a comment suppresses: None for all, an empty set for none."""
    found = _SUPPRESSION.search(comment)
    if found is None:
        return frozenset()
    if found.group("codes") is None:
        return None
    return frozenset(code.upper() for code in re.split(r"[\s,]+", found.group("codes")) if code)


def _silences(codes: frozenset[str] | None | bool, rule_code: str) -> bool:
    if codes is False:  # not in the map
        return False
    return codes is None or any(rule_code.startswith(code) for code in codes)


class _SuppressionScan(FastVisitor):
    visits_trivia = True  # the comments

    def __init__(self) -> None:
        self.statements: list[cst.BaseStatement] = []
        self.found: dict[int, frozenset[str] | None] = {}
        self.nodes: dict[int, cst.BaseStatement] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.EmptyLine):
            return False  # a comment on a line of its own belongs to no statement
        if isinstance(node, cst.BaseStatement):
            self.statements.append(node)
        elif isinstance(node, cst.Comment) and self.statements:
            codes = _codes(node.value)
            if codes is None or codes:
                key = id(self.statements[-1])
                self.nodes[key] = self.statements[-1]
                previous = self.found.get(key, frozenset())
                self.found[key] = None if codes is None or previous is None else previous | codes
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.BaseStatement):
            self.statements.pop()


def suppressions(tree: cst.Module, scratch: dict) -> dict[int, frozenset[str] | None]:
    """Statement id -> the codes its suppression comment names (None: all rules)."""
    if scratch.get(SCRATCH_HAS_SUPPRESSIONS) is False:
        return {}
    cached = scratch.get(_CACHE_KEY)
    if cached is not None and cached[0] is tree:
        return cached[1]
    scan = _SuppressionScan()
    walk(tree, scan)
    scratch[_CACHE_KEY] = (tree, scan.found, list(scan.nodes.values()))
    return scan.found


def suppressed_nodes(scratch: dict) -> list[cst.BaseStatement]:
    """The statements with a suppression comment in the tree ``suppressions`` saw last."""
    cached = scratch.get(_CACHE_KEY)
    return cached[2] if cached is not None else []
