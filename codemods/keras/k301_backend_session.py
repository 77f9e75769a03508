"""K301: the Keras 2 backend's session and global-state functions -> Keras 3.

* ``K.function(inputs, outputs)`` -> ``keras.Function(inputs, outputs)`` wrapped so a
  call still returns NumPy arrays in the outputs' structure, as Keras 2's did
  (``keras.tree.map_structure(keras.ops.convert_to_numpy, ...)``); the learning phase
  default (0) is what Keras 3 layers do when called without ``training``. A function
  with ``K.learning_phase()`` among its inputs has no Keras 3 counterpart: reported.
* ``K.image_dim_ordering()`` -> ``K.image_data_format()`` (comparisons with
  ``'th'``/``'tf'`` become comparisons with ``'channels_first'``/``'channels_last'``);
  ``K.set_image_dim_ordering('th')`` -> ``K.set_image_data_format('channels_first')``.
* ``K.set_session(sess)`` as a statement is removed (TF 2 has no sessions; what the
  session configured, e.g. GPU memory growth, is set with ``tf.config``): reported.
* ``K.get_session()``, ``K.placeholder``, ``K.set_learning_phase``/``K.learning_phase``:
  no Keras 3 form; reported with the reason (for the learning phase: pass
  ``training=`` to the layers or models instead).
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis.cst_tools import code, literal_value, nodes_of, positional
from codemods.analysis.keras_calls import KerasRefs, backend_function, may_use_keras
from codemods.base import Example, Rule

_DIM_ORDERING = {"th": "channels_first", "tf": "channels_last"}
_NO_EQUIVALENT = {
    "get_session": "Keras 3 has no session: run TF 2 code eagerly (tf.function) instead of session.run",
    "placeholder": "Keras 3 has no placeholders: use keras.Input for model inputs or function arguments",
    "tf": "`K.tf` (TensorFlow re-exported by the Keras 2 backend) is gone: import tensorflow",
}


class BackendSession(Rule):
    code = "K301"
    keras3_keeps = "its backend calls are Keras 3's and are left as they are"
    details = (
        "K.function(inputs, outputs) becomes keras.Function(inputs, outputs) whose results are "
        "converted to NumPy in the same structure, as Keras 2 returned them. Functions taking "
        "K.learning_phase() as an input, K.get_session() and K.placeholder have no Keras 3 form "
        "and are reported. K.set_session(...) statements are removed and reported (configure "
        "TF 2 with tf.config). image_dim_ordering 'th'/'tf' -> image_data_format "
        "'channels_first'/'channels_last'."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow import keras
                from tensorflow.keras import backend as K

                get_features = K.function([model.input], [model.layers[1].output])
                if K.image_dim_ordering() == 'th':
                    shape = (1, 28, 28)
                K.set_image_dim_ordering('tf')
                """
            ),
            after=textwrap.dedent(
                """\
                from tensorflow import keras
                from tensorflow.keras import backend as K

                get_features = lambda inputs, _function=keras.Function([model.input], [model.layers[1].output]): keras.tree.map_structure(keras.ops.convert_to_numpy, _function(inputs))
                if K.image_data_format() == 'channels_first':
                    shape = (1, 28, 28)
                K.set_image_data_format('channels_last')
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.keras import backend as K

                print(K.image_data_format(), K.epsilon())
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not may_use_keras(self.resolver):
            return tree
        self.refs = KerasRefs(self.resolver, self.context)
        self._comparisons: set[int] = set()
        return self.refs.apply(self.transformed(tree))

    def _backend_fn(self, func: cst.BaseExpression) -> str | None:
        return backend_function(self.qualified_name(func))

    def _ordering_test(self, node: cst.Comparison) -> bool:
        left = node.left
        if not (isinstance(left, cst.Call) and isinstance(left.func, cst.Attribute) and self._backend_fn(left.func) == "image_dim_ordering"):
            return False
        if len(node.comparisons) != 1 or left.args:
            return False
        target = node.comparisons[0]
        return isinstance(target.operator, (cst.Equal, cst.NotEqual)) and literal_value(target.comparator) in _DIM_ORDERING

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if self._ordering_test(node):
            self._comparisons.add(id(node.left))

    def leave_Comparison(self, original_node: cst.Comparison, updated_node: cst.Comparison):
        """``K.image_dim_ordering() == 'th'`` -> ``K.image_data_format() == 'channels_first'``."""
        if not self._ordering_test(original_node):
            return updated_node
        target = original_node.comparisons[0]
        value = literal_value(target.comparator)
        func = updated_node.left.func
        new_left = updated_node.left.with_changes(func=_renamed(func, "image_data_format"))
        quote = target.comparator.quote if isinstance(target.comparator, cst.SimpleString) else "'"
        comparator = cst.SimpleString(f"{quote}{_DIM_ORDERING[value]}{quote}")
        comparison = updated_node.comparisons[0].with_changes(comparator=comparator)
        return updated_node.with_changes(left=new_left, comparisons=[comparison])

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        name = self._backend_fn(original_node.func)
        if name is None:
            return updated_node
        if name in ("image_dim_ordering", "set_image_dim_ordering") and not isinstance(original_node.func, cst.Attribute):
            self.report(original_node, f"`{name}` imported by name: use image_data_format/set_image_data_format ('channels_first'/'channels_last'); left as it was")
            return updated_node
        if name == "image_dim_ordering":
            if id(original_node) in self._comparisons:
                return updated_node  # the comparison around it is rewritten as a whole
            fmt = updated_node.with_changes(func=_renamed(updated_node.func, "image_data_format"), args=())
            return cst.parse_expression(f"('th' if {code(fmt)} == 'channels_first' else 'tf')")
        if name == "set_image_dim_ordering":
            args = positional(updated_node)
            value = literal_value(args[0].value) if len(args) == 1 and len(updated_node.args) == 1 else None
            if value in _DIM_ORDERING:
                quote = args[0].value.quote if isinstance(args[0].value, cst.SimpleString) else "'"
                return updated_node.with_changes(
                    func=_renamed(updated_node.func, "set_image_data_format"),
                    args=[args[0].with_changes(value=cst.SimpleString(f"{quote}{_DIM_ORDERING[value]}{quote}"))],
                )
            self.report(original_node, "`set_image_dim_ordering` with a non-literal value: use set_image_data_format('channels_first'/'channels_last'); left as it was")
            return updated_node
        if name == "function":
            return self._function(original_node, updated_node)
        if name in _NO_EQUIVALENT:
            self.report(original_node, f"`K.{name}`: {_NO_EQUIVALENT[name]}; left as it was")
        elif name == "learning_phase":
            self.report(original_node, "`K.learning_phase()`: Keras 3 has no global learning phase (layers take training=True/False); left as it was")
        elif name == "set_learning_phase":
            self.report(original_node, "`K.set_learning_phase`: Keras 3 has no global learning phase (call layers/models with training=...); left as it was")
        return updated_node

    def _function(self, original: cst.Call, call: cst.Call) -> cst.BaseExpression:
        if any(a.keyword is not None and a.keyword.value not in ("inputs", "outputs") for a in call.args) or any(a.star for a in call.args):
            self.report(original, "`K.function` with updates or other options has no Keras 3 form (use a tf.function); left as it was")
            return call
        if len(call.args) != 2:
            return call
        if self._mentions_learning_phase(original):
            self.report(original, "`K.function` with `K.learning_phase()` as an input has no Keras 3 form: build keras.Model(inputs, outputs) and call it with training=True/False; left as it was")
            return call
        function = call.with_changes(func=cst.parse_expression(self.refs.ref("Function")))
        tree = self.refs.ref("tree.map_structure")
        to_numpy = self.refs.ref("ops.convert_to_numpy")
        self.report(original, "`K.function` -> keras.Function, results converted to NumPy as Keras 2 returned them", "converted")
        wrapper = cst.parse_expression(f"lambda inputs, _function=None: {tree}({to_numpy}, _function(inputs))")
        params = wrapper.params
        default = params.params[1].with_changes(default=function)
        return wrapper.with_changes(params=params.with_changes(params=[params.params[0], default]))

    def _mentions_learning_phase(self, node: cst.CSTNode) -> bool:
        return any(self._backend_fn(call.func) == "learning_phase" for call in nodes_of(node, cst.Call))

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine, updated_node):
        if len(original_node.body) != 1 or not isinstance(original_node.body[0], cst.Expr):
            return updated_node
        value = original_node.body[0].value
        if isinstance(value, cst.Call) and self._backend_fn(value.func) == "set_session":
            self.report(original_node, "`K.set_session(...)` removed: TF 2 has no sessions (set GPU memory growth and threads with tf.config)", "converted")
            return cst.RemoveFromParent()
        return updated_node


def _renamed(func: cst.BaseExpression, name: str) -> cst.BaseExpression:
    return func.with_changes(attr=cst.Name(name)) if isinstance(func, cst.Attribute) else func
