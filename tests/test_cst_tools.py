"""The shared CST toolkit (codemods/analysis/cst_tools.py) and the single-assignment values
the import resolver records (codemods/analysis/names.py)."""

from __future__ import annotations

import libcst as cst
import pytest

from codemods.analysis.cst_tools import (
    after_imports,
    bind_arguments,
    bound_names,
    code,
    insert_statements,
    nodes_of,
)
from codemods.analysis.names import ImportResolver


def _call(text: str) -> cst.Call:
    call = cst.parse_expression(text)
    assert isinstance(call, cst.Call)
    return call


@pytest.mark.parametrize(
    ("call", "bound"),
    [
        ("f(1, 2)", {"a": "1", "b": "2"}),
        ("f(1, c=3)", {"a": "1", "c": "3"}),
        ("f(b=2, a=1)", {"b": "2", "a": "1"}),
        ("f(1, name='n')", {"a": "1", "name": "'n'"}),
    ],
)
def test_arguments_bind_by_position_and_keyword(call: str, bound: dict[str, str]) -> None:
    result = bind_arguments(_call(call).args, ("a", "b", "c"), keyword_only=("name",))
    assert result is not None
    assert {name: code(arg.value) for name, arg in result.items()} == bound


@pytest.mark.parametrize(
    "call",
    ["f(*xs)", "f(1, **kw)", "f(1, 2, 3, 4)", "f(1, d=4)", "f(1, a=1)", "f(1, 2, 3, 'n')"],
    ids=["star", "double-star", "too-many", "unknown-keyword", "given-twice", "keyword-only-by-position"],
)
def test_arguments_that_do_not_bind(call: str) -> None:
    assert bind_arguments(_call(call).args, ("a", "b", "c"), keyword_only=("name",)) is None


def _position(source: str, **options) -> int:
    return after_imports(cst.parse_module(source).body, **options)


def test_after_imports_is_after_the_last_import_line() -> None:
    assert _position('"""Doc."""\nimport os\nx = 1\nimport sys\ny = 2\n') == 4


def test_after_imports_without_imports_is_after_the_docstring_or_first() -> None:
    assert _position('"""Doc."""\nx = 1\n') == 1
    assert _position("x = 1\n") == 0


def test_after_imports_counts_only_the_lines_asked_for() -> None:
    def imports_tensorflow(line: cst.SimpleStatementLine) -> bool:
        return "tensorflow" in code(line)

    assert _position("import tensorflow as tf\nimport os\nx = 1\n", counts=imports_tensorflow) == 1
    assert _position('"""Doc."""\nimport os\n', counts=imports_tensorflow) == 1


def test_after_imports_in_the_opening_block_only() -> None:
    source = '"""Doc."""\nimport os\nx = 1\nimport sys\n'
    assert _position(source, opening_only=True) == 2
    assert _position(source) == 4


def test_after_imports_is_before_the_first_read_of_what_is_inserted() -> None:
    source = "import os\nimport sys\nx = legacy.f()\nfrom matplotlib import cm\n"
    assert _position(source, used={"legacy"}) == 2
    assert _position(source, used={"other"}) == 4
    # `a.legacy` and the imports do not read the name.
    assert _position("import os\ny = a.legacy\nimport legacy.sub\n", used={"legacy"}) == 3
    assert _position("x = legacy\nimport os\n", used={"legacy"}) == 0


def test_bound_names_of_inserted_statements() -> None:
    statements = cst.parse_module(
        "import a.b\nimport c as d\nfrom e import f, g as h\nx = y = 1\ndef fn(): pass\nclass K: pass\n"
    ).body
    assert bound_names(statements) == {"a", "d", "f", "h", "x", "y", "fn", "K"}


def test_statements_inserted_at_the_top_stay_below_the_first_statements_comments() -> None:
    module = cst.parse_module("import os\n")
    first = module.body[0].with_changes(leading_lines=[cst.EmptyLine(comment=cst.Comment("# about os"))])
    module = module.with_changes(body=[first])
    new = insert_statements(module, 0, [cst.parse_statement("import sys\n")])
    assert new.code == "# about os\nimport sys\nimport os\n"
    assert insert_statements(module, 1, []) is module


def test_nodes_of_finds_nodes_in_order_and_skips_what_it_is_told() -> None:
    module = cst.parse_module("a(b(1))\ndef f():\n    c()\nclass K:\n    d()\n")
    assert [code(call.func) for call in nodes_of(module, cst.Call)] == ["a", "b", "c", "d"]
    assert [code(call.func) for call in nodes_of(module, cst.Call, skip=(cst.FunctionDef, cst.ClassDef))] == ["a", "b"]
    kinds = nodes_of(module, (cst.FunctionDef, cst.ClassDef))
    assert [type(node).__name__ for node in kinds] == ["FunctionDef", "ClassDef"]


def _value_read_at(source: str, line: int) -> str | None:
    """The assigned value of the last name read on ``line`` (1-based), as code."""
    module = cst.parse_module(source)
    resolver = ImportResolver(module)
    statement = module.body[line - 1]
    names = nodes_of(statement, cst.Name)
    value = resolver.assigned_value(names[-1])
    return None if value is None else code(value)


def test_a_name_assigned_once_has_its_value() -> None:
    assert _value_read_at("n = np.prod(s)\nDense(n)\n", 2) == "np.prod(s)"


@pytest.mark.parametrize(
    "source",
    [
        "n = 1\nn = 2\nDense(n)\n",  # assigned twice
        "n = 1\nn += 1\nDense(n)\n",  # augmented
        "n = m = 1\nDense(n)\n",  # two targets
        "n, m = 1, 2\nDense(n)\n",  # unpacked
        "n = 1\nfor n in range(3): pass\nDense(n)\n",  # a loop target
        "n = 1\nwith f() as n: pass\nDense(n)\n",  # a with target
        "n = 1\nfrom x import n\nDense(n)\n",  # an import
    ],
)
def test_a_name_bound_any_other_way_has_no_value(source: str) -> None:
    assert _value_read_at(source, source.count("\n")) is None


def test_values_follow_the_scopes() -> None:
    source = "n = np.prod(s)\ndef f(n):\n    return Dense(n)\ndef g():\n    return Dense(n)\n"
    module = cst.parse_module(source)
    resolver = ImportResolver(module)
    reads = [name for name in nodes_of(module, cst.Name) if name.value == "n"]
    # the parameter shadows the module's n; g reads the module's
    assert resolver.assigned_value(reads[-2]) is None
    assert code(resolver.assigned_value(reads[-1])) == "np.prod(s)"


def test_a_class_body_value_is_not_seen_from_its_methods() -> None:
    source = "class K:\n    n = np.prod(s)\n    m = Dense(n)\n    def f(self):\n        return Dense(n)\n"
    module = cst.parse_module(source)
    resolver = ImportResolver(module)
    reads = [name for name in nodes_of(module, cst.Name) if name.value == "n"]
    assert code(resolver.assigned_value(reads[1])) == "np.prod(s)"
    assert resolver.assigned_value(reads[2]) is None


def test_replace_keeping_rebuilds_only_the_path_to_the_node() -> None:
    from codemods.analysis.cst_tools import replace_keeping

    stmt = cst.parse_module("for b in x:\n    f(a.b)\n    g(1)\n").body[0]
    call = stmt.body.body[1].body[0].value
    new = replace_keeping(stmt, call, cst.Name("z"))
    assert cst.Module(body=[new]).code == "for b in x:\n    f(a.b)\n    z\n"
    assert new.body.body[0] is stmt.body.body[0] and new.iter is stmt.iter
    assert replace_keeping(stmt, cst.Name("elsewhere"), cst.Name("z")) is stmt
