"""TF 1's op names, replayed statically: the tags TF 1 gave summaries.

A TF 1 summary's tag is the unique name of its op: the name scopes around it, then its
name, made unique against every name the graph already used in that scope, case
insensitively (``Graph.unique_name``): ``tf.summary.scalar("loss", loss)`` next to
``loss = tf.reduce_mean(..., name="loss")`` in ``with tf.name_scope("train"):`` is
``train/loss_1``; ``tf.summary.scalar("mean", tf.reduce_mean(v))`` is ``mean_1``
(``tf.reduce_mean`` made ``Mean``). ``OpNames.replay`` walks the graph's block in
program order, naming what each statement creates: calls with a literal ``name=``,
name scopes, the default names of the common ops (``DEFAULT_NAMES``, operators
included), and what the module's own functions create when the graph calls them. A tag
is *certain* when nothing in its scope had a name this cannot tell (a name that is not
a literal, an op whose default name is guessed from its function's name, ops built in a
loop): the rule then says so in a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from codemods.analysis.graph import argument, assigned_names
from codemods.analysis.names import FastVisitor

# Default op names (lower case, as Graph.unique_name compares them) where they are not
# the function's own name; measured on TF 1.15.
DEFAULT_NAMES = {
    "reduce_mean": "mean", "reduce_sum": "sum", "reduce_max": "max", "reduce_min": "min", "reduce_prod": "prod",
    "reduce_all": "all", "reduce_any": "any", "math.reduce_mean": "mean", "math.reduce_sum": "sum",
    "subtract": "sub", "multiply": "mul", "divide": "truediv", "math.subtract": "sub", "math.multiply": "mul",
    "expand_dims": "expanddims", "nn.l2_loss": "l2loss", "nn.max_pool": "maxpool", "nn.avg_pool": "avgpool",
    "nn.bias_add": "biasadd", "gather": "gatherv2", "where": "select", "not_equal": "notequal",
    "greater_equal": "greaterequal", "less_equal": "lessequal", "logical_and": "logicaland",
    "logical_or": "logicalor", "logical_not": "logicalnot", "squared_difference": "squareddifference",
    "nn.softmax_cross_entropy_with_logits": "softmax_cross_entropy_with_logits_sg",
    "nn.softmax_cross_entropy_with_logits_v2": "softmax_cross_entropy_with_logits",
    "nn.sparse_softmax_cross_entropy_with_logits": "sparsesoftmaxcrossentropywithlogits",
    "nn.sigmoid_cross_entropy_with_logits": "logistic_loss", "nn.log_softmax": "logsoftmax",
    "nn.leaky_relu": "leakyrelu", "constant": "const", "Variable": "variable", "placeholder": "placeholder",
    "global_variables_initializer": "init", "initialize_all_variables": "init", "summary.merge_all": "merge",
    "summary.merge": "merge", "image.decode_png": "decodepng", "image.decode_jpeg": "decodejpeg", "log": "log",
    "train.Saver": "save", "gradients": "gradients", "nn.conv2d": "conv2d", "matmul": "matmul",
    "argmax": "argmax", "argmin": "argmin", "nn.relu": "relu", "nn.softmax": "softmax", "sigmoid": "sigmoid",
    "nn.sigmoid": "sigmoid", "tanh": "tanh", "nn.tanh": "tanh", "square": "square", "sqrt": "sqrt", "exp": "exp",
    "abs": "abs", "squeeze": "squeeze", "reshape": "reshape", "cast": "cast", "equal": "equal", "add": "add",
    "transpose": "transpose", "concat": "concat", "identity": "identity", "maximum": "maximum",
    "minimum": "minimum", "pow": "pow", "zeros": "zeros", "ones": "ones", "random_normal": "random_normal",
    "truncated_normal": "truncated_normal", "random_uniform": "random_uniform", "nn.dropout": "dropout",
    "one_hot": "one_hot", "clip_by_value": "clip_by_value", "shape": "shape", "range": "range", "tile": "tile",
    "stack": "stack", "nn.in_top_k": "in_top_k", "norm": "norm", "nn.moments": "moments", "cond": "cond",
    "while_loop": "while", "losses.mean_squared_error": "mean_squared_error", "nn.elu": "elu", "sign": "sign",
    "zeros_like": "zeros_like", "ones_like": "ones_like", "fill": "fill", "split": "split", "slice": "slice",
}
OPERATORS = {
    cst.Add: "add", cst.Subtract: "sub", cst.Multiply: "mul", cst.Divide: "truediv", cst.FloorDivide: "floordiv",
    cst.Modulo: "mod", cst.Power: "pow", cst.MatrixMultiply: "matmul", cst.GreaterThan: "greater",
    cst.LessThan: "less", cst.GreaterThanEqual: "greaterequal", cst.LessThanEqual: "lessequal",
    cst.BitAnd: "logicaland", cst.BitOr: "logicalor", cst.Minus: "neg", cst.BitInvert: "logicalnot",
}
# Calls that create no op: sessions, configuration, objects whose ops come later.
NO_OPS = re.compile(
    r"^(Session|InteractiveSession|ConfigProto|GPUOptions|set_random_seed|random\.set_random_seed|"
    r"get_default_graph|summary\.FileWriter|GraphKeys\..*|app\..*|flags\..*|logging\..*|gfile\..*|"
    r"examples\..*|train\.\w*Optimizer|.*_initializer|initializers\..*|keras\.initializers\..*|"
    r"nn\.rnn_cell\.\w+|train\.Coordinator|name_scope|variable_scope|control_dependencies|device|"
    r"disable_v2_behavior|disable_eager_execution|trainable_variables|global_variables|get_collection|"
    r"add_to_collection|compat\..*|as_dtype|TensorShape|Dimension|dtypes\..*)$"
)
# TF1 optimizers' default names (the scope of their update ops).
OPTIMIZER_NAMES = {
    "GradientDescentOptimizer": "GradientDescent", "AdamOptimizer": "Adam", "MomentumOptimizer": "Momentum",
    "AdagradOptimizer": "Adagrad", "RMSPropOptimizer": "RMSProp", "AdadeltaOptimizer": "Adadelta",
    "FtrlOptimizer": "Ftrl", "ProximalGradientDescentOptimizer": "ProximalGradientDescent",
    "ProximalAdagradOptimizer": "ProximalAdagrad", "AdagradDAOptimizer": "AdagradDA",
}
AUGMENTED = {cst.AddAssign: "add", cst.SubtractAssign: "sub", cst.MultiplyAssign: "mul", cst.DivideAssign: "truediv"}
ASSIGN_NAMES = {"assign": "Assign", "assign_add": "AssignAdd", "assign_sub": "AssignSub"}
SUMMARY_OPS = ("summary.scalar", "summary.histogram", "summary.image", "summary.audio", "summary.text",
               "summary.tensor_summary")
INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")
SCOPES = ("name_scope", "variable_scope")


@dataclass
class Tag:
    text: str
    certain: bool  # False: a name in its scope could not be told; TF1 may have added a suffix
    scope_known: bool = True  # False: a name scope around it is not a literal (left out of `text`)


@dataclass
class _Scope:
    prefix: str | None  # "a/b/" or "" at the top; None: a scope whose name is not known
    env: dict[str, str] = field(default_factory=dict)  # helper parameters bound to literal strings


def clean_tag(name: str) -> str:
    """TF 1's summary_op_util.clean_tag: invalid characters become `_`, leading `/` go."""
    return INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")


class OpNames:
    """The names the graph's statements give their ops, replayed in program order."""

    def __init__(self, sym: Callable[[cst.BaseExpression], str | None], functions: dict[str, cst.FunctionDef]) -> None:
        self.sym = sym
        self.functions = functions  # the module's functions the graph may call
        self.in_use: dict[str, int] = {}  # Graph._names_in_use (lower-case keys)
        self.guessed: set[str] = set()  # keys whose names were guessed from a function's name
        self.unknown: set[str] = set()  # scope prefixes where some name could not be told
        self.tags: dict[int, Tag] = {}  # summary call id -> its tag
        # (graph-level call of a module function, summary call in that function) -> its tag
        self.site_tags: dict[tuple[int, int], Tag] = {}
        self.tensors: set[str] = set()  # Python names holding tensors (operators on them create ops)
        self.optimizers: dict[str, str] = {}  # optimizer variable -> its TF1 name
        self._depth = 0
        self._site: cst.Call | None = None  # the graph-level call whose function is replayed

    # -- Graph.unique_name ------------------------------------------------------------------
    def unique(self, name: str, guessed: bool = False) -> str:
        key = name.lower()
        count = self.in_use.get(key, 0)
        self.in_use[key] = count + 1
        if guessed:
            self.guessed.add(key)
        if count == 0:
            return name
        base = key
        while key in self.in_use:
            key = f"{base}_{count}"
            count += 1
        self.in_use[key] = 1
        return f"{name}_{count - 1}"

    def _collides_with_guess(self, prefix: str, name: str) -> bool:
        key = (prefix + name).lower()
        return key in self.guessed or any(k.startswith(key + "_") for k in self.guessed)

    def _name(self, scope: _Scope, name: str, guessed: bool = False) -> None:
        if scope.prefix is not None:
            self.unique(scope.prefix + name, guessed)

    def _unknown(self, scope: _Scope) -> None:
        if scope.prefix is not None:
            self.unknown.add(scope.prefix)

    # -- statements ---------------------------------------------------------------------------
    def replay(self, statements: Sequence[cst.CSTNode]) -> None:
        self._block(statements, _Scope(""))

    def _block(self, statements: Sequence[cst.CSTNode], scope: _Scope) -> None:
        for stmt in statements:
            self._statement(stmt, scope)

    def _statement(self, stmt: cst.CSTNode, scope: _Scope) -> None:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef, cst.Import, cst.ImportFrom)):
            return
        if isinstance(stmt, cst.With):
            inner = scope
            for item in stmt.items:
                inner = self._with_item(item.item, inner)
            self._block(stmt.body.body, inner)
            return
        if isinstance(stmt, (cst.For, cst.While, cst.If, cst.Try)):
            # Ops built here are built once per iteration or branch: names after them
            # cannot be told.
            before = dict(self.in_use)
            for part in _blocks(stmt):
                self._block(part, scope)
            if self.in_use != before:
                self._unknown(scope)
            return
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._small(small, scope)

    def _small(self, small: cst.BaseSmallStatement, scope: _Scope) -> None:
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            return
        if isinstance(small, cst.Expr):
            self._expression(small.value, scope)
            return
        if isinstance(small, cst.Assign):
            tensor = self._expression(small.value, scope)
            names = [n for t in small.targets for n in assigned_names(t.target)]
            self._bind(names, small.value, tensor)
            return
        if isinstance(small, cst.AugAssign):
            tensor = self._expression(small.value, scope) or self._is_tensor(small.target)
            name = AUGMENTED.get(type(small.operator))
            if tensor and name:
                self._name(scope, name)
            return
        if isinstance(small, cst.Return) and small.value is not None:
            self._expression(small.value, scope)

    def _bind(self, names: list[str], value: cst.BaseExpression, tensor: bool) -> None:
        for name in names:
            if tensor:
                self.tensors.add(name)
            else:
                self.tensors.discard(name)
        if len(names) == 1 and isinstance(value, cst.Call):
            optimizer = self._optimizer_name(value)
            if optimizer is not None:
                self.optimizers[names[0]] = optimizer

    def _with_item(self, item: cst.BaseExpression, scope: _Scope) -> _Scope:
        if not (isinstance(item, cst.Call) and self.sym(item.func) in SCOPES):
            self._expression(item, scope)
            return scope
        node = argument(item, 0, "name" if self.sym(item.func) == "name_scope" else "name_or_scope")
        name = self._literal(node, scope)
        if scope.prefix is None or name is None:
            self._unknown(scope)
            return _Scope(None, scope.env)
        if name.endswith("/"):  # an absolute scope, entered again as it is
            return _Scope(name, scope.env)
        return _Scope(self.unique(scope.prefix + name) + "/", scope.env)

    def _literal(self, node: cst.BaseExpression | None, scope: _Scope) -> str | None:
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(node, cst.Name):
            return scope.env.get(node.value)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):  # 'W_' + name
            left, right = self._literal(node.left, scope), self._literal(node.right, scope)
            return None if left is None or right is None else left + right
        return None

    # -- expressions -----------------------------------------------------------------------
    def _expression(self, expr: cst.BaseExpression, scope: _Scope) -> bool:
        """Name the ops ``expr`` creates, arguments first; True when it is a tensor."""
        names = self

        class _Replay(FastVisitor):
            def __init__(self) -> None:
                self.tensor: dict[int, bool] = {}

            def visit_Lambda(self, node: cst.Lambda) -> bool:
                return False  # run later, if ever (tf.cond branches: inside the cond's scope)

            def leave_Call(self, node: cst.Call) -> None:
                self.tensor[id(node)] = names._call(node, scope, any(self.tensor.get(id(a.value)) for a in node.args))

            def leave_BinaryOperation(self, node: cst.BinaryOperation) -> None:
                self._operator(node, node.operator, [node.left, node.right])

            def leave_UnaryOperation(self, node: cst.UnaryOperation) -> None:
                self._operator(node, node.operator, [node.expression])

            def leave_Comparison(self, node: cst.Comparison) -> None:
                operands = [node.left, *(c.comparator for c in node.comparisons)]
                self._operator(node, node.comparisons[0].operator, operands)

            def leave_Subscript(self, node: cst.Subscript) -> None:
                if self._tensor(node.value):
                    names._name(scope, "strided_slice")
                    self.tensor[id(node)] = True

            def leave_Name(self, node: cst.Name) -> None:
                self.tensor[id(node)] = node.value in names.tensors

            def leave_Attribute(self, node: cst.Attribute) -> None:
                self.tensor[id(node)] = False

            def _tensor(self, node: cst.CSTNode) -> bool:
                return self.tensor.get(id(node), False)

            def _operator(self, node, operator, operands) -> None:
                if any(self._tensor(o) for o in operands):
                    name = OPERATORS.get(type(operator))
                    if name is not None:
                        names._name(scope, name)
                    self.tensor[id(node)] = True

        replay = _Replay()
        expr.visit(replay)
        return replay.tensor.get(id(expr), False)

    def _is_tensor(self, expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.Name) and expr.value in self.tensors

    def _call(self, call: cst.Call, scope: _Scope, tensor_argument: bool) -> bool:
        """Name what ``call`` creates; True when it returns a tensor."""
        symbol = self.sym(call.func)
        if symbol is None:
            return self._python_call(call, scope, tensor_argument)
        if symbol == "reset_default_graph":
            self.in_use.clear()
            self.guessed.clear()
            self.unknown.clear()
            return False
        if symbol in SUMMARY_OPS:
            self._summary(call, scope)
            return True
        if NO_OPS.match(symbol):
            return False
        if symbol == "get_variable":
            node = argument(call, 0, "name")
        else:
            node = argument(call, 99, "name")
        if node is not None:
            name = self._literal(node, scope)
            if name is None:
                self._unknown(scope)
            else:
                self._name(scope, name)
            return True
        known = DEFAULT_NAMES.get(symbol)
        self._name(scope, known or symbol.rsplit(".", 1)[-1].lower(), guessed=known is None)
        return True

    def _python_call(self, call: cst.Call, scope: _Scope, tensor_argument: bool) -> bool:
        func = call.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            optimizer = self._receiver_optimizer(func.value)
            if optimizer is not None and method in ("minimize", "compute_gradients", "apply_gradients"):
                if method != "apply_gradients":
                    self._name(scope, "gradients")
                if method != "compute_gradients":
                    if optimizer == "Adam":
                        self._name(scope, "beta1_power")
                        self._name(scope, "beta2_power")
                    self._name(scope, optimizer)
                return True
            if method in ASSIGN_NAMES and self._is_tensor(func.value):
                self._name(scope, ASSIGN_NAMES[method])
                return True
            return False
        if isinstance(func, cst.Name) and func.value in self.functions and self._depth < 4:
            self._function(self.functions[func.value], call, scope)
            return True
        return tensor_argument

    def _receiver_optimizer(self, receiver: cst.BaseExpression) -> str | None:
        if isinstance(receiver, cst.Name):
            return self.optimizers.get(receiver.value)
        if isinstance(receiver, cst.Call):
            return self._optimizer_name(receiver)
        return None

    def _optimizer_name(self, call: cst.Call) -> str | None:
        symbol = self.sym(call.func) or ""
        if not symbol.startswith("train."):
            return None
        default = OPTIMIZER_NAMES.get(symbol[len("train."):])
        if default is None:
            return None
        node = argument(call, 99, "name")
        return node.evaluated_value if isinstance(node, cst.SimpleString) else default

    def _function(self, fn: cst.FunctionDef, call: cst.Call, scope: _Scope) -> None:
        """A module function the graph calls: its ops are named where it is called."""
        env: dict[str, str] = {}
        params = fn.params.params
        for position, param in enumerate(params):
            node = argument(call, position, param.name.value)
            if node is None and param.default is not None:
                node = param.default
            value = self._literal(node, scope) if node is not None else None
            if value is not None:
                env[param.name.value] = value
        saved = self.tensors
        self.tensors = set(saved) | {p.name.value for p in params}
        if self._depth == 0:
            self._site = call
        self._depth += 1
        try:
            self._block(fn.body.body, _Scope(scope.prefix, env))
        finally:
            self._depth -= 1
            self.tensors = saved

    def _summary(self, call: cst.Call, scope: _Scope) -> None:
        name = self._literal(argument(call, 0, "name"), scope)
        family_node = argument(call, 99, "family")
        family = self._literal(family_node, scope) if family_node is not None else None
        if name is None or (family_node is not None and family is None):
            self._unknown(scope)
            return
        name, family = clean_tag(name), clean_tag(family) if family is not None else None
        base = name if family is None else f"{family}/{name}"
        if scope.prefix is None:
            tag = Tag(base if family is None else f"{family}/{base}", False, scope_known=False)
        else:
            certain = scope.prefix not in self.unknown and not self._collides_with_guess(scope.prefix, base)
            unique = self.unique(scope.prefix + base)
            tag = Tag(unique if family is None else f"{family}/{unique}", certain)
        self.tags[id(call)] = tag
        if self._depth == 1 and self._site is not None:  # in a function the graph calls: one tag per call
            self.site_tags[(id(self._site), id(call))] = tag


def _blocks(stmt: cst.CSTNode) -> list[Sequence[cst.CSTNode]]:
    """The statement lists of a loop, condition or try statement."""
    found: list[Sequence[cst.CSTNode]] = []
    for part in (getattr(stmt, "body", None), getattr(stmt, "orelse", None), getattr(stmt, "finalbody", None)):
        if isinstance(part, cst.If):
            found.extend(_blocks(part))
        elif isinstance(part, (cst.Else, cst.Finally)):
            found.append(part.body.body)
        elif isinstance(part, cst.IndentedBlock):
            found.append(part.body)
    for handler in getattr(stmt, "handlers", ()):
        found.append(handler.body.body)
    return found

