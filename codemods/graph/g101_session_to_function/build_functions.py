"""G101 feature: a function that builds the graph and returns its tensors, run outside it.

TF1 tutorials write the model as a function and run it elsewhere::

    def autoencoder(dimensions=[784, 512, 256, 64]):
        x = tf.placeholder(tf.float32, [None, dimensions[0]])
        ...  # variables and layers, often in loops over `dimensions`
        return {'x': x, 'z': z, 'y': y, 'cost': cost}

    ae = autoencoder(dimensions=[784, 256, 64])
    optimizer = tf.train.AdamOptimizer(0.001).minimize(ae['cost'])
    sess.run(optimizer, feed_dict={ae['x']: batch})

The function becomes a ``tf.Module`` class (``Autoencoder``) built where the function was
called: ``__init__`` keeps its parameters, ``__call__`` is its body with the
placeholders as parameters and the placeholders left out of what it returns. The body
runs at every trace of the functions that call it, so its variables are kept in
creation order by ``self.variable(lambda: tf.Variable(...))``: created eagerly at the
first call, the same variables at every later one. Loops over layer sizes and shapes
read from tensors (``int(h.get_shape()[1])``) work as in TF1, and the variables are
created in TF1's order (verify draws the same initial values).

The caller is read by G101's stages as if the function had returned one placeholder
per fed tensor and one tensor per returned one (``flatten``): ``ae['x']`` is a
placeholder ``x``, ``ae['cost']`` the tensor ``cost = ae_outputs['cost']`` of the unit
``ae_outputs = ae(x)``; the generated functions (``train_step(x)``, ``compute_cost(x)``)
call the module, and train ``ae.trainable_variables``.

A training op the function builds (``train_op = tf.train.AdamOptimizer(lr).minimize(loss)``)
is the caller's: its optimizer is created there from the module's attributes
(``tf.keras.optimizers.Adam(learning_rate=g.lr, ...)``) and ``__call__`` returns the loss.

``read_function`` reads the function alone (``BuildCall`` is its call site): a module
that only defines it (a project's ``model.py``) can be converted from what the project
index says about who runs it.

Anything this cannot prove raises ``CannotConvert``: placeholders created in a loop or
condition, several calls, the result used other than as ``ae['key']`` (or unpacked),
other training constructs, a ``print``, a session or a change to an object it does not
own inside the function (they would happen at every trace), a returned variable,
variables whose initial value reads a tensor, helpers that create variables other than
by returning one, a run that does not feed every placeholder the module takes.

The feature's modules, each passing the values of ``build_values`` (``BuildFunction``,
``BuildCall``): ``build_reading`` (``find``, ``read_function``: the function and its
call, read and checked), ``build_class`` (the ``tf.Module`` class it becomes),
``build_caller`` (``flatten``: the caller as a flat module for G101's stages) and this
one (``BuiltModules``, the ``Feature`` the stages consult on the flat caller).
"""

from __future__ import annotations

import libcst as cst

from codemods.analysis.graph import calls_in
from codemods.analysis.positions import locate
from codemods.graph.g101_session_to_function.build_values import BuildCall, BuildFunction
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Graph, Note, Variable
from codemods.graph.g101_session_to_function.variable_helpers import is_random


class BuiltModules(Feature):
    """The module a build function became, for G101's stages on the flat caller: state
    created once whose ``trainable_variables`` are trained (its variables exist once it
    has been called: made lazily, like Keras layers)."""

    def __init__(self, built: BuildFunction, site: BuildCall) -> None:
        self.built = built
        self.site = site

    def classify_call(self, graph: Graph, index: int, names: list[str], call: cst.Call) -> bool:
        instance = self.site.instance
        if not (isinstance(call.func, cst.Name) and call.func.value == self.built.class_name and names == [instance]):
            return False
        graph.variables.append(Variable(index, instance, "layer"))
        graph.trainable[instance] = True
        return True

    def keras_statement(self, graph: Graph, stmt: cst.BaseStatement) -> bool:
        return stmt is self.built.class_def

    def check(self, graph: Graph) -> None:
        """The module draws its random initial values at its first call: no other random
        initial value may be drawn between its creation and that call."""
        if not self.built.random:
            return
        instance = self.site.instance
        creation = next((v.statement for v in graph.variables if v.name == instance), None)
        if creation is None:
            return
        units = {u.index for u in graph.units}
        for index, stmt in enumerate(graph.body):
            if index <= creation or index in units or isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                continue
            for call in calls_in(stmt):
                if is_random(graph.sym(call.func)):
                    raise CannotConvert(call, (
                        f"a random initial value drawn after `{instance}` is created: its variables "
                        "are drawn at its first call, so the order of random draws would change"
                    ))

    def note(self, graph: Graph) -> None:
        built = self.built
        graph.report(built.definition, (
            f"`{built.fn.name.value}` builds the graph and returns it -> tf.Module class `{built.class_name}` "
            f"(`__call__` takes the placeholders, variables made by its first call); "
            f"runs call `{self.site.instance}` from @tf.function"
        ), kind="converted")


def user_notes(tree: cst.Module, site: BuildCall, notes: list[Note]) -> list[Note]:
    """Notes on the flat module, at nodes of ``tree`` (the creation's stand-ins at the creation)."""
    located = locate(tree, [n.node for n in notes])
    return [Note(node if id(node) in located else site.creation, message, kind) for node, message, kind in notes]


def in_tree(tree: cst.Module, node: cst.CSTNode, site: BuildCall) -> cst.CSTNode:
    return node if id(node) in locate(tree, [node]) else site.creation
