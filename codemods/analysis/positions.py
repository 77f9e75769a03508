"""Line and column of a few nodes, without LibCST's PositionProvider.

PositionProvider records a range for every node of the module (measured at about
twice the parse time). Rules report a handful of nodes, so one plain code
generation pass that notes where just those nodes start is enough.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst
from libcst._nodes.internal import CodegenState


class _LocatingState(CodegenState):
    """A code generation state that notes the start of selected nodes."""

    def __init__(self, module: cst.Module, targets: set[int]) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.targets = targets
        self.found: dict[int, tuple[int, int]] = {}
        self._line = 1
        self._col = 0
        self._consumed = 0

    def _advance(self) -> None:
        for token in self.tokens[self._consumed :]:
            newlines = token.count("\n")
            if newlines:
                self._line += newlines
                self._col = len(token) - token.rfind("\n") - 1
            else:
                self._col += len(token)
        self._consumed = len(self.tokens)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets and id(node) not in self.found:
            self._advance()
            # Statements start after their leading blank lines and indentation,
            # which LibCST emits as part of the node: skip to the first code token.
            self.found[id(node)] = (self._line, self._col)


def _leading_offset(module: cst.Module, node: cst.CSTNode) -> tuple[int, int]:
    """How many lines and columns of a node's own text precede its first token."""
    text = module.code_for_node(node)
    stripped = text.lstrip(" \t\r\n\f")
    skipped = text[: len(text) - len(stripped)]
    # Comments in leading lines also belong to the node's leading whitespace.
    while stripped.startswith("#"):
        end = stripped.find("\n")
        if end < 0:
            break
        rest = stripped[end + 1 :].lstrip(" \t\r\n\f")
        skipped = text[: len(text) - len(rest)]
        stripped = rest
    lines = skipped.count("\n")
    col = len(skipped) - skipped.rfind("\n") - 1 if lines else len(skipped)
    return lines, col


def locate(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, tuple[int, int]]:
    """Map ``id(node)`` to its 1-based line and 0-based column in ``module``."""
    wanted = {id(n): n for n in nodes}
    if not wanted:
        return {}
    state = _LocatingState(module, set(wanted))
    module._codegen(state)
    result: dict[int, tuple[int, int]] = {}
    for key, (line, col) in state.found.items():
        extra_lines, extra_col = _leading_offset(module, wanted[key])
        if extra_lines:
            result[key] = (line + extra_lines, extra_col)
        else:
            result[key] = (line, col + extra_col)
    return result
