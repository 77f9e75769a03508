"""Line and column of a few nodes, without LibCST's PositionProvider; a module's code.

PositionProvider records a range for every node of the module (measured at about
twice the parse time). Rules report a handful of nodes, so one plain code
generation pass that notes where just those nodes start is enough.

Within one file's run (``scratch``), each top-level statement is rendered once, noting
where each of its nodes starts: the rules leave most statements of a module as they
were (the same node objects), so later stages and the rules' findings reuse that text
(``render``, ``locate``) instead of generating the whole module again.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import accumulate

import libcst as cst
from libcst._nodes.internal import CodegenState

_STATEMENTS_KEY = "codemods.analysis.positions.statements"


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


def locate(module: cst.Module, nodes: Iterable[cst.CSTNode], scratch: dict | None = None) -> dict[int, tuple[int, int]]:
    """Map ``id(node)`` to its 1-based line and 0-based column in ``module``; with the
    file's ``scratch``, from its statements rendered once (``render``)."""
    wanted = {id(n): n for n in nodes}
    if not wanted:
        return {}
    found = _found_by_statement(module, wanted, scratch) if scratch is not None else None
    if found is None:
        state = _LocatingState(module, set(wanted))
        module._codegen(state)
        found = state.found
    result: dict[int, tuple[int, int]] = {}
    for key, (line, col) in found.items():
        extra_lines, extra_col = _leading_offset(module, wanted[key])
        if extra_lines:
            result[key] = (line + extra_lines, extra_col)
        else:
            result[key] = (line, col + extra_col)
    return result


# -- statements rendered once per file -------------------------------------------------------


class _RecordingState(CodegenState):
    """A code generation state that notes the token where each node starts."""

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.starts: dict[int, int] = {}

    def before_codegen(self, node: cst.CSTNode) -> None:
        starts = self.starts
        if id(node) not in starts:  # the first occurrence, as code generation meets it
            starts[id(node)] = len(self.tokens)


class _Rendered:
    """A top-level statement's code and where its nodes start (the node is kept: the ids
    stay its nodes')."""

    __slots__ = ("node", "text", "starts", "tokens", "offsets", "newlines", "tail")

    def __init__(self, node: cst.CSTNode, state: _RecordingState) -> None:
        self.node = node
        self.tokens: list[str] | None = state.tokens
        self.text = "".join(state.tokens)
        self.starts = state.starts
        self.offsets: list[int] | None = None
        self.newlines = self.text.count("\n")
        # Characters after the last newline (the whole text when it has none).
        self.tail = len(self.text) - self.text.rfind("\n") - 1

    def offset(self, token: int) -> int:
        if self.offsets is None:
            assert self.tokens is not None
            self.offsets = list(accumulate(map(len, self.tokens), initial=0))
            self.tokens = None
        return self.offsets[token]


def _statements(module: cst.Module, scratch: dict) -> list[_Rendered]:
    cache: dict[tuple[int, str, str], _Rendered] = scratch.setdefault(_STATEMENTS_KEY, {})
    indent, newline = module.default_indent, module.default_newline
    rendered = []
    for stmt in module.body:
        key = (id(stmt), indent, newline)
        entry = cache.get(key)
        if entry is None:
            state = _RecordingState(indent, newline)
            stmt._codegen(state)
            entry = cache[key] = _Rendered(stmt, state)
        rendered.append(entry)
    return rendered


def _plain(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> str:
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    for node in nodes:
        node._codegen(state)
    return "".join(state.tokens)


def _renders_by_statement(module: cst.Module) -> bool:
    # A module without a trailing newline drops its last token; an empty one gets a newline.
    return module.has_trailing_newline and bool(module.body)


def render(module: cst.Module, scratch: dict | None = None) -> str:
    """``module.code``; with the file's ``scratch``, from statements rendered once."""
    if scratch is None or not _renders_by_statement(module):
        return module.code
    return "".join([_plain(module, module.header), *(r.text for r in _statements(module, scratch)),
                    _plain(module, module.footer)])


def _found_by_statement(
    module: cst.Module, wanted: dict[int, cst.CSTNode], scratch: dict
) -> dict[int, tuple[int, int]] | None:
    """Where code generation of ``module`` meets each wanted node first, as
    ``_LocatingState`` notes it (before the node's leading lines); None when some node is
    not in a statement of the module's body (then the whole module is generated)."""
    if not _renders_by_statement(module):
        return None
    state = _RecordingState(module.default_indent, module.default_newline)
    for node in module.header:
        node._codegen(state)
    if any(key in state.starts for key in wanted):
        return None
    header = "".join(state.tokens)
    line = 1 + header.count("\n")
    col = len(header) - header.rfind("\n") - 1 if "\n" in header else len(header)
    left = set(wanted)
    found: dict[int, tuple[int, int]] = {}
    for entry in _statements(module, scratch):
        if left:
            hits = [key for key in left if key in entry.starts]
            for key in hits:
                offset = entry.offset(entry.starts[key])
                text = entry.text
                newlines = text.count("\n", 0, offset)
                if newlines:
                    found[key] = (line + newlines, offset - text.rfind("\n", 0, offset) - 1)
                else:
                    found[key] = (line, col + offset)
            left.difference_update(hits)
        if not left:
            return found
        if entry.newlines:
            line += entry.newlines
            col = entry.tail
        else:
            col += entry.tail
    return None
