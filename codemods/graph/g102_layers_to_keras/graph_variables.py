"""``tf.get_variable`` at the graph's level and in its variable scopes -> ``tf.Variable``s,
a variable looked up again by name (reuse) -> the Python name already holding it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import libcst as cst

from codemods.analysis.graph import argument, calls_in, expression_of, names_read, single_assignment
from codemods.analysis.tf1_layers import INITIALIZERS, LAYERS, UNMAPPED_INITIALIZERS
from codemods.graph.g102_layers_to_keras.eager_variables import EagerVariables, single_bindings
from codemods.graph.g102_layers_to_keras.rnn import MULTI_RNN_CELLS, RNN_CELLS, RNN_RUNNERS
from codemods.graph.g102_layers_to_keras.syntax import Skip, bind, is_name, is_none, is_reuse_call, plain_names

if TYPE_CHECKING:
    from codemods.graph.g102_layers_to_keras.converter import Converter


VARIABLE_SCOPE = (
    "name_or_scope", "default_name", "values", "initializer", "regularizer", "caching_device", "partitioner",
    "custom_getter", "reuse", "dtype", "use_resource", "constraint", "auxiliary_name_scope",
)
# How a variable scope treats get_variable: create, look up (reuse=True) or both (AUTO_REUSE).
Reuse = Literal["create", "lookup", "auto"]


class GraphVariables:
    """``tf.get_variable`` at the graph's level (the script's top level or its ``main()``, and
    the variable scopes opened there) -> ``tf.Variable`` with TF1's initial value (the mapping
    of ``EagerVariables``); ``with tf.variable_scope("layer1"):`` -> ``with tf.name_scope(
    "layer1"):``, where TF2 names the variable ``layer1/W`` as TF1 did; a variable looked up
    again (``reuse=True``, ``tf.AUTO_REUSE``, ``scope.reuse_variables()``) -> the Python name
    that already holds it (``W = W1``). A statement converts whole or stays as it was, with
    the reason reported (a get_variable left makes G101 keep the module on TF1)."""

    def __init__(self, converter: Converter, statements: list[cst.BaseStatement]) -> None:
        self.c = converter
        self.block = cst.IndentedBlock(
            body=[s for s in statements if not isinstance(s, (cst.FunctionDef, cst.ClassDef))]
        )
        # Names bound once at the graph's level: an `initializer=name` and the Python names
        # a variable looked up again can be read from.
        self.bindings = single_bindings(self.block)
        self.created: dict[str, str] = {}  # TF1 name ("layer1/W") -> the Python name holding it
        self.variables: set[str] = set()  # Python names of the tf.Variables created

    def convert(self, statements: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        """The statements with their get_variable calls converted; None when none was."""
        out: list[cst.BaseStatement] = []
        changed = False
        for stmt in statements:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) or not self._gets_variables(stmt):
                out.append(stmt)
                continue
            try:
                new = self._statement(stmt, "", "create")
            except Skip as exc:
                self.c.decline(stmt, exc.node, f"get_variable left on TF1: {exc.reason}")
                out.append(stmt)
                continue
            out.extend(new)
            changed = True
        return out if changed else None

    def _gets_variables(self, node: cst.CSTNode) -> bool:
        return any(self.c.rule.sym(c.func) == "get_variable" for c in calls_in(node))

    def _statement(
        self, stmt: cst.BaseStatement, prefix: str | None, reuse: Reuse, named: bool = False
    ) -> list[cst.BaseStatement]:
        """``named``: inside a ``tf.name_scope`` block, which get_variable ignores."""
        if isinstance(stmt, cst.SimpleStatementLine):
            return self._line(stmt, prefix, reuse, named) if self._gets_variables(stmt) else [stmt]
        if isinstance(stmt, cst.With) and self._variable_scope(stmt) is not None:
            if named:
                raise Skip(stmt, "a variable scope inside tf.name_scope (TF1 names its variables without the name "
                                 "scope, its other ops with it)")
            return self._scope(stmt, prefix, reuse)
        if not self._gets_variables(stmt):
            return [stmt]
        if isinstance(stmt, cst.With) and len(stmt.items) == 1 and isinstance(stmt.items[0].item, cst.Call) and (
            self.c.rule.sym(stmt.items[0].item.func) == "name_scope"
        ) and stmt.items[0].asname is None and isinstance(stmt.body, cst.IndentedBlock):
            if prefix is None:
                raise Skip(stmt, "get_variable inside tf.name_scope in a variable scope with a computed name: "
                                 "TF1 leaves the name scope out of the variable's name, which cannot be written out")
            body = [new for inner in stmt.body.body for new in self._statement(inner, prefix, reuse, True)]
            return [stmt.with_changes(body=stmt.body.with_changes(body=body))] if body else []
        raise Skip(stmt, "get_variable inside a block other than a variable or name scope")

    def _variable_scope(self, stmt: cst.With) -> cst.Call | None:
        item = stmt.items[0].item if len(stmt.items) == 1 else None
        if isinstance(item, cst.Call) and self.c.rule.sym(item.func) == "variable_scope":
            return item
        return None

    def _line(
        self, stmt: cst.SimpleStatementLine, prefix: str | None, reuse: Reuse, named: bool = False
    ) -> list[cst.BaseStatement]:
        """``W = tf.get_variable("W", ...)``: a tf.Variable, or the variable looked up again;
        inside a name scope (``named``) created under ``tf.name_scope("<variable scope>/")``
        (or ``""``: no scope), where TF2 names it as TF1 did."""
        assignment = single_assignment(stmt)
        small = stmt.body[0]
        call = assignment[1] if assignment is not None else None
        calls = [c for c in calls_in(stmt) if self.c.rule.sym(c.func) == "get_variable"]
        if not (
            isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name)
            and isinstance(call, cst.Call) and calls == [call]
        ):
            # `y = x * tf.get_variable("scale")` in a reuse scope: each lookup is the name
            # holding the variable; a variable created inside an expression stays TF1.
            holders = {id(c): self._looked_up(c, prefix, reuse) for c in calls}
            if any(holder is None for holder in holders.values()):
                raise Skip(stmt, "get_variable creating a variable other than as `name = tf.get_variable(...)`")
            return [stmt.visit(_ReplaceCalls({key: cst.Name(h) for key, h in holders.items() if h is not None}))]
        target = small.targets[0].target.value
        holder = self._looked_up(call, prefix, reuse)
        if holder is not None:
            if holder == target:
                return []  # `W = tf.get_variable("W")` again: W already holds it
            return [stmt.with_changes(body=[small.with_changes(value=cst.Name(holder))])]
        initializer = argument(call, 3, "initializer")
        bound = self.bindings.get(initializer.value) if isinstance(initializer, cst.Name) else None
        symbol = self.c.rule.sym(bound.func) if isinstance(bound, cst.Call) else None
        if symbol in INITIALIZERS or symbol in UNMAPPED_INITIALIZERS:
            # `initializer=initer` bound at the graph's level to a TF1 initializer: the
            # variable gets its Keras twin (the binding is graph code G101 leaves out).
            args = [arg.with_changes(value=bound) if arg.value is initializer else arg for arg in call.args]
            stmt = stmt.with_changes(body=[small.with_changes(value=call.with_changes(args=args))])
        new = stmt.visit(EagerVariables(self.c, self.block))
        name = argument(call, 0, "name")
        if isinstance(name, cst.SimpleString) and target in self.bindings and prefix is not None:
            self.created[prefix + name.evaluated_value] = target
        self.variables.add(target)
        if named:
            assert prefix is not None
            scope = cst.parse_expression(f"{self.c.tf}.name_scope({_string(prefix)})")
            body = cst.IndentedBlock(body=[new.with_changes(leading_lines=[])])
            return [cst.With(items=[cst.WithItem(item=scope)], body=body, leading_lines=new.leading_lines)]
        return [new]

    def _looked_up(self, call: cst.Call, prefix: str | None, reuse: Reuse) -> str | None:
        """The Python name holding the variable ``call`` looks up again; None when it
        creates one. ``Skip`` for a lookup of a variable this pass did not create."""
        name = argument(call, 0, "name")
        full = prefix + name.evaluated_value if isinstance(name, cst.SimpleString) and prefix is not None else None
        holder = self.created.get(full) if full is not None else None
        if reuse == "create":
            return None
        if reuse == "auto" and holder is None and (full is not None or not isinstance(name, cst.SimpleString)):
            return None
        if holder is None:
            raise Skip(call, f"`{full or self.c.code(call)}` is looked up again (reuse), and this rule did not "
                             "create it at the graph's level")
        return holder

    def _scope(self, stmt: cst.With, prefix: str | None, reuse: Reuse) -> list[cst.BaseStatement]:
        """``with tf.variable_scope("name"[, reuse=...]) [as scope]:`` -> ``with tf.name_scope("name"):``."""
        item = self._variable_scope(stmt)
        assert item is not None
        bound = bind(item, VARIABLE_SCOPE)
        name = bound.get("name_or_scope")
        if name is None or (not isinstance(name, cst.SimpleString) and (reuse != "create" or "reuse" in bound)):
            # A computed name (`self.name` of a model class) is enough where nothing is looked up.
            raise Skip(item, "a variable scope not named by a string literal, with variables looked up in it")
        for extra in set(bound) - {"name_or_scope", "values", "reuse"}:
            if not is_none(bound[extra]) and not (extra == "auxiliary_name_scope" and is_name(bound[extra], "True")):
                raise Skip(item, f"a variable scope with `{extra}=`")
        flag = bound.get("reuse")
        if flag is None or is_none(flag) or is_name(flag, "False"):
            pass  # TF1 inherits the enclosing scope's reuse
        elif is_name(flag, "True"):
            reuse = "lookup"
        elif self.c.rule.sym(flag) == "AUTO_REUSE":
            reuse = "lookup" if reuse == "lookup" else "auto"
        else:
            raise Skip(item, "a variable scope whose reuse= is computed")
        symbols = {self.c.rule.sym(c.func) for c in calls_in(stmt)}
        if symbols & {*RNN_RUNNERS, *RNN_CELLS, *MULTI_RNN_CELLS} or (
            self.c.reuses_variables and symbols & {"layers.dropout", *LAYERS}
        ):
            # (Without reuse TF1 layers only make new variables there: `_scoped_layers` converts them.)
            raise Skip(item, "a variable scope naming TF1 layers or RNN cells, which this rule keeps in it")
        alias = stmt.items[0].asname
        scope_object = alias.name.value if alias is not None and isinstance(alias.name, cst.Name) else None
        if alias is not None and scope_object is None:
            raise Skip(item, "a variable scope bound to something other than a name")
        if scope_object is not None:
            self._check_scope_object(stmt, scope_object)
        inner_prefix = f"{prefix}{name.evaluated_value}/" if isinstance(name, cst.SimpleString) and prefix is not None else None
        body: list[cst.BaseStatement] = []
        for inner in stmt.body.body:
            expr = expression_of(inner)
            if scope_object is not None and is_reuse_call(expr, scope_object):
                reuse = "lookup"  # `scope.reuse_variables()`: the rest of the block looks variables up
                continue
            body.extend(self._statement(inner, inner_prefix, reuse))
        if not body:
            return []  # only looked variables up that their names already hold
        scope = cst.parse_expression(f"{self.c.tf}.name_scope({self.c.code(name)})")
        new = stmt.with_changes(items=[cst.WithItem(item=scope)], body=stmt.body.with_changes(body=body))
        self.c.name_scopes[id(new)] = new
        return [new]

    def _check_scope_object(self, stmt: cst.With, scope_object: str) -> None:
        """``as scope``: the object may only be asked to ``reuse_variables()`` in its block."""
        allowed = sum(
            1 for c in calls_in(stmt)
            if isinstance(c.func, cst.Attribute) and c.func.attr.value == "reuse_variables"
            and is_name(c.func.value, scope_object)
        ) + 1  # the `as` target
        if _name_count(stmt, scope_object) != allowed:
            raise Skip(stmt.items[0], f"the variable scope object `{scope_object}` is used (TF2 has none)")
        if scope_object in names_read(cst.IndentedBlock(body=[
            s for s in self.block.body if s is not stmt and not self._binds_scope_object(s, scope_object)
        ])):
            raise Skip(stmt.items[0], f"the variable scope object `{scope_object}` is used after its block")

    def _binds_scope_object(self, stmt: cst.BaseStatement, scope_object: str) -> bool:
        """Another ``with tf.variable_scope(...) as <scope_object>:`` block of the graph."""
        return isinstance(stmt, cst.With) and self._variable_scope(stmt) is not None and any(
            is_name(i.asname.name, scope_object) for i in stmt.items if i.asname is not None
        )


class _ReplaceCalls(cst.CSTTransformer):
    """Calls (by id) replaced by expressions."""

    def __init__(self, replacements: dict[int, cst.BaseExpression]) -> None:
        self.replacements = replacements

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        return self.replacements.get(id(original_node), updated_node)



def _string(text: str) -> str:
    """A string literal of ``text``, in double quotes where it can be."""
    return f'"{text}"' if '"' not in text and "\\" not in text else repr(text)


def _name_count(node: cst.CSTNode, name: str) -> int:
    """How many times ``name`` occurs in ``node`` as a plain name."""
    return sum(1 for n in plain_names(node) if n == name)

