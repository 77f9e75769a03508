"""names.walk and names.transform do what LibCST's visit does, node for node."""

import libcst as cst

from codemods.analysis.names import _TRIVIA, FastVisitor, transform, walk

SOURCE = '''\
from a import (b, c as d)
from e import *
import f.g as h

@deco(1)
async def fn(x: int, *args, y=2, **kw) -> "T":
    """Doc."""
    global z
    for i, j in enumerate(x[1:2, ::3]):
        if i and not j or i is not None:
            continue
        elif i:
            pass
        else:
            break
    while x: x -= 1
    with open(f"{x!r:>{y}}") as q, other():
        yield from q
    try:
        z = [k async for k in args if k] + {m: n for m, n in kw.items()}
    except (ValueError, TypeError) as exc:
        raise RuntimeError("x") from exc
    finally:
        del z
    return lambda v, *w: (v, *w)

class C(Base, metaclass=M):
    attr: int = 3
    def method(self): return self.attr @ self.attr
print(1 if x else 2, sep='')  # comment
'''


class _Events(FastVisitor):
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return not isinstance(node, cst.Lambda)  # a subtree skipped

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


class _EventsWithTrivia(_Events):
    visits_trivia = True


def test_walk_visits_like_libcst():
    module = cst.parse_module(SOURCE)
    ours, libcst = _EventsWithTrivia(), _Events()
    walk(module, ours)
    module.visit(libcst)
    assert ours.events == libcst.events
    assert len(ours.events) > 400


def test_walk_skips_trivia_unless_asked():
    """Whitespace, comments and punctuation are left out, everything else is visited as LibCST does."""
    module = cst.parse_module(SOURCE)
    nodes: dict[int, cst.CSTNode] = {}

    class _All(_Events):
        visits_trivia = True

        def on_visit(self, node: cst.CSTNode) -> bool:
            nodes[id(node)] = node
            return super().on_visit(node)

    everything, ours = _All(), _Events()
    walk(module, everything)
    walk(module, ours)
    assert ours.events == [event for event in everything.events if not isinstance(nodes[event[1]], _TRIVIA)]
    assert any(isinstance(node, cst.Comment) for node in nodes.values())


class _Rewrite(cst.CSTTransformer):
    """Renames, removes and flattens, as rules do."""

    def __init__(self) -> None:
        self.left: list[str] = []

    def leave_Name(self, original_node, updated_node):
        self.left.append(updated_node.value)
        return updated_node.with_changes(value="renamed") if updated_node.value == "x" else updated_node

    def leave_Pass(self, original_node, updated_node):
        return cst.RemoveFromParent()  # the `elif` body is left empty: LibCST keeps a `pass`

    def leave_Continue(self, original_node, updated_node):
        return cst.FlattenSentinel([cst.Expr(cst.Name("one")), cst.Expr(cst.Name("two"))])

    def leave_Arg(self, original_node, updated_node):
        return cst.RemoveFromParent() if updated_node.keyword is not None else updated_node

    def leave_Decorator(self, original_node, updated_node):
        return cst.RemoveFromParent()


def test_transform_gives_libcst_result():
    module = cst.parse_module(SOURCE)
    ours, libcst = _Rewrite(), _Rewrite()
    new = transform(module, ours)
    expected = module.visit(libcst)
    assert new.code == expected.code
    assert ours.left == libcst.left
    assert "renamed" in new.code and "two" in new.code and "@deco" not in new.code


def test_transform_keeps_untouched_nodes():
    module = cst.parse_module(SOURCE)
    new = transform(module, _Rewrite())
    assert new is not module
    assert new.body[0] is module.body[0]  # the first import names no `x`: passed on as it is
    assert transform(module, cst.CSTTransformer()) is module
