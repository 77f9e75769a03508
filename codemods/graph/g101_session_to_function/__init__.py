"""G101: TF1 graph/Session code -> eager TF2 with ``tf.function`` and ``GradientTape``.

The graph the program builds is read statement by statement (placeholders, variables,
tensor definitions, optimizer steps, sessions). Every ``sess.run`` / ``.eval()`` /
``.run()`` site becomes a call of a generated ``@tf.function`` holding the backward
slice of what it fetches; ``minimize`` / ``compute_gradients`` / ``tf.gradients`` are
recorded under a ``tf.GradientTape``; TF1 optimizers become Keras optimizers with their
TF1 hyperparameters written out. A module whose graph cannot be proven convertible
keeps running on ``tensorflow.compat.v1`` with v2 behaviour disabled, and the report
says why.

The stages (``pipeline.run_stages``), each a module passing typed values (``model``):

0. ``analysis.graph_blocks`` (shared with G102): ``with graph.as_default():`` blocks of
                 the one ``tf.Graph()`` (and a session's ``with sess.as_default():``) opened,
                 ``graph=`` dropped from the sessions; the reason when the graph object
                 serves anything else.
1. ``scope``     module -> ``Graph``: which block builds the graph (the module, or one
                 ``main()`` / ``if __name__`` body), session blocks opened.
2. ``analysis``  fills the ``Graph``: placeholders, ``Variable``s, optimizers, ``Unit``s
                 (tensor definitions; ``blocks``: an ``if`` / ``for`` building ops),
                 ``Edits`` of single statements; refuses what it cannot prove
                 (``CannotConvert``, defined once in ``model``).
3. ``sites``     ``Graph`` -> ``Sites``: every run of the graph, in program order, and
                 the events around them (sessions opened, restores, loops).
   ``initialisation``  ``Sites`` -> ``Initialisation``: what initializer runs again do
                 (assignments of initial values; a random one held by a function).
4. ``plan``      ``Graph`` + ``Sites`` -> ``Plan``: the ``Function`` each run calls, its
                 parameters, units, values, name and position. No code is generated.
5. ``emit``      ``Plan`` -> the module, through a ``Layout``: ``emit.ModuleLayout``
                 (functions at the graph's level) or ``class_layout.ClassLayout``
                 (``__init__`` + ``@tf.function`` methods of a model class);
                 ``bodies`` writes the code inside each function.
On ``CannotConvert`` the rule applies ``fallback``.

Features add one family of TF1 constructs each through the hooks of
``feature.Feature`` (no access to anything but the ``Graph`` and their own state):
``checkpoints`` (tf.train.Saver), ``summaries`` (TensorBoard; ``op_names`` replays TF1's
op names for its tags), ``variable_helpers``
(functions creating variables at each call), ``scoped_variables`` (variable lists
selected by name), ``layer_objects`` (G102's Keras layers), ``data_iterators`` (tf.data
iterators). ``model_classes`` reads a model class's ``__init__`` as a flat module and
writes the result back through its layout; ``build_functions`` (reading, class and caller in
``build_reading`` / ``build_class`` / ``build_caller``, over ``build_values``) turns a function that
builds the graph and returns it into a ``tf.Module`` class and reads its caller as a flat
module; ``model_instances`` converts model classes used only through their methods one
at a time (any number of instances), then the script. A new feature: subclass ``Feature``, implement the hooks it needs, add it to
``pipeline.features``. The rule's examples (its tests and docs) are in ``examples``.
"""

from __future__ import annotations

import libcst as cst

from codemods.analysis.graph import tf1_symbol
from codemods.analysis.graph_outcome import record_graph_outcome
from codemods.analysis.names import resolver_for
from codemods.analysis.project import ProjectFacts, project_facts
from codemods.base import Rule
from codemods.graph.fallback_scope import library_fallback
from codemods.graph.g101_session_to_function.examples import EXAMPLES
from codemods.graph.g101_session_to_function.fallback import install_fallback
from codemods.graph.g101_session_to_function.model import READ_ALONE, CannotConvert, NothingToDo
from codemods.graph.g101_session_to_function.pipeline import convert
from codemods.graph.g101_session_to_function.scope import Sym
from codemods.graph.g102_layers_to_keras.record import ConvertedLayers, converted_layers

__all__ = ["GraphToEager"]


class GraphToEager(Rule):
    code = "G101"
    details = (
        "Each sess.run/eval/run site calls a generated @tf.function holding the backward slice of its "
        "fetches; placeholders become its typed parameters (input_signature), initializer runs disappear, "
        "the session block is flattened, results are NumPy again. A graph built in a graph of its own (`graph = "
        "tf.Graph()` + `with graph.as_default():`, or `with tf.Graph().as_default():`) is built at the block's "
        "level: the block is opened, graph= goes from the sessions (with their config=), graph.finalize() goes (and "
        "the graph a FileWriter was given, as summaries drop it), and so does a session's `with sess.as_default():`; a second tf.Graph(), an op built in TF1's default graph "
        "beside the block, or the graph object used otherwise (get_tensor_by_name, get_operations) is declined "
        "with that reason; a Session opened in `def train(args):` runs the graph a model class builds there; "
        "tf.train.global_step(sess, step) is a read of the step. minimize / compute_gradients / "
        "apply_gradients / tf.gradients become GradientTape code (a trained loss that reads a tf.gradients "
        "result, a gradient penalty, takes that gradient on an inner tape inside the step's tape, which records "
        "it); TF1 optimizers become Keras optimizers "
        "with TF1 hyperparameters written out (Adam epsilon 1e-8, Adagrad without epsilon); RMSProp's "
        "mean-square slots are set to 1.0 before the first step, where TF1 started them; Adam gets an embedding "
        "lookup's or gather's gradient dense (TF1 summed its repeated rows and updated every row's moments, "
        "Keras's Adam given IndexedSlices does neither). "
        "tf.train.Saver at the graph's level becomes tf.train.Checkpoint over the variables and optimizers "
        "created before it (save -> write, TF1's path-<global_step>; restore -> read, failing on a missing "
        "variable). A module that reads the `checkpoint` state file TF1's save kept (the 'restore if a checkpoint "
        "exists, else initialise' block: tf.train.get_checkpoint_state / latest_checkpoint, which TF 2 has, and "
        "checkpoint_exists -> TF1's test on prefix.index) saves through tf.train.CheckpointManager(saver, folder, "
        "max_to_keep=<the Saver's>, checkpoint_name=<file>).save(checkpoint_number=step): TF1's file names, state "
        "file and deletions; the initializer run in the else branch disappears, the restore is a read. A save there "
        "without global_step, or to a path whose folder is not written out (a literal, or folder + \"/name\"), "
        "is declined. A run in a loop of a variable's assignment of a Python value (sess.run(last_epoch.assign(epoch "
        "+ 1)), a new op at each run in TF1) is that eager assignment. tf.summary.scalar/histogram/image ops "
        "at the graph's level (in name scopes too), run by name, merged with merge([...]) or merge_all(key), "
        "become dicts of their TF1 tags and values that the runs return, written where TF1 called add_summary "
        "to a tf.summary.create_file_writer writer by a tf.function per set of summaries, at the same "
        "steps; the tags are TF1's (name scopes, the `_1` of its unique op names, replayed statically; a "
        "finding says when one cannot be told). TF2 "
        "histograms bucket differently, TF2 images go under one tag; FileWriter graphs and add_graph are "
        "dropped. A summary name bound again after reset_default_graph() is that graph's own (merge_all() "
        "collects the new graph's). The projector's visualize_embeddings(writer, config) gets the writer's "
        "log directory (a literal or a name bound once); declined when the projector reads an embedding's "
        "tensor_name from a tf.train.Saver checkpoint (tf.train.Checkpoint keys it by object path). A variable helper's summaries of its own variables (fc_layer's `tf.summary.histogram('W', W)` "
        "after `W = weight_variable(shape)`) are read from each call's instance (`tf.identity(fc1_layer.W)`), "
        "tagged in that call's scope (`FC1/W`); other summaries inside functions the graph calls, and helpers "
        "holding summaries called other than by `name = ...` at the graph's level, are declined. Several training ops in one run "
        "share one forward pass. A function called while the graph is built that creates variables (tf.Variable, "
        "or variable factories: functions returning one new tf.Variable, such as weight_variable(shape)) becomes a "
        "tf.Module class, one instance per call site, whose variables are created once, under tf.init_scope, on "
        "its first call (in TF1's order); a function calling such helpers (a model function) holds an instance of "
        "each, made in its __init__; the helpers it calls in a loop, condition or try block get an instance per call, "
        "in call order, made at the first (`self._next_instance(Conv2d)(...)`), and a training op reads such an "
        "instance's trainable_variables. A variable created under `if bias:`, a test of a parameter the helper never "
        "rebinds, is created on the first call under the same test (the attribute is None otherwise); statements "
        "between the creations stay where they were (a random op among them is declined: the draws would change "
        "order). Variables created in a loop, under any other condition, and helpers called in a lambda or in a "
        "loop of a function creating variables itself are declined. "
        "A function that builds the graph and returns its tensors (dict, tuple) to a "
        "caller running the session becomes a tf.Module class: __call__ is its body with the placeholders as "
        "parameters, its variables made once, in TF1's order, by its first call (loops and static shapes work as "
        "in TF1); the caller's runs call the module. A variable fetched with the training op that updates it is "
        "read after the update. "
        "An initializer run again (the same session, a new session, a loop) sets "
        "the variables back to their initial value: a random initial value becomes a @tf.function traced "
        "once, the variable is created from its first call and each later run calls it again, the next "
        "draws of TF1's op (first initialised by a run in a loop: created with zeros of the traced "
        "function's shape, every run draws); in a new session TF1 starts that sequence over, so there the variable gets "
        "the value it was created with again (kept right after its creation; both in one program: "
        "declined); a deterministic one is evaluated again; optimizer slots TF1 resets are declined (plain gradient descent has none). A "
        "graph built again after reset_default_graph() gets new variables, optimizers and functions. An "
        "`if` / `for` at the graph's level that only builds ops (a loss chosen by a setting, a penalty "
        "summed over layers) moves whole into the functions that need it; one that creates variables, "
        "calls anything but range/len-like functions in its condition, or does more than assign (outside "
        "a branch that fails) is declined. A placeholder's shape or dtype read outside the runs "
        "(x.shape, x.get_shape(), x.dtype) is its declaration (tf.TensorShape([...])); that of a computed tensor is "
        "the output of the function computing it, traced for the placeholders' declarations "
        "(compute_h.get_concrete_function(tf.TensorSpec(...)).output_shapes), declined when that computation draws "
        "random numbers or builds layer variables; a computed tensor printed outside the runs (print(h), which "
        "printed TF1's symbolic tensor) prints that traced output (...get_concrete_function(...).structured_outputs). "
        "A graph name the program binds to a value (`[[b]] = sess.run(b)`, "
        "`t = np.array(...)`) is plain Python after it, and so is a name before the graph binds it; t.eval() of an "
        "expression built at the run (tf.shape(t).eval()) is a run; a graph tensor alone on a line (a notebook cell "
        "showing it) is removed. A model class whose __init__ (and the build methods it calls) builds the graph keeps "
        "its variables and Keras optimizer in __init__ and gets a @tf.function method per run (an __init__ parameter a run reads, "
        "built into TF1's graph, is kept as an attribute; a local variable beside an attribute of its name gets an attribute "
        "of its own; tf.device and name scope blocks keep the variables in them; each method has an input_signature, "
        "traced once as TF1 built one graph (a smaller last batch traced again would make new random ops): a placeholder "
        "dimension naming an __init__ value ([None, sequence_length]) is None there when the method reads no static shape "
        "computed from it, otherwise the exact signature is bound at the end of __init__ (self.train_step = "
        "tf.function(self.train_step, input_signature=[...]); a bare @tf.function with casts, declined with the reason, "
        "when that value changes in __init__)); its methods that run "
        "the graph through the session it is given (self.sess = sess, or a session parameter of the method) or opens "
        "call those methods, the session parameter goes, a training op fetched after a value gives None in its place, "
        "and a variable_scope over tf.Variables in the class is a name scope (G102 converts the TF1 layers and "
        "get_variable calls there: their objects and variables stay in __init__). A class used only through such methods "
        "is converted alone, so any number of instances (an ensemble) or several classes each get their own "
        "variables, as their variable scopes kept them apart in TF1; the script must run the initializer once, after "
        "creating them, read no graph attribute of an instance and reach no variable collection. "
        "tf.data iterators (one-shot, initializable, from_structure + make_initializer) "
        "become Python iterators: iter(dataset) where TF1 created or initialised one (a dataset that shuffles or "
        "reads fed placeholders is built again by a make_<dataset> function, as TF1's initializer rebuilt it), "
        "next(iterator) in the steps that read an element; OutOfRangeError still ends a loop. An element fed in a run "
        "(`sess.run(loss, {bx: test_x, by: test_y})`, TF1 replacing it by the value without advancing the iterator) "
        "is that run's parameter, converted to the element's dtype (iterator.element_spec); fed in part, declined. "
        "A function of the graph's level that runs a parameter it uses only as the whole fetch of its runs "
        "(`def plot_conv_layer(layer, image):` ... `session.run(layer, feed_dict={x: [image]})`), given graph tensors "
        "at every call, is given the function computing each (taking every placeholder its runs feed, called by "
        "keyword: `layer(x=[image]).numpy()`), and a variable its read_value: the value TF1 computed at that run. "
        "A lookup in TF1's graph no feature converts (the GLOBAL_VARIABLES collection, the default graph's "
        "get_operations / get_tensor_by_name) is declined with what TF1's graph held that eager code lacks. "
        "A graph with Keras layers and a placeholder of a floating dtype other than float32, or one this rule cannot "
        "read (x.dtype), is declined: TF1's layers took their input's dtype, Keras layers compute in float32. "
        "Variables unpacked from several tf.Variable calls (`a, b = [tf.Variable(p) for p in init]`) are trained like "
        "any; a decayed learning rate read in a computation (a summary of it) is the schedule at its step "
        "(learning_rate(global_step)); an optimizer name bound again for a graph built again is another optimizer. "
        "Variable scopes and get_variable at the graph's level arrive from G102 as name scopes and tf.Variables with "
        "TF1's names and initial values: variables in nested name scopes stay where they were created, in every "
        "scope (with the string literals used as comments there; an initializer drawn there after a Keras layer's "
        "call is declined, the layer drawing its weights at that call), their tensors go to the functions in the same scopes (a scope naming only an optimizer and its step "
        "beside them, `Train/Optimizer`, is opened after its block, and so are an optimizer and its step beside a "
        "loss and its summary in one scope; one whose names the block reads or rebinds after it "
        "is declined); a variable bound to a second name (`w_tied = w`, "
        "a lookup under reuse) is the same variable. Variable lists selected by name: tf.trainable_variables(scope) "
        "and tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope) (TF1's re.match on the names), comprehensions "
        "over v.name (startswith, in, not in) become plain lists of the variables whose TF1 names they select; a G102 "
        "layer object made from a function whose variable scope names all its variables is selected whole, its "
        "trainable_variables listed where the training op reads them (they exist once the layers have run). A "
        "selection only the full names of such an object's variables could tell, a collection read other than as a "
        "var_list= or a list assigned at the graph's level, and a variable whose TF1 name is not a literal are "
        "declined. Where G102 left a call on TF1 (a get_variable with a partitioner or a regularizer, a variable "
        "scope with a custom getter), the refusal gives its reason. Modules the analysis "
        "cannot prove keep running on tensorflow.compat.v1 with v2 behaviour disabled; the report names the "
        "construct. A module other modules of the project import gets no disable_v2_behavior() (it is "
        "process-wide): the entry scripts that import it do. A script whose graph is built by functions or "
        "classes it imports from other modules of the migrated folder (`from ops import fc_layer`, "
        "`from utils import *`, `import model`) is converted together with them, as if they were written in it; each file "
        "keeps its part (`fc_layer` -> class `FcLayer` in ops.py, `from ops import FcLayer` in the script), "
        "unless another module needs the helper module as it is: when the conversion only turned its functions "
        "into classes (and changed no function the script or the classes use), the module keeps each function as "
        "it is alone with its class beside it, for each importer what it uses; otherwise the script is migrated "
        "alone and its finding says why. Streaming metrics (`acc, acc_op = "
        "tf.metrics.accuracy(labels, predictions)`, or one of the pair taken with [0] / [1]; also mean and "
        "root_mean_squared_error) become a Keras metric object made once where the call was (tf.keras.metrics.Accuracy(), "
        "the same float32 total and count): the update op is update_state(...) then result(), the value result(); "
        "the first run of tf.local_variables_initializer() (alone or in a tf.group of initializers) is its creation. "
        "A local-variables initializer run again (each epoch) is reset_state() of each metric. Weights and "
        "collections, the value and the update read by one run (TF1 ran them in no fixed order), a training op whose "
        "step updates a metric also run alone, and a reset run together with other initializers are declined."
    )
    examples = EXAMPLES

    def rewrite(self, tree: cst.Module) -> cst.Module:
        tf_alias = self.resolver.alias_for("tensorflow") or self.resolver.alias_for("tensorflow.compat.v1")
        if tf_alias is None:
            return tree
        layers = converted_layers(self.context.scratch)
        try:
            converted, notes = convert(tree, tf_alias, self._sym_for, layers)
        except CannotConvert as exc:
            # What the abandoned conversion noted did not happen: its notes are dropped.
            return self._fall_back(tree, tf_alias, exc, layers)
        except NothingToDo:
            return _before_layers(layers, tree)
        for node, message, kind in notes:
            self.report(node, message, kind=kind)
        record_graph_outcome(self.context.scratch, converted=True)
        return converted

    def _fall_back(self, tree: cst.Module, alias: str, exc: CannotConvert, layers: ConvertedLayers) -> cst.Module:
        fallback = install_fallback(_before_layers(layers, tree), alias)  # G103 then homes what TF 2.21 lacks
        facts = project_facts(self.context.scratch)
        if READ_ALONE in exc.reason:
            exc.reason = exc.reason.replace(READ_ALONE, _read_alone(facts))
        elif facts is not None and facts.together_note:
            # Read alone, the script lacks its graph: why it was not converted with its modules.
            exc.reason += f" (this module alone; {facts.together_note})"
        # A module other modules of the tree import leaves the process-wide switch to its entry scripts.
        library = library_fallback(fallback, facts, exc.reason)
        record_graph_outcome(self.context.scratch, fallback=True, reason=exc.reason, switched=library is None)
        if library is None:
            self.report(exc.node, f"kept on tf.compat.v1 with v2 behaviour disabled: {exc.reason}")
            return fallback
        self.report(exc.node, library[1])
        return library[0]

    def _sym_for(self, module: cst.Module) -> Sym:
        """TF1 symbols of the expressions of ``module`` (the rule's tree, or a model
        class's flat module: the import resolver knows names by node)."""
        scratch = self.context.scratch

        def sym(expr: cst.BaseExpression) -> str | None:
            return tf1_symbol(resolver_for(module, scratch).qualified_name(expr))

        return sym


def _read_alone(facts: ProjectFacts | None) -> str:
    """Why this module was read without the module whose functions build its graph."""
    if facts is None:
        return "this file was migrated on its own: migrate the project's folder to convert it with that module"
    if facts.together_note:
        return f"not converted together with it: {facts.together_note}"
    return (
        "its module is not converted with this script (only a module migrated in the same run, imported at "
        "the script's top level, that creates placeholders, variables or layers and opens no Session, is)"
    )


def _before_layers(layers: ConvertedLayers, tree: cst.Module) -> cst.Module:
    """The tree as it was before G102 (Keras 3 layers do not run in TF1 graph mode)."""
    original, layers.original = layers.original, None
    return tree if original is None else original
