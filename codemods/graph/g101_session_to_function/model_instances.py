"""G101 feature, model classes with several instances: each class alone, then the script.

TF1 tutorials write a model class that is given the session and runs its own graph::

    class Model:
        def __init__(self, sess, name):
            self.sess = sess
            with tf.variable_scope(name):
                self.X = tf.placeholder(...); W1 = tf.Variable(...); self.logits = ...
            self.optimizer = tf.train.AdamOptimizer(...).minimize(self.cost)

        def train(self, x_data, y_data):
            return self.sess.run([self.cost, self.optimizer], feed_dict={self.X: x_data, ...})

    models = [Model(sess, "model" + str(m)) for m in range(2)]   # an ensemble
    sess.run(tf.global_variables_initializer())

Such a class's graph does not depend on which instance runs it: each instance built its
own ops and variables (its variable scope named them apart), and the script reaches them
only through the methods. So the class is converted alone (``alone``: the module's
imports and definitions with a script of its own that creates one instance, gives it a
session and initialises it) by model_classes' one-instance path; every instance then
creates its own variables and optimizer in ``__init__``. The module's script is converted
afterwards with the converted classes left as they are (``ConvertedClasses``): the
session argument of each creation goes with the parameter, and what TF1 allowed only
because the variables lived in the session is checked: one initializer run, after the
instances are created; no instance attribute of the graph read outside the methods; no
saver or variable collection that would include the instances' variables.
"""

from __future__ import annotations

import libcst as cst

from codemods.analysis.graph import calls_in, names_read
from codemods.analysis.names import FastVisitor, is_import_line
from codemods.analysis.positions import locate
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Note
from codemods.graph.g101_session_to_function.model_classes import ClassParts, session_argument

# Script calls that reach every variable of the graph, the instances' too.
ALL_VARIABLES = ("train.Saver", "trainable_variables", "global_variables", "all_variables", "get_collection")


def alone(module: cst.Module, parts: ClassParts, tf: str, models: set[str]) -> cst.Module:
    """The module's imports and definitions (no model class of ``models`` but this one),
    then a script that opens a session, creates one instance with it and initialises its
    variables."""
    taken = names_read(module)
    session, instance = _fresh("sess", taken), _fresh("model", taken)
    args = [session if p.name.value == parts.session_param else p.name.value for p in parts.init.params.params[1:]]
    script = cst.parse_module(
        f"{session} = {tf}.Session()\n"
        f"{instance} = {parts.cls.name.value}({', '.join(args)})\n"
        f"{session}.run({tf}.global_variables_initializer())\n"
    ).body
    kept = [
        s for s in module.body
        if s is parts.cls or is_import_line(s) or isinstance(s, cst.FunctionDef)
        or (isinstance(s, cst.ClassDef) and s.name.value not in models)
    ]
    return module.with_changes(body=[*kept, *script])


def _fresh(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def converted_class(module: cst.Module, alone_module: cst.Module, parts: ClassParts) -> cst.ClassDef:
    """The class as its conversion alone wrote it; the definitions around it must have
    come out as they went in (a helper the class calls rewritten is refused)."""
    definitions = (cst.FunctionDef, cst.ClassDef)
    before = {s.name.value: s for s in alone_module.body if isinstance(s, definitions)}
    found = None
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == parts.cls.name.value:
            found = stmt
        elif isinstance(stmt, definitions) and not stmt.deep_equals(before.get(stmt.name.value, stmt)):
            raise CannotConvert(parts.cls, f"converting model class `{parts.cls.name.value}` rewrites `{stmt.name.value}`, which other code may call")
    assert found is not None, "the layout writes the class back"
    return found


def notes_in(tree: cst.Module, node: cst.CSTNode, notes: list[Note]) -> list[Note]:
    """Notes on a module derived from ``tree``: at their node where ``tree`` has it, else at ``node``."""
    found = locate(tree, [n for n, _, _ in notes])
    return [Note(n if id(n) in found else node, message, kind) for n, message, kind in notes]


def in_tree(tree: cst.Module, exc: CannotConvert, node: cst.CSTNode) -> CannotConvert:
    """``exc`` at its node where ``tree`` has it, else at ``node``."""
    return CannotConvert(exc.node if locate(tree, [exc.node]) else node, exc.reason)


class ConvertedClasses(Feature):
    """The script of a module whose model classes were converted alone (``alone``)."""

    def __init__(self, classes: dict[str, tuple[ClassParts, cst.ClassDef, set[str]]]) -> None:
        # class name -> (as read, as converted, its attributes that held graph objects)
        self.classes = classes

    def _converted(self, stmt: cst.CSTNode) -> bool:
        return isinstance(stmt, cst.ClassDef) and stmt.name.value in self.classes and stmt is self.classes[stmt.name.value][1]

    def exempt_calls(self, graph: Graph) -> set[int]:
        """The converted classes are TF2 code already. (First of all: the script must not
        reach every variable of the graph, which the instances' no longer are.)"""
        script = graph.module.with_changes(body=[s for s in graph.module.body if not self._converted(s)])
        for call in calls_in(script):
            if (graph.sym(call.func) or "") in ALL_VARIABLES:
                raise CannotConvert(call, (
                    f"`{graph.code(call.func)}` reaches every variable of the graph, those of the "
                    f"`{next(iter(self.classes))}` instances too, which are no longer graph variables"
                ))
        return {id(c) for stmt in graph.module.body if self._converted(stmt) for c in calls_in(stmt)}

    def keras_statement(self, graph: Graph, stmt: cst.BaseStatement) -> bool:
        return self._converted(stmt)

    def check(self, graph: Graph) -> None:
        script = graph.module.with_changes(body=[s for s in graph.module.body if not self._converted(s)])
        calls = calls_in(script)
        for name, (parts, converted, graph_attrs) in self.classes.items():
            shared = sorted(names_read(converted) & (graph.graph_names() | {v.name for v in graph.variables}))
            if shared:
                raise CannotConvert(parts.cls, f"model class `{name}` reads `{shared[0]}`, built by the module's graph")
            creations = [c for c in calls if isinstance(c.func, cst.Name) and c.func.value == name]
            for call in creations:
                session = session_argument(call, parts)
                if session is None or session not in graph.sessions:
                    raise CannotConvert(call, f"`{name}(...)` is not given a session this module opens")
            self._check_initialisation(graph, name, creations)
            for attribute in _attributes(script):
                if attribute.attr.value in graph_attrs and not (
                    isinstance(attribute.value, cst.Name) and attribute.value.value == "self"
                ):
                    raise CannotConvert(attribute, (
                        f"`{graph.code(attribute)}` reads `{attribute.attr.value}` of a `{name}` instance's graph "
                        "outside its methods (several instances are converted only when their methods run them)"
                    ))

    def _check_initialisation(self, graph: Graph, name: str, creations: list[cst.Call]) -> None:
        """TF1 initialised the instances' variables with the session's one initializer run,
        after they were created; an eager variable is initialised when it is created."""
        runs = [c for c in calls_in(graph.module) if _initializer_run(graph, c) and not self._inside_converted(graph, c)]
        if len(runs) != 1:
            node = runs[1] if runs else creations[0]
            raise CannotConvert(node, (
                f"the variables of `{name}` instances are initialised {len(runs)} times (one initializer run, "
                "after the instances are created, is what an eager variable's creation does)"
            ))
        position = _top_statement(graph, runs[0])
        if position is None or not isinstance(graph.body[position], cst.SimpleStatementLine):
            raise CannotConvert(runs[0], f"the variables of `{name}` instances are initialised inside a loop, condition or function")
        for call in creations:
            created = _top_statement(graph, call)
            if created is None or created > position or isinstance(graph.body[created], (cst.FunctionDef, cst.ClassDef)):
                raise CannotConvert(call, f"a `{name}` instance is created after the initializer run or inside a function")

    def _inside_converted(self, graph: Graph, call: cst.Call) -> bool:
        return any(self._converted(stmt) and call in calls_in(stmt) for stmt in graph.module.body)


def _initializer_run(graph: Graph, call: cst.Call) -> bool:
    """``sess.run(tf.global_variables_initializer())``, ``init.run()``."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "run":
        return False
    receiver = func.value
    if isinstance(receiver, cst.Name) and receiver.value in graph.session_names():
        fetch = call.args[0].value if call.args else None
        return fetch is not None and graph.is_init(fetch)
    return graph.is_init(receiver)


def _top_statement(graph: Graph, call: cst.Call) -> int | None:
    """The statement of the graph's block that holds ``call``."""
    return next((i for i, stmt in enumerate(graph.body) if any(c is call for c in calls_in(stmt))), None)


def _attributes(node: cst.CSTNode) -> list[cst.Attribute]:
    found: list[cst.Attribute] = []

    class _Collect(FastVisitor):
        def visit_Attribute(self, n: cst.Attribute) -> None:
            found.append(n)

    node.visit(_Collect())
    return found


def script_owner(module: cst.Module, classes: set[str]) -> cst.FunctionDef | cst.If | None:
    """The block creating the instances: a top-level ``def main():`` / ``if __name__``
    body, or the module (None)."""
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.If)) and isinstance(stmt.body, cst.IndentedBlock) and any(
            isinstance(c.func, cst.Name) and c.func.value in classes for c in calls_in(stmt)
        ):
            return stmt
    return None
