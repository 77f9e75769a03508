"""TF1 RNN cells and their runners (``tf.nn.dynamic_rnn``, ``static_rnn``, the bidirectional
ones) -> ``tf.keras.layers.RNN`` over Keras cells with TF1's weight layout (the templates
below, inserted into the module once used).

About 600 lines, one job: the cell templates (code written into the converted module) and the
plans for each runner (one cell, bidirectional, chained by ``initial_state``) share the cell and
factory records; split, each part would need the others'."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import libcst as cst

from codemods.analysis.cst_tools import nodes_of
from codemods.analysis.graph import assigned_names, calls_in, names_read, returned_variable, single_assignment
from codemods.graph.g102_layers_to_keras.syntax import Skip, bind, is_name, is_none, plain_names

if TYPE_CHECKING:
    from codemods.graph.g102_layers_to_keras.converter import Converter
    from codemods.graph.g102_layers_to_keras.layer_calls import ClassNames


# TF1's LSTM cell as a Keras RNN cell with TF1's weight layout, so that the converted
# program starts from the same weights and computes the same gates.
_LSTM = ("num_units", "forget_bias", "state_is_tuple", "activation", "reuse", "name", "dtype")
_FULL_LSTM = ("num_units", "use_peepholes", "cell_clip", "initializer", "num_proj", "proj_clip", "num_unit_shards",
              "num_proj_shards", "forget_bias", "state_is_tuple", "activation", "reuse", "name", "dtype")
_GRU = ("num_units", "activation", "reuse", "kernel_initializer", "bias_initializer", "name", "dtype")
_BASIC_RNN = ("num_units", "activation", "reuse", "name", "dtype")
# TF1 cell -> (its parameters in order, the generated Keras cell that keeps its layout).
RNN_CELLS: dict[str, tuple[tuple[str, ...], str]] = {}
for _prefix in ("nn.rnn_cell.", "contrib.rnn."):
    RNN_CELLS[_prefix + "BasicLSTMCell"] = (_LSTM, "lstm")
    RNN_CELLS[_prefix + "LSTMCell"] = (_FULL_LSTM, "lstm")
    RNN_CELLS[_prefix + "GRUCell"] = (_GRU, "gru")
    RNN_CELLS[_prefix + "BasicRNNCell"] = (_BASIC_RNN, "basic")
MULTI_RNN_CELLS = {"nn.rnn_cell.MultiRNNCell", "contrib.rnn.MultiRNNCell"}
DROPOUT_WRAPPERS = {"nn.rnn_cell.DropoutWrapper", "contrib.rnn.DropoutWrapper"}
# Why a DropoutWrapper stays: its masks come from the runner's own random op.
DROPOUT_WRAPPER = ("DropoutWrapper: TF1 draws its masks from one random op run at every step of the RNN's loop; "
                   "Keras' RNN also calls its cell once before the loop (for the output shape), which would draw "
                   "other masks, and passes a cell no fed keep probability")
DYNAMIC_RNN = ("cell", "inputs", "sequence_length", "initial_state", "dtype", "parallel_iterations", "swap_memory",
               "time_major", "scope")
STATIC_RNN = ("cell", "inputs", "initial_state", "dtype", "sequence_length", "scope")
STATIC_BIRNN = ("cell_fw", "cell_bw", "inputs", "initial_state_fw", "initial_state_bw", "dtype", "sequence_length",
                "scope")
DYNAMIC_BIRNN = ("cell_fw", "cell_bw", "inputs", "sequence_length", "initial_state_fw", "initial_state_bw", "dtype",
                 "parallel_iterations", "swap_memory", "time_major", "scope")
RNN_RUNNERS = {"nn.dynamic_rnn": DYNAMIC_RNN, "nn.static_rnn": STATIC_RNN, "contrib.rnn.static_rnn": STATIC_RNN,
               "nn.static_bidirectional_rnn": STATIC_BIRNN, "contrib.rnn.static_bidirectional_rnn": STATIC_BIRNN,
               "nn.bidirectional_dynamic_rnn": DYNAMIC_BIRNN}
TF1_LSTM_CELL = '''\
class {name}({tf}.keras.layers.Layer):
    """TF1's tf.nn.rnn_cell.BasicLSTMCell / LSTMCell for tf.keras.layers.RNN: one kernel over
    [inputs, h] with the gates in TF1's order (i, j, f, o) and forget_bias added at run time
    (a Keras LSTMCell has kernel + recurrent_kernel, gates (i, f, c, o) and an orthogonal
    recurrent initializer: it would start from other weights)."""

    def __init__(self, num_units, forget_bias=1.0, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = num_units
        self.forget_bias = forget_bias
        self.activation = activation or {tf}.math.tanh
        self.state_size = [num_units, num_units]  # (c, h), TF1's LSTMStateTuple
        self.output_size = num_units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=[input_shape[-1] + self.units, 4 * self.units],
            initializer={tf}.keras.initializers.GlorotUniform())
        self.bias = self.add_weight(name="bias", shape=[4 * self.units], initializer="zeros")

    def call(self, inputs, states):
        c, h = states
        gates = {tf}.matmul({tf}.concat([inputs, h], 1), self.kernel) + self.bias
        i, j, f, o = {tf}.split(gates, 4, axis=1)
        new_c = c * {tf}.math.sigmoid(f + self.forget_bias) + {tf}.math.sigmoid(i) * self.activation(j)
        new_h = self.activation(new_c) * {tf}.math.sigmoid(o)
        return new_h, [new_c, new_h]
'''

TF1_GRU_CELL = '''\
class {name}({tf}.keras.layers.Layer):
    """TF1's tf.nn.rnn_cell.GRUCell for tf.keras.layers.RNN: a gates kernel over [inputs, h]
    giving (r, u) with biases starting at 1.0, then a candidate kernel over [inputs, r * h]
    (a Keras GRUCell has kernel + recurrent_kernel, gates (z, r, h), zero biases and an
    orthogonal recurrent initializer: it would start from other weights)."""

    def __init__(self, num_units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = num_units
        self.activation = activation or {tf}.math.tanh
        self.state_size = num_units
        self.output_size = num_units

    def build(self, input_shape):
        depth = input_shape[-1] + self.units
        self.gate_kernel = self.add_weight(
            name="gates_kernel", shape=[depth, 2 * self.units], initializer={tf}.keras.initializers.GlorotUniform())
        self.gate_bias = self.add_weight(name="gates_bias", shape=[2 * self.units], initializer="ones")
        self.candidate_kernel = self.add_weight(
            name="candidate_kernel", shape=[depth, self.units], initializer={tf}.keras.initializers.GlorotUniform())
        self.candidate_bias = self.add_weight(name="candidate_bias", shape=[self.units], initializer="zeros")

    def call(self, inputs, states):
        h = states[0] if isinstance(states, (list, tuple)) else states
        r, u = {tf}.split({tf}.math.sigmoid({tf}.matmul({tf}.concat([inputs, h], 1), self.gate_kernel) + self.gate_bias), 2, axis=1)
        c = self.activation({tf}.matmul({tf}.concat([inputs, r * h], 1), self.candidate_kernel) + self.candidate_bias)
        new_h = u * h + (1 - u) * c
        return new_h, [new_h] if isinstance(states, (list, tuple)) else new_h
'''
TF1_BASIC_RNN_CELL = '''\
class {name}({tf}.keras.layers.Layer):
    """TF1's tf.nn.rnn_cell.BasicRNNCell for tf.keras.layers.RNN: one kernel over [inputs, h]
    (a Keras SimpleRNNCell has kernel + recurrent_kernel with an orthogonal recurrent
    initializer: it would start from other weights)."""

    def __init__(self, num_units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = num_units
        self.activation = activation or {tf}.math.tanh
        self.state_size = num_units
        self.output_size = num_units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=[input_shape[-1] + self.units, self.units],
            initializer={tf}.keras.initializers.GlorotUniform())
        self.bias = self.add_weight(name="bias", shape=[self.units], initializer="zeros")

    def call(self, inputs, states):
        h = states[0] if isinstance(states, (list, tuple)) else states
        output = self.activation({tf}.matmul({tf}.concat([inputs, h], 1), self.kernel) + self.bias)
        return output, [output] if isinstance(states, (list, tuple)) else output
'''
CELL_TEMPLATES = {"lstm": ("TF1LSTMCell", TF1_LSTM_CELL), "gru": ("TF1GRUCell", TF1_GRU_CELL),
                  "basic": ("TF1BasicRNNCell", TF1_BASIC_RNN_CELL)}


def _leading_lines(statements, index: int, dropped: int) -> object:
    """The runner's blank lines and comments, or the dropped cell's after a function or class
    (whose blank lines would go with it)."""
    if not statements[index].leading_lines and dropped > 0 and isinstance(statements[dropped - 1], (cst.FunctionDef, cst.ClassDef)):
        return statements[dropped].leading_lines
    return statements[index].leading_lines


def _is_name_in(node: cst.BaseExpression | None, values) -> bool:
    return isinstance(node, cst.Name) and node.value in values


def rnn_plan(converter: Converter, statements, owner: ClassNames | None = None, created: list[str] | None = None,
             ) -> dict[int, list[cst.BaseStatement]]:
    """``cell = tf.nn.rnn_cell.BasicLSTMCell(n)`` + ``outputs, state = tf.nn.dynamic_rnn(cell, x,
    dtype=tf.float32)`` (or ``tf.contrib.rnn.static_rnn(cell, x_list, ...)``) -> one
    ``tf.keras.layers.RNN`` over a TF1-layout cell, created where the runner created the
    weights. Statement index -> its replacement. With ``owner`` (a graph-building function
    turned into a layer class), the RNN layer is an attribute whose constructor goes to
    ``created``."""
    # Blocks that only name their weights (an encoder under ``with tf.variable_scope("encode"):``)
    # are read as their statements; a block goes when all its statements were replaced.
    given: list[cst.BaseStatement] = []
    origin: list[tuple[int, int | None]] = []  # flat index -> (statement, position in its block)
    for at, stmt in enumerate(statements):
        block = _scope_block(converter, stmt, statements) if owner is None else None
        inner = block.body.body if block is not None else [stmt]  # type: ignore[attr-defined]
        given.extend(inner)
        origin.extend((at, n if block is not None else None) for n in range(len(inner)))
    known = set(converter.cell_classes)
    flat = _plan(converter, given, owner, created)
    plan = _block_plan(converter, statements, given, origin, flat)
    # A cell class only a conversion given up again used is not inserted.
    used = " ".join([*(created or []), *(converter.code(s) for new in plan.values() for s in new)])
    for kind in set(converter.cell_classes) - known:
        name = converter.cell_classes[kind][0]
        if name not in used:
            del converter.cell_classes[kind]
            converter.classes.discard(name)
    return plan


def _block_plan(converter: Converter, statements, given, origin, flat) -> dict[int, list[cst.BaseStatement]]:
    """The plan of the flattened statements as a plan of ``statements`` (a block goes whole or stays)."""
    plan: dict[int, list[cst.BaseStatement]] = {}
    for at, stmt in enumerate(statements):
        positions = [i for i, (o, n) in enumerate(origin) if o == at]
        if origin[positions[0]][1] is None:
            if positions[0] in flat:
                plan[at] = flat[positions[0]]
            continue
        if all(i in flat for i in positions):
            replaced = [new for i in positions for new in flat[i]]
            if replaced:
                replaced[0] = replaced[0].with_changes(leading_lines=stmt.leading_lines)
            plan[at] = replaced
        elif any(i in flat for i in positions):
            # Part of the block converted: none of it is (its runner's state may feed another).
            return {}
        else:
            # G101's refusal at the block's variable_scope gives its RNN's reason.
            reason = next((converter.declined[id(c)] for i in positions for c in calls_in(given[i])
                           if id(c) in converter.declined), None)
            for item in stmt.items if reason else ():  # type: ignore[attr-defined]
                for node in calls_in(item):
                    converter.declined.setdefault(id(node), reason)
    return plan


def _scope_block(converter: Converter, stmt: cst.BaseStatement, statements) -> cst.With | None:
    """``with tf.variable_scope("encode"):`` over simple statements building an RNN, whose
    scope only names the weights (no other string of the module names it), or None."""
    if not (isinstance(stmt, cst.With) and isinstance(stmt.body, cst.IndentedBlock)):
        return None
    made = RNN_RUNNERS.keys() | RNN_CELLS.keys() | MULTI_RNN_CELLS | DROPOUT_WRAPPERS
    for inner in stmt.body.body:
        # Only cells and their runners: what the plan replaces (the block goes whole or stays).
        assignment = single_assignment(inner)
        if assignment is None or not isinstance(assignment[1], cst.Call) or converter.rule.sym(assignment[1].func) not in made:
            return None
    if getattr(converter, "reuses_variables", True) or not any(
        converter.rule.sym(c.func) in RNN_RUNNERS for c in calls_in(stmt.body)
    ):
        return None
    scopes = []
    for item in stmt.items:
        call = item.item
        if item.asname is not None or not isinstance(call, cst.Call) or converter.rule.sym(call.func) != "variable_scope":
            return None
        bound = bind(call, ("name_or_scope",))
        name = bound.get("name_or_scope")
        if len(call.args) != 1 or not isinstance(name, cst.SimpleString):
            return None
        scopes.append(name.evaluated_value)
    for node in nodes_of(cst.Module(body=statements), cst.SimpleString):
        value = node.evaluated_value
        if isinstance(value, str) and any(value == scope or value.startswith(f"{scope}/") for scope in scopes):
            if not any(node is item.item.args[0].value for item in stmt.items):  # type: ignore[attr-defined]
                return None
    return stmt


def _plan(converter: Converter, statements, owner: ClassNames | None, created: list[str] | None,
          ) -> dict[int, list[cst.BaseStatement]]:
    plan: dict[int, list[cst.BaseStatement]] = {}
    cells: dict[str, tuple[int, cst.Call]] = {}
    made: dict[str, list[int]] = {}  # every statement that assigned a cell to the name
    finals: dict[str, str] = {}  # final state of a converted runner -> the kind of its cell
    producers: dict[str, set[int]] = {}  # that state -> the statements its conversion replaced
    given = statements
    statements = [_version_fallback(converter, stmt) or stmt for stmt in statements]
    # Functions returning a new TF1 cell (``def lstm_cell(): return rnn.BasicLSTMCell(n)``),
    # called once: the factory then returns the Keras cell.
    reads = Counter(n for stmt in statements for n in plain_names(stmt))
    factories = {
        stmt.name.value: (index, stmt) for index, stmt in enumerate(statements)
        if isinstance(stmt, cst.FunctionDef) and reads[stmt.name.value] == 2 and _cell_factory(converter, stmt) is not None
    }
    for index, stmt in enumerate(statements):
        if isinstance(stmt, cst.With):
            _note_nested(converter, stmt)
        assignment = single_assignment(stmt)
        if assignment is None or not isinstance(assignment[1], cst.Call):
            continue
        names, call = assignment
        symbol = converter.rule.sym(call.func)
        if (symbol in RNN_CELLS or symbol in MULTI_RNN_CELLS or symbol in DROPOUT_WRAPPERS
                or _is_name_in(call.func, factories)) and len(names) == 1:
            cells[names[0]] = (index, call)
            made.setdefault(names[0], []).append(index)
            continue
        if symbol not in RNN_RUNNERS:
            continue
        try:
            known = set(finals)
            done = _run_rnn(converter, statements, index, call, symbol, cells, factories, owner, created, finals)
            plan.update(done)
            producers.update((state, set(done)) for state in finals.keys() - known)
        except Skip as exc:
            for state in names_read(call) & finals.keys():
                # Its state feeds this runner, which stays TF1 (and expects TF1's state): it stays too.
                for at in producers.pop(state):
                    plan.pop(at, None)
                del finals[state]
            # G101 names the reason at whichever of the cells' or runner's calls it refuses first.
            reason = f"RNN left on TF1: {exc.reason}"
            converter.decline(given[index], exc.node, reason)
            for at in _cell_statements(statements, names_read(call), made):
                for node in calls_in(statements[at]):
                    converter.declined.setdefault(id(node), reason)
    return plan


def _note_nested(converter: Converter, stmt: cst.With) -> None:
    """Why an RNN inside a ``with`` block (an encoder under ``tf.variable_scope("encode")``)
    stays on TF1: the reason G101 gives for the block's calls."""
    runners = [c for c in calls_in(stmt.body) if converter.rule.sym(c.func) in RNN_RUNNERS]
    if not runners:
        return
    wrappers = [c for c in calls_in(stmt.body) if converter.rule.sym(c.func) in DROPOUT_WRAPPERS]
    if wrappers:
        node, reason = wrappers[0], DROPOUT_WRAPPER
    else:
        items = ", ".join(converter.code(item.item) for item in stmt.items)
        node, reason = runners[0], f"inside `with {items}:` (converted at a block's top level only)"
    converter.decline(stmt, node, f"RNN left on TF1: {reason}")


def _cell_statements(statements, read: set[str], made: dict[str, list[int]]) -> set[int]:
    """The statements that made the cells named in ``read``, through the cells they wrap."""
    found: set[int] = set()
    pending = list(read)
    while pending:
        for at in made.get(pending.pop(), ()):
            if at not in found:
                found.add(at)
                pending.extend(names_read(statements[at]))
    return found


def _version_fallback(converter: Converter, stmt: cst.BaseStatement) -> cst.BaseStatement | None:
    """``try: outputs, _, _ = rnn.static_bidirectional_rnn(...)`` / ``except Exception:
    outputs = rnn.static_bidirectional_rnn(...)`` (the same call for TF versions returning
    fewer results) -> the ``try`` arm's statement: on TF 1.15 the runner returns the full
    tuple, so the ``except`` arm ran only when the call raised, and the same call raises again."""
    if not (isinstance(stmt, cst.Try) and len(stmt.handlers) == 1 and stmt.orelse is None and stmt.finalbody is None
            and len(stmt.body.body) == 1):
        return None
    handler = stmt.handlers[0]
    if handler.name is not None or not (handler.type is None or is_name(handler.type, "Exception")):
        return None
    if len(handler.body.body) != 1:
        return None
    first, second = single_assignment(stmt.body.body[0]), single_assignment(handler.body.body[0])
    if first is None or second is None or not all(isinstance(a[1], cst.Call) for a in (first, second)):
        return None
    calls: list[cst.Call] = [first[1], second[1]]  # type: ignore[list-item]
    symbol = converter.rule.sym(calls[0].func)
    if symbol not in RNN_RUNNERS or converter.rule.sym(calls[1].func) != symbol:
        return None

    def arguments(call: cst.Call) -> list[tuple[str | None, str, str]]:
        return [(a.keyword.value if a.keyword else None, a.star, converter.code(a.value)) for a in call.args]

    if arguments(calls[0]) != arguments(calls[1]):
        return None
    return stmt.body.body[0].with_changes(leading_lines=stmt.leading_lines)


def _run_rnn(converter: Converter, statements, index, call, symbol, cells, factories, owner, created_lines,
             finals: dict[str, str] | None = None) -> dict[int, list[cst.BaseStatement]]:
    runner = symbol.rsplit(".", 1)[1]
    bound = bind(call, RNN_RUNNERS[symbol])
    if "cell_fw" in RNN_RUNNERS[symbol]:
        return _run_birnn(converter, statements, index, call, runner, bound, cells, factories, owner, created_lines)
    cell = bound.get("cell")
    if not isinstance(cell, cst.Name) or cell.value not in cells:
        raise Skip(call, f"{runner} over a cell this rule does not know "
                         "(BasicLSTMCell, LSTMCell, GRUCell, BasicRNNCell, MultiRNNCell of those)")
    if "scope" in bound and not is_none(bound["scope"]):
        raise Skip(call, f"{runner} with `scope=`")
    if "time_major" in bound and not is_name(bound["time_major"], "False"):
        raise Skip(call, f"{runner} with time_major=True")
    dtype = bound.get("dtype")
    if dtype is None or converter.rule.sym(dtype) != "float32":
        raise Skip(call, f"{runner} without dtype=float32")
    if "inputs" not in bound:
        raise Skip(call, f"{runner} without inputs")
    target = statements[index].body[0].targets[0].target
    if not isinstance(target, cst.Tuple) or len(target.elements) != 2:
        raise Skip(call, f"{runner}'s result not unpacked into (outputs, state)")
    cell_index, cell_call = cells[cell.value]
    factory_edits: dict[int, list[cst.BaseStatement]] = {}
    cell_code, state_kind = _keras_cell(converter, cell_call, factories, factory_edits, named=cells)
    finals = {} if finals is None else finals
    initial = bound.get("initial_state")
    kind = RNN_CELLS[converter.rule.sym(cell_call.func)][1] if converter.rule.sym(cell_call.func) in RNN_CELLS else None
    chained = isinstance(initial, cst.Name) and initial.value in finals
    if chained:
        # A decoder starting from its encoder's final state (``initial_state=enc_states``):
        # Keras' initial_state, the state as the encoder's RNN returned it.
        assert isinstance(initial, cst.Name)
        if kind != finals[initial.value]:
            raise Skip(initial, f"{runner} with `initial_state=` the state of an RNN over another kind of cell")
        zero_state = None
    else:
        zero_state = _zero_state(converter, statements, index, initial, cell.value, runner)
    # The cell object must serve this runner only (TF1 shares its weights otherwise).
    reads = [n for stmt in statements for n in plain_names(stmt) if n == cell.value]
    if len(reads) != 2 + (not chained and not is_none(initial or cst.Name("None"))):
        raise Skip(cell_call, f"the cell `{cell.value}` is used other than by this {runner} (shared weights or attributes such as state_size)")
    outputs = converter.code(target.elements[0].value)
    state_node = target.elements[1].value
    if isinstance(state_node, (cst.Tuple, cst.List)):
        # ``outputs, (c, h) = ...`` over one LSTM cell: Keras returns [outputs, c, h].
        if not (converter.rule.sym(cell_call.func) in RNN_CELLS and RNN_CELLS[converter.rule.sym(cell_call.func)][1] == "lstm"
                and len(state_node.elements) == 2 and all(isinstance(e.value, cst.Name) for e in state_node.elements)):
            raise Skip(call, f"{runner}'s state unpacked other than into (c, h) of one LSTM cell")
        target_code = f"{outputs}, {', '.join(converter.code(e.value) for e in state_node.elements)}"
    elif isinstance(state_node, cst.Name):
        state = state_node.value
        for stmt in statements[index + 1:]:
            for node in _attributes(stmt):
                value = node.value
                while isinstance(value, cst.Subscript):
                    value = value.value
                if is_name(value, state):
                    raise Skip(call, f"`{converter.code(node)}`: the state becomes a list ([c, h] for an LSTM cell)")
        # Keras returns [outputs, *states]; TF1 returned (outputs, state), where an LSTM
        # cell's state is LSTMStateTuple(c, h) and a MultiRNNCell's a tuple of those.
        target_code = f"{outputs}, *{state}" if state_kind == "list" else f"{outputs}, {state}"
    else:
        raise Skip(call, f"{runner}'s result not unpacked into (outputs, state)")
    inputs = converter.code(bound["inputs"])
    arguments = f", initial_state={converter.code(initial)}" if chained else ""  # type: ignore[arg-type]
    sequence_length = bound.get("sequence_length")
    if sequence_length is not None and not is_none(sequence_length):
        # TF1 zeroes the outputs past each sequence's length and carries its last state
        # on: Keras' mask with zero_output_for_mask does the same.
        if not isinstance(bound["inputs"], cst.Name):
            raise Skip(call, f"{runner} with `sequence_length=` over inputs that are not a name")
        steps = f"len({inputs})" if runner == "static_rnn" else f"{converter.tf}.shape({inputs})[1]"
        arguments += f", mask={converter.tf}.sequence_mask({converter.code(sequence_length)}, {steps})"
    base = f"{cell.value}_rnn" if cell.value.endswith("cell") else f"{cell.value}_layer"
    ctor = (f"{converter.tf}.keras.layers.RNN({cell_code}, return_sequences=True, return_state=True"
            f"{', zero_output_for_mask=True' if 'mask=' in arguments else ''})")
    if owner is not None:
        layer = "self." + owner.fresh(base)
        created_lines.append(f"{layer} = {ctor}\n")
        replaced: list[cst.BaseStatement] = []
    else:
        layer = converter.fresh(base)
        converter.objects.add(layer)
        replaced = [cst.parse_statement(f"{layer} = {ctor}\n")]
    if runner == "static_rnn":
        # A Python list of [batch, depth] tensors: stacked on the time axis for Keras,
        # and the outputs unstacked into TF1's list of per-step outputs.
        inputs = f"{converter.tf}.stack({inputs}, axis=1)"
    replaced.append(cst.parse_statement(f"{target_code} = {layer}({inputs}{arguments})\n"))
    if runner == "static_rnn" and outputs != "_":
        replaced.append(cst.parse_statement(f"{outputs} = {converter.tf}.unstack({outputs}, axis=1)\n"))
    replaced[0] = replaced[0].with_changes(leading_lines=_leading_lines(statements, index, cell_index))
    if cell_index > index or (zero_state is not None and zero_state < cell_index):
        return {}
    dropped = {cell_index} | ({zero_state} if zero_state is not None else set())
    if isinstance(state_node, cst.Name) and kind is not None and sum(
        state_node.value in (single_assignment(stmt) or ([], None))[0] for stmt in statements
    ) == 1:
        finals[state_node.value] = kind
    return {**factory_edits, **{i: [] for i in dropped}, index: replaced}


def _run_birnn(converter: Converter, statements, index, call, runner, bound, cells, factories, owner, created_lines,
               ) -> dict[int, list[cst.BaseStatement]]:
    """``static_bidirectional_rnn`` / ``bidirectional_dynamic_rnn`` -> two Keras RNNs, the
    backward one over the time-reversed inputs with its outputs reversed back, as TF1 ran
    them (Keras' Bidirectional would rebuild the cells from their configs)."""
    for param in ("sequence_length", "initial_state_fw", "initial_state_bw", "scope"):
        if param in bound and not is_none(bound[param]):
            raise Skip(call, f"{runner} with `{param}=`")
    if "time_major" in bound and not is_name(bound["time_major"], "False"):
        raise Skip(call, f"{runner} with time_major=True")
    if bound.get("dtype") is None or converter.rule.sym(bound["dtype"]) != "float32":
        raise Skip(call, f"{runner} without dtype=float32")
    if "inputs" not in bound:
        raise Skip(call, f"{runner} without inputs")
    target = statements[index].body[0].targets[0].target
    static = runner == "static_bidirectional_rnn"
    # TF1's results: (outputs, state_fw, state_bw), or ((output_fw, output_bw), (state_fw, state_bw)).
    parts = [e.value for e in target.elements] if isinstance(target, cst.Tuple) else []
    if not static and len(parts) == 2 and all(isinstance(p, cst.Tuple) and len(p.elements) == 2 for p in parts):
        parts = [e.value for p in parts for e in p.elements]  # type: ignore[attr-defined]
    if len(parts) != (3 if static else 4) or not all(isinstance(p, cst.Name) for p in parts):
        raise Skip(call, f"{runner}'s result not unpacked into " + (
            "(outputs, state_fw, state_bw)" if static else "((output_fw, output_bw), (state_fw, state_bw))"))
    names = [p.value for p in parts]
    read = set(plain_names(cst.Module(body=statements)))
    if static:
        outputs = names[0]
        fw_out, bw_out = (f"{outputs}_{d}" if outputs != "_" else "_" for d in ("fw", "bw"))
        if {fw_out, bw_out} & read - {"_"}:
            raise Skip(call, f"`{fw_out}` or `{bw_out}` is taken")
        states = names[1:]
    else:
        fw_out, bw_out = names[:2]
        states = names[2:]
    dropped: set[int] = set()
    replaced: list[cst.BaseStatement] = []
    inputs = converter.code(bound["inputs"])
    if static:
        inputs = f"{converter.tf}.stack({inputs}, axis=1)"
    edits: dict[int, list[cst.BaseStatement]] = {}
    for direction, out, state in (("fw", fw_out, states[0]), ("bw", bw_out, states[1])):
        cell = bound.get(f"cell_{direction}")
        if not isinstance(cell, cst.Name) or cell.value not in cells:
            raise Skip(call, f"{runner} over a cell this rule does not know "
                             "(BasicLSTMCell, LSTMCell, GRUCell, BasicRNNCell, MultiRNNCell of those)")
        cell_index, cell_call = cells[cell.value]
        if cell_index > index or sum(n == cell.value for stmt in statements for n in plain_names(stmt)) != 2:
            raise Skip(cell_call, f"the cell `{cell.value}` is used other than by this {runner}")
        dropped.add(cell_index)
        cell_code, state_kind = _keras_cell(converter, cell_call, factories, edits, named=cells)
        for stmt in statements[index + 1:]:
            if any(is_name(node.value, state) for node in _attributes(stmt)):
                raise Skip(call, f"`{state}.` attributes: the state becomes a list ([c, h] for an LSTM cell)")
        ctor = f"{converter.tf}.keras.layers.RNN({cell_code}, return_sequences=True, return_state=True)"
        base = f"{cell.value}_rnn" if cell.value.endswith("cell") else f"{cell.value}_layer"
        if owner is not None:
            layer = "self." + owner.fresh(base)
            created_lines.append(f"{layer} = {ctor}\n")
        else:
            layer = converter.fresh(base)
            converter.objects.add(layer)
            replaced.insert(len(replaced) // 2, cst.parse_statement(f"{layer} = {ctor}\n"))
        state_code = f"*{state}" if state_kind == "list" else state
        if direction == "fw":
            replaced.append(cst.parse_statement(f"{out}, {state_code} = {layer}({inputs})\n"))
        else:
            replaced.append(cst.parse_statement(
                f"{out}, {state_code} = {layer}({converter.tf}.reverse({inputs}, [1]))\n"))
    if static and names[0] != "_":
        replaced.append(cst.parse_statement(
            f"{names[0]} = {converter.tf}.unstack({converter.tf}.concat([{fw_out}, {converter.tf}.reverse({bw_out}, [1])], 2), axis=1)\n"))
    elif not static and bw_out != "_":
        replaced.append(cst.parse_statement(f"{bw_out} = {converter.tf}.reverse({bw_out}, [1])\n"))
    replaced[0] = replaced[0].with_changes(leading_lines=_leading_lines(statements, index, min(dropped)))
    return {**edits, **{i: [] for i in dropped}, index: replaced}


def _zero_state(converter: Converter, statements, index: int, initial: cst.BaseExpression | None, cell: str, runner: str,
                ) -> int | None:
    """``initial_state=`` a zero state of the runner's own cell (``cell.zero_state(batch,
    tf.float32)``, or a name assigned it once and read only there), which is Keras' default
    initial state: the index of that assignment (None when there is none). A batch size
    other than the inputs' failed in TF1."""
    if initial is None or is_none(initial):
        return None
    at = None
    if isinstance(initial, cst.Name):
        assignments = [i for i, stmt in enumerate(statements[:index])
                       if (found := single_assignment(stmt)) is not None and found[0] == [initial.value]]
        uses = [n for stmt in statements for n in plain_names(stmt) if n == initial.value]
        if len(assignments) == 1 and len(uses) == 2:
            at = assignments[0]
            initial = single_assignment(statements[at])[1]  # type: ignore[index]
    if (isinstance(initial, cst.Call) and isinstance(initial.func, cst.Attribute) and is_name(initial.func.value, cell)
            and initial.func.attr.value == "zero_state"):
        dtype = bind(initial, ("batch_size", "dtype")).get("dtype")
        if dtype is not None and converter.rule.sym(dtype) == "float32":
            return at
    raise Skip(initial, f"{runner} with `initial_state=` other than the cell's zero_state(batch, tf.float32)")


def _keras_cell(converter: Converter, cell_call: cst.Call, factories, edits: dict[int, list[cst.BaseStatement]],
                inner: bool = False, named: dict[str, tuple[int, cst.Call]] | None = None) -> tuple[str, str]:
    """The Keras cell for a TF1 cell constructor, and its state: "list" for Keras'
    list of states, "tensor" for one state tensor. A call of a cell factory keeps its
    call; the factory's statement (its index in ``edits``) returns the Keras cell.
    ``named``: the cells assigned to names, for the reason a MultiRNNCell over them stays."""
    symbol = converter.rule.sym(cell_call.func)
    if symbol in DROPOUT_WRAPPERS:
        raise Skip(cell_call, DROPOUT_WRAPPER)
    if _is_name_in(cell_call.func, factories):
        at, fn = factories[cell_call.func.value]
        creation = _cell_factory(converter, fn)
        assert creation is not None
        code, kind = _keras_cell(converter, creation, factories, edits, True)
        edits[at] = [fn.deep_replace(creation, cst.parse_expression(code))]
        return converter.code(cell_call), kind
    if symbol in MULTI_RNN_CELLS and not inner:
        bound = bind(cell_call, ("cells", "state_is_tuple"))
        if "state_is_tuple" in bound and not is_name(bound["state_is_tuple"], "True"):
            raise Skip(cell_call, "MultiRNNCell with state_is_tuple=False")
        cells = bound.get("cells")
        if isinstance(cells, cst.List) and cells.elements and all(
            isinstance(e, cst.Element) and isinstance(e.value, cst.Call) for e in cells.elements
        ):
            inner_cells = [_keras_cell(converter, e.value, factories, edits, True)[0] for e in cells.elements]
            return f"[{', '.join(inner_cells)}]", "list"
        if (isinstance(cells, cst.ListComp) and isinstance(cells.elt, cst.Call) and cells.for_in.inner_for_in is None
                and not cells.for_in.ifs and not names_read(cells.elt) & set(assigned_names(cells.for_in.target))):
            inner_cell = _keras_cell(converter, cells.elt, factories, edits, True)[0]
            comp = cells.for_in
            return f"[{inner_cell} for {converter.code(comp.target)} in {converter.code(comp.iter)}]", "list"
        for element in cells.elements if isinstance(cells, cst.List) else ():
            made = (named or {}).get(element.value.value) if isinstance(element.value, cst.Name) else None
            if made is not None and converter.rule.sym(made[1].func) in DROPOUT_WRAPPERS:
                raise Skip(made[1], DROPOUT_WRAPPER)
        raise Skip(cell_call, "MultiRNNCell over something else than a list of new cells")
    if symbol not in RNN_CELLS:
        raise Skip(cell_call, "a cell this rule does not know (BasicLSTMCell, LSTMCell, GRUCell, BasicRNNCell)")
    params, kind = RNN_CELLS[symbol]
    cell_bound = bind(cell_call, params)
    for param, value in cell_bound.items():
        if param in ("num_units", "forget_bias", "activation", "dtype") or is_none(value):
            continue
        if param == "state_is_tuple" and is_name(value, "True"):
            continue
        if param in ("use_peepholes", "reuse") and is_name(value, "False"):
            continue
        raise Skip(cell_call, f"{symbol.rsplit('.', 1)[1]} with `{param}=`")
    if "dtype" in cell_bound and converter.rule.sym(cell_bound["dtype"]) != "float32":
        raise Skip(cell_call, "an RNN cell with a dtype other than float32")
    if "num_units" not in cell_bound:
        raise Skip(cell_call, "an RNN cell without num_units")
    arguments = [converter.code(cell_bound["num_units"])]
    arguments += [f"{p}={converter.code(cell_bound[p])}" for p in ("forget_bias", "activation")
                  if p in cell_bound and not is_none(cell_bound[p])]
    return f"{_cell_class(converter, kind)}({', '.join(arguments)})", "list" if kind == "lstm" else "tensor"


def _cell_factory(converter: Converter, fn: cst.FunctionDef) -> cst.Call | None:
    """The TF1 cell constructor whose new cell ``fn`` returns, if it does."""
    return returned_variable(fn, lambda c: converter.rule.sym(c.func) in RNN_CELLS)


def _cell_class(converter: Converter, kind: str) -> str:
    if kind not in converter.cell_classes:
        base, template = CELL_TEMPLATES[kind]
        name = converter.fresh(base)
        converter.classes.add(name)
        converter.cell_classes[kind] = (name, template.format(name=name, tf=converter.tf))
    return converter.cell_classes[kind][0]


def _attributes(node: cst.CSTNode) -> list[cst.Attribute]:
    return nodes_of(node, cst.Attribute)
