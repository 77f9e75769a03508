"""K302: Keras 2 backend math (``K.mean``, ``K.square``, ``K.concatenate``...) -> ``keras.ops``.

In TF 2.21, ``tensorflow.keras.backend`` still carries Keras 2's math as deprecated
TensorFlow-only functions; ``keras.ops`` is Keras 3's own, works on symbolic Keras
tensors and on every backend. Each entry below was checked against Keras 2.3.1's
TensorFlow backend; where the two differ in a default, the Keras 2 value is written
out (``K.concatenate`` joins on the last axis, ``ops.concatenate`` on the first;
``K.argmax``/``K.expand_dims`` default to ``axis=-1``, ``K.cumsum`` to ``axis=0``;
``K.gather`` takes along axis 0, ``ops.take`` over the flattened tensor). ``K.sqrt``
clipped its argument at 0 first: kept as ``ops.sqrt(ops.maximum(x, 0.0))`` unless the
argument cannot be negative (a square, an absolute value, a mean or sum of those...).

Functions without an exact ``keras.ops`` twin (``K.batch_dot``, ``K.l2_normalize``,
``K.switch``, the crossentropies, ``K.epsilon()``...) stay on the backend, which TF 2.21
still has.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import libcst as cst

from codemods.analysis.cst_tools import keyword, kwarg, literal_value, positional, with_args
from codemods.analysis.keras_calls import KerasRefs, backend_function, may_use_keras
from codemods.base import Example, Rule


@dataclass(frozen=True)
class OpSpec:
    op: str
    # Keras 2 parameter names in order -> the ops parameter name (None: same name).
    params: tuple[tuple[str, str | None], ...]
    # Keras 2 defaults that differ from keras.ops': written out when absent.
    defaults: tuple[tuple[str, str], ...] = ()
    # Minimum number of positional/keyword arguments for the conversion to apply.
    min_args: int = 1
    # Maximum number of arguments (e.g. K.relu with alpha has no ops twin).
    max_args: int = 99


def _unary(op: str) -> OpSpec:
    return OpSpec(op, (("x", None),), max_args=1)


def _reduce(op: str) -> OpSpec:
    return OpSpec(op, (("x", None), ("axis", None), ("keepdims", None)))


def _binary(op: str) -> OpSpec:
    return OpSpec(op, (("x", "x1"), ("y", "x2")), min_args=2, max_args=2)


OPS: dict[str, OpSpec] = {
    **{name: _unary(name) for name in ("abs", "square", "exp", "log", "tanh", "sigmoid", "softplus", "softsign", "sign", "round", "cos", "sin")},
    "sqrt": _unary("sqrt"),
    "relu": _unary("relu"),
    **{name: _reduce(name) for name in ("mean", "sum", "max", "min", "prod", "std", "var", "any", "all", "logsumexp")},
    **{name: _binary(name) for name in ("maximum", "minimum", "equal", "not_equal", "greater", "greater_equal", "less", "less_equal", "dot")},
    "pow": OpSpec("power", (("x", "x1"), ("a", "x2")), min_args=2, max_args=2),
    "clip": OpSpec("clip", (("x", None), ("min_value", "x_min"), ("max_value", "x_max")), min_args=3, max_args=3),
    "concatenate": OpSpec("concatenate", (("tensors", "xs"), ("axis", None)), defaults=(("axis", "-1"),)),
    "stack": OpSpec("stack", (("x", None), ("axis", None)), defaults=(("axis", "0"),)),
    "reshape": OpSpec("reshape", (("x", None), ("shape", "newshape")), min_args=2, max_args=2),
    "transpose": OpSpec("transpose", (("x", None),), max_args=1),
    "permute_dimensions": OpSpec("transpose", (("x", None), ("pattern", "axes")), min_args=2, max_args=2),
    "expand_dims": OpSpec("expand_dims", (("x", None), ("axis", None)), defaults=(("axis", "-1"),)),
    "squeeze": OpSpec("squeeze", (("x", None), ("axis", None)), min_args=2, max_args=2),
    "cast": OpSpec("cast", (("x", None), ("dtype", None)), min_args=2, max_args=2),
    "argmax": OpSpec("argmax", (("x", None), ("axis", None)), defaults=(("axis", "-1"),)),
    "argmin": OpSpec("argmin", (("x", None), ("axis", None)), defaults=(("axis", "-1"),)),
    "cumsum": OpSpec("cumsum", (("x", None), ("axis", None)), defaults=(("axis", "0"),)),
    "cumprod": OpSpec("cumprod", (("x", None), ("axis", None)), defaults=(("axis", "0"),)),
    "softmax": OpSpec("softmax", (("x", None), ("axis", None)), defaults=(("axis", "-1"),)),
    "elu": OpSpec("elu", (("x", None), ("alpha", None))),
    "gather": OpSpec("take", (("reference", "x"), ("indices", None)), defaults=(("axis", "0"),), min_args=2, max_args=2),
    "one_hot": OpSpec("one_hot", (("indices", "x"), ("num_classes", None)), min_args=2, max_args=2),
    "tile": OpSpec("tile", (("x", None), ("n", "repeats")), min_args=2, max_args=2),
    "repeat_elements": OpSpec("repeat", (("x", None), ("rep", "repeats"), ("axis", None)), min_args=3, max_args=3),
    "zeros_like": OpSpec("zeros_like", (("x", None), ("dtype", None))),
    "ones_like": OpSpec("ones_like", (("x", None), ("dtype", None))),
}

# Keras 2 backend functions whose result is never negative (K.sqrt needs no clipping).
_NON_NEGATIVE = {"square", "abs", "exp", "sqrt", "relu", "softplus", "sigmoid", "softmax", "epsilon"}
_KEEPS_SIGN = {"mean", "sum", "max", "min", "prod", "maximum"}


class BackendMathToOps(Rule):
    code = "K302"
    keras3_keeps = "its backend calls are Keras 3's and are left as they are"
    details = (
        "Converted where keras.ops computes the same thing: K.concatenate gets axis=-1 "
        "(ops.concatenate defaults to 0), K.argmax/K.expand_dims axis=-1, K.cumsum axis=0, "
        "K.gather -> ops.take(..., axis=0), K.pow -> ops.power, K.permute_dimensions -> "
        "ops.transpose. K.sqrt clipped negative arguments to 0: ops.sqrt(ops.maximum(x, 0.0)) "
        "unless the argument cannot be negative. K.epsilon(), K.batch_dot, K.l2_normalize, "
        "K.switch and the crossentropies stay on tensorflow.keras.backend."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras import backend as K


                def rmse(y_true, y_pred):
                    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))


                def joined(tensors):
                    return K.concatenate([K.expand_dims(t) for t in tensors])
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow.keras import backend as K
                from tensorflow.keras import ops


                def rmse(y_true, y_pred):
                    return ops.sqrt(ops.mean(ops.square(y_pred - y_true), axis=-1))


                def joined(tensors):
                    return ops.concatenate([ops.expand_dims(t, axis=-1) for t in tensors], axis=-1)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras import backend as K


                def loss(y_true, y_pred):
                    return K.batch_dot(y_true, y_pred) + K.epsilon()
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        self.refs = KerasRefs(self.resolver, self.context)
        return self.refs.apply(self.transformed(tree))

    def _backend_fn(self, func: cst.BaseExpression) -> str | None:
        return backend_function(self.qualified_name(func))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        name = self._backend_fn(original_node.func)
        spec = OPS.get(name or "")
        if spec is None or any(a.star for a in updated_node.args):
            return updated_node
        args = list(updated_node.args)
        if not spec.min_args <= len(args) <= spec.max_args:
            return updated_node
        names = [p for p, _ in spec.params]
        renames = dict(spec.params)
        new_args: list[cst.Arg] = []
        for index, arg in enumerate(args):
            kw = keyword(arg)
            if kw is None:
                if index >= len(names):
                    return updated_node
                new_args.append(arg)
                continue
            if kw not in renames:
                return updated_node  # e.g. name=: no ops counterpart
            new_args.append(arg.with_changes(keyword=cst.Name(renames[kw] or kw)) if renames[kw] else arg)
        given = {keyword(a) for a in args} | set(names[: len(positional(updated_node))])
        for param, value in spec.defaults:
            if param not in given:
                new_args.append(kwarg(param, value))
        func = cst.parse_expression(self.refs.ref(f"ops.{spec.op}", prefer_import=("tensorflow.keras", "ops")))
        call = updated_node.with_changes(func=func)
        call = with_args(call, new_args) if new_args != args else call
        if name == "sqrt" and not self._non_negative(original_node.args[0].value):
            maximum = self.refs.ref("ops.maximum", prefer_import=("tensorflow.keras", "ops"))
            inner = cst.parse_expression(f"{maximum}(x, 0.0)")
            inner = inner.with_changes(args=[inner.args[0].with_changes(value=new_args[0].value), inner.args[1]])
            call = call.with_changes(args=[new_args[0].with_changes(value=inner)])
        return call

    def _non_negative(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Call):
            name = self._backend_fn(expr.func)
            if name in _NON_NEGATIVE:
                return True
            if name in _KEEPS_SIGN and expr.args:
                if name == "maximum":
                    return any(self._non_negative(a.value) or _positive_literal(a.value) for a in expr.args)
                return self._non_negative(expr.args[0].value)
            return False
        if isinstance(expr, cst.BinaryOperation):
            if isinstance(expr.operator, cst.Power) and literal_value(expr.right) == 2:
                return True
            if isinstance(expr.operator, (cst.Add, cst.Multiply, cst.Divide)):
                return all(self._non_negative(side) or _positive_literal(side) for side in (expr.left, expr.right))
        return False


def _positive_literal(expr: cst.BaseExpression) -> bool:
    value = literal_value(expr)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
