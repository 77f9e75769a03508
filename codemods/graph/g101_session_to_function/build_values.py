"""G101 build functions (``build_functions``): the values its modules pass: the function read
(``BuildFunction``: what it feeds, trains and returns), its call (``BuildCall``), and the
names they share."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.analysis.cst_tools import nodes_of

PLACEHOLDERS = ("placeholder", "placeholder_with_default")
# Attributes tf.Module defines: a parameter of that name is kept under another one.
MODULE_ATTRIBUTES = {
    "name", "name_scope", "variables", "trainable_variables", "non_trainable_variables", "submodules",
    "with_name_scope",
}
# Reading a tensor through these gives its static shape or type: Python values, known at
# every trace (`n_input = int(h.get_shape()[1])`).
STATIC = {"get_shape", "shape", "dtype", "name", "ndim"}
# Methods that change the object they are called on.
MUTATING = {"append", "extend", "insert", "update", "add", "pop", "remove", "clear", "setdefault", "discard"}
# Verbs of build functions' names, left out of the class name (`build_model` -> `Model`).
VERBS = ("build_", "create_", "make_", "construct_", "define_", "get_", "setup_")


@dataclass
class Fed:
    """A placeholder of the function: the parameter it becomes, and how the caller sees it."""

    name: str  # in the function's body: the name of ``__call__``'s parameter
    call: cst.Call
    dtype: str | None  # code, for the caller (its parameters' names read as `inst.param`)
    shape: str | None
    default: str | None
    cast: str | None = None  # dtype code when ``__call__`` converts the fed value itself


@dataclass
class Training:
    """``train_op = optimizer.minimize(loss)`` in the function (the optimizer created by
    ``optimizer = tf.train.XOptimizer(...)`` before it, or inline)."""

    op: str  # the training op's name in the body
    loss: str
    constructor: cst.Call  # tf.train.XOptimizer(...)
    optimizer: str | None  # the optimizer's name in the body (None: created inline)
    statements: set[int]  # ids of the statements that build it


@dataclass
class Returned:
    """One element of what the function returns: a placeholder, a training op or a value."""

    key: str | None  # dict key (`repr`), tuple position, or None for the single value
    name: str | None  # the element's name in the body, when it is a plain name
    placeholder: Fed | None
    training: Training | None = None
    spelled: str | None = None  # the dict key as the function writes it


@dataclass
class Output:
    """One value ``__call__`` returns: a returned value, or the loss of a returned
    training op that the function did not return itself (``returned`` None)."""

    key: str | None  # its dict key as the function writes it (`'cost'`), None in a tuple
    name: str
    returned: Returned | None


@dataclass
class BuildFunction:
    """The function and the class it becomes: read from the function alone."""

    definition: cst.FunctionDef  # as the module has it
    fn: cst.FunctionDef  # as it is read: placeholders out of their `with tf.name_scope(...)` blocks
    class_name: str
    shape: str  # "dict", "tuple" or "single": what the function returns
    returned: list[Returned]
    fed: list[Fed]
    trainings: list[Training]
    outputs: list[Output]
    params: list[str]
    attributes: dict[str, str]  # parameter -> the attribute holding it
    random: bool = False  # it draws random numbers (initial values or ops)
    class_def: cst.ClassDef | None = None


@dataclass
class BuildCall:
    """Where the function is called: `ae = autoencoder(...)` or `x, y, loss = build()`."""

    creation: cst.SimpleStatementLine
    call: cst.Call
    targets: list[str]  # the names the creation binds (one, or the unpacked tuple's)
    instance: str = ""  # the module instance in the flat caller


def fresh_name(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    return name


def body_statements(fn: cst.FunctionDef) -> list[cst.CSTNode]:
    """The small statements of ``fn``'s body at any depth, nested definitions left out."""
    return nodes_of(
        fn.body, (cst.SimpleStatementLine, cst.Return, cst.Global, cst.Nonlocal), skip=(cst.FunctionDef, cst.ClassDef, cst.Lambda)
    )

