"""G101 build functions (``build_functions``): the ``tf.Module`` class a build function
becomes (``__init__`` keeping its parameters, ``__call__`` its body taking the
placeholders, variables made once by ``self.variable``)."""

from __future__ import annotations

import libcst as cst

from codemods.analysis.cst_tools import is_docstring
from codemods.analysis.graph import calls_in, names_read, single_assignment
from codemods.analysis.names import FastVisitor
from codemods.graph.g101_session_to_function.build_values import STATIC, BuildFunction, Fed, body_statements, fresh_name
from codemods.graph.g101_session_to_function.model import CannotConvert
from codemods.graph.g101_session_to_function.scope import Sym


def _tensor_names(fn: cst.FunctionDef, fed: list[Fed], sym: Sym, variables: set[str]) -> set[str]:
    """Names of the body that may hold a graph tensor (flow-insensitive): placeholders and
    names assigned from TensorFlow ops or from other tensors read other than through
    their static shape or type."""
    tensors = {f.name for f in fed}
    changed = True
    assignments = [a for s in body_statements(fn) if (a := single_assignment(s)) is not None]
    while changed:
        changed = False
        for names, value in assignments:
            if set(names) <= tensors:
                continue
            if isinstance(value, cst.Call) and id(value) in variables:
                continue
            if _dynamic_reads(value) & tensors or any(
                sym(c.func) is not None and id(c) not in variables for c in calls_in(value)
            ):
                tensors |= set(names)
                changed = True
    return tensors


def _dynamic_reads(node: cst.CSTNode) -> set[str]:
    """Names read other than as ``name.get_shape()``, ``name.shape``, ``name.dtype``."""
    found: set[str] = set()

    class _Reads(FastVisitor):
        def visit_Attribute(self, n: cst.Attribute) -> bool:
            if n.attr.value in STATIC and isinstance(n.value, cst.Name):
                return False
            return True

        def visit_Name(self, n: cst.Name) -> None:
            found.add(n.value)

        def visit_Param(self, n: cst.Param) -> bool:
            return False

        def visit_Arg(self, n: cst.Arg) -> bool:
            n.value.visit(self)
            return False

    node.visit(_Reads())
    # Attribute names (`.append`) are not reads: only those names_read knows.
    return found & names_read(node) if not isinstance(node, cst.Name) else found


def _factories(module: cst.Module, sym: Sym) -> dict[str, cst.FunctionDef]:
    """Module-level functions that return a new variable: ``def weight_variable(shape):
    initial = tf.truncated_normal(shape, stddev=0.1); return tf.Variable(initial)``."""
    found = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.FunctionDef) or not isinstance(stmt.body, cst.IndentedBlock):
            continue
        variables = [c for c in calls_in(stmt) if sym(c.func) == "Variable"]
        if len(variables) != 1:
            continue
        body = list(stmt.body.body)
        if not all(isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1 for s in body):
            continue
        last = body[-1].body[0]
        if not isinstance(last, cst.Return) or last.value is None:
            continue
        value = last.value
        if value is variables[0]:
            found[stmt.name.value] = stmt
            continue
        if isinstance(value, cst.Name):
            creating = [s for s in body[:-1] if (a := single_assignment(s)) is not None and a[1] is variables[0]]
            if creating and single_assignment(creating[0])[0] == [value.value]:
                found[stmt.name.value] = stmt
    return found


def _creates_variables(fn: cst.FunctionDef, sym: Sym) -> bool:
    return any(sym(c.func) in ("Variable", "get_variable") for c in calls_in(fn))


class _Wrap(cst.CSTTransformer):
    """``tf.Variable(...)`` (or a factory's call) -> ``self.variable(lambda: tf.Variable(...))``."""

    def __init__(self, creations: set[int], method: str) -> None:
        self.creations = creations
        self.method = method

    def leave_Call(self, original_node, updated_node):
        if id(original_node) not in self.creations:
            return updated_node
        return cst.parse_expression(f"self.{self.method}(lambda: __call__)").visit(_Substitute(updated_node))


class _Substitute(cst.CSTTransformer):
    def __init__(self, node: cst.BaseExpression) -> None:
        self.node = node

    def leave_Name(self, original_node, updated_node):
        return self.node if original_node.value == "__call__" else updated_node


def module_class_def(built: BuildFunction, sym: Sym, tf: str, module: cst.Module) -> cst.ClassDef:
    fn = built.fn
    name = fn.name.value
    creations = _variable_creations(built, sym, module)
    taken = set(built.params) | names_read(fn)
    method, store, counter = (fresh_name(base, taken) for base in ("variable", "graph_variables", "created"))
    statements = list(fn.body.body)
    doc = []
    if statements and is_docstring(statements[0]):
        doc, statements = [statements[0]], statements[1:]
    body = _call_body(built, statements, creations, method, tf)
    read = names_read(cst.Module(body=body))
    prologue = [f"self.{counter} = 0\n"] if creations else []
    prologue += [f"{p} = self.{built.attributes[p]}\n" for p in built.params if p in read]
    init_lines = ["super().__init__()\n"] + [f"self.{built.attributes[p]} = {p}\n" for p in built.params]
    if creations:
        init_lines.append(f"self.{store} = []  # created by the first call, in the order TF1 created them\n")
    indent = module.default_indent
    parts = [f"class {built.class_name}({tf}.Module):\n"]
    if not doc:
        parts.append(f'{indent}"""`{name}`: its graph, built at each call; its variables are made by the first."""\n')
    parts.append(f"\n{indent}def __init__({_init_params(fn, module, indent)}):\n")
    parts += [f"{indent * 2}{line}" for line in init_lines]
    if creations:
        parts.append(
            f"\n{indent}def {method}(self, create):\n"
            f'{indent * 2}"""The graph\'s next variable: made by `create` at the first call, the same one at every later call."""\n'
            f"{indent * 2}if self.{counter} == len(self.{store}):\n"
            f"{indent * 3}with {tf}.init_scope():\n"
            f"{indent * 4}self.{store}.append(create())\n"
            f"{indent * 2}self.{counter} += 1\n"
            f"{indent * 2}return self.{store}[self.{counter} - 1]\n"
        )
    parts.append(f"\n{indent}def __call__(self, {', '.join(_call_params(built))}):\n")
    parts += [f"{indent * 2}{line}" for line in prologue] or [f"{indent * 2}pass\n"]
    skeleton = cst.parse_statement("".join(parts))
    assert isinstance(skeleton, cst.ClassDef)
    members = list(skeleton.body.body)
    head = list(members[-1].body.body) if prologue else []
    members[-1] = members[-1].with_changes(body=members[-1].body.with_changes(body=[*head, *body]))
    if doc:
        members = [doc[0].with_changes(leading_lines=[]), *members]
    return skeleton.with_changes(body=skeleton.body.with_changes(body=members), leading_lines=fn.leading_lines)


def _call_params(built: BuildFunction) -> list[str]:
    """The placeholders, those with a default last (each keeps it)."""
    plain = [f.name for f in built.fed if f.default is None]
    return plain + [f"{f.name}={f.default}" for f in built.fed if f.default is not None]


def _variable_creations(built: BuildFunction, sym: Sym, module: cst.Module) -> set[int]:
    """Ids of the calls that create the body's variables (``tf.Variable(...)``, a
    factory's call), each read nothing but Python values: made once, eagerly."""
    fn = built.fn
    name = fn.name.value
    factories = _factories(module, sym)
    creations: set[int] = set()
    for call in calls_in(fn):
        if sym(call.func) == "Variable" or (isinstance(call.func, cst.Name) and call.func.value in factories):
            creations.add(id(call))
        elif isinstance(call.func, cst.Name):
            helper = next((s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == call.func.value), None)
            if helper is not None and _creates_variables(helper, sym):
                raise CannotConvert(call, f"`{call.func.value}` creates variables other than by returning a new one")
    nested = {
        id(inner) for outer in calls_in(fn) if id(outer) in creations
        for inner in calls_in(outer) if inner is not outer and id(inner) in creations
    }
    creations -= nested
    variables = {n for st in body_statements(fn) if (a := single_assignment(st)) is not None and id(a[1]) in creations for n in a[0]}
    for output in built.outputs:
        if output.name in variables:
            raise CannotConvert(fn, f"`{name}` returns variable `{output.name}`: the module makes its variables at its first call")
    tensors = _tensor_names(fn, built.fed, sym, creations)
    for call in calls_in(fn):
        leaked = _dynamic_reads(call) & tensors if id(call) in creations else set()
        if leaked:
            raise CannotConvert(call, (
                f"the initial value of a variable of `{name}` reads tensor `{sorted(leaked)[0]}`: "
                "it is created once, eagerly, outside the trace"
            ))
    return creations


def _call_body(
    built: BuildFunction, statements: list[cst.BaseStatement], creations: set[int], method: str, tf: str,
) -> list[cst.BaseStatement]:
    """The function's statements for ``__call__``: placeholders and training ops left out
    (their comments kept), variables made by ``self.variable``, the outputs returned."""
    fed_by_call = {id(f.call): f for f in built.fed}
    training = {i for t in built.trainings for i in t.statements}
    body: list[cst.BaseStatement] = []
    carried: list[cst.EmptyLine] = []
    last = statements[-1]
    last = last.with_changes(body=[last.body[0].with_changes(value=_returned_value(built))])
    for stmt in [*statements[:-1], last]:
        assignment = single_assignment(stmt)
        entry = fed_by_call.get(id(assignment[1])) if assignment is not None else None
        if (entry is not None and entry.cast is None) or id(stmt) in training:
            carried.extend(stmt.leading_lines)  # a parameter now; a training op is the caller's
            continue
        if entry is not None:  # its dtype reads the body: the fed value is converted here
            stmt = cst.parse_statement(f"{entry.name} = {tf}.cast({entry.name}, {entry.cast})\n").with_changes(
                leading_lines=stmt.leading_lines
            )
        elif creations:
            stmt = stmt.visit(_Wrap(creations, method))
        if carried:
            stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
            carried = []
        body.append(stmt)
    return body


def _returned_value(built: BuildFunction) -> cst.BaseExpression:
    """What ``__call__`` returns: the function's value without its placeholders and
    training ops, with the losses of those ops it did not return."""
    returned = built.fn.body.body[-1].body[0].value
    if built.shape == "single":
        return returned
    extra = [cst.parse_expression(o.name) for o in built.outputs if o.returned is None]
    kept_ids = {id(o.returned) for o in built.outputs if o.returned is not None}
    hidden = [o for o in built.outputs if o.returned is None]
    if built.shape == "dict" and isinstance(returned, cst.Call):
        args = [a for a, r in zip(returned.args, built.returned) if id(r) in kept_ids]
        equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
        args += [cst.Arg(value, keyword=cst.Name(o.name), equal=equal) for o, value in zip(hidden, extra)]
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args = [a.with_changes(comma=comma) for a in args[:-1]] + [args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
        return returned.with_changes(args=args)
    if built.shape == "dict":
        elements = [e for e, r in zip(returned.elements, built.returned) if id(r) in kept_ids]
        elements += [cst.DictElement(cst.SimpleString(o.key or ""), value) for o, value in zip(hidden, extra)]
    else:
        elements = [e for e, r in zip(returned.elements, built.returned) if id(r) in kept_ids]
        elements += [cst.Element(value) for value in extra]
        if len(elements) == 1:
            return elements[0].value
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    elements = [e.with_changes(comma=comma) for e in elements[:-1]] + [elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return returned.with_changes(elements=elements)


def _init_params(fn: cst.FunctionDef, module: cst.Module, indent: str) -> str:
    """``self`` and the function's parameters, one per line if they were written so."""
    params = fn.params
    parts = ["self"] + [module.code_for_node(p.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip() for p in params.params]
    if params.kwonly_params:
        parts.append("*")
        parts += [module.code_for_node(p.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip() for p in params.kwonly_params]
    if "\n" in module.code_for_node(params):
        return (",\n" + " " * len(f"{indent}def __init__(")).join(parts)
    return ", ".join(parts)

