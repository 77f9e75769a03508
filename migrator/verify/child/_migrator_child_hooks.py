"""Determinism hooks installed in the child interpreter before the user's program runs.

This file runs under Python 3.7 (TensorFlow 1.15.5 + Keras 2.3.1) and under the
project's own Python (TensorFlow 2.21 + Keras 3), so it must stay valid Python 3.7:
no walrus, no ``list[int]`` annotations, no ``match``.

Nothing here imports TensorFlow or Keras up front (only ``compat_tensorflow``, for the
fallback runtime).  A meta-path finder watches imports.  Library modules (anything
outside the program's folder) are imported with Python's and NumPy's global random
state saved and restored, so import-time draws never shift the program's streams.  As
soon as one of the modules below has been executed, it is patched:

* ``*.python.framework.random_seed``: ``get_seed`` gives every random op that has no
  explicit op seed the count of earlier such ops as its op seed, under one fixed
  global seed (or the user's own global seed when the program sets one).  This is
  ``DeterministicRandomTestTool(mode="num_random_ops")`` made to work on TF 1.15 and
  TF 2.21 alike.  Modules that import ``get_seed`` by name do so after the patch.
* ``*.python.ops.init_ops``, ``*.python.ops.init_ops_v2``, ``keras.initializers``
  (Keras 2.3.1) and ``keras.src.initializers.random_initializers`` (Keras 3): every
  random initializer draws its values from NumPy's legacy ``RandomState`` stream
  (stable across NumPy versions), keyed by the number of earlier initializer draws,
  the kind of distribution and the shape; the initializer's own parameters (mean,
  stddev, limits, fans) are then applied.  ``*contrib.layers.python.layers.initializers``
  (TF 1.15) and ``tf_slim.layers.initializers`` (its TF 2 home): the uniform
  ``variance_scaling_initializer`` / ``xavier_initializer`` draws the same way.  The same model therefore starts from the
  same weights in both runtimes, whichever initializer family creates them.
* ``keras.backend.tensorflow_backend`` (Keras 2.3.1) and ``keras.src.random.seed_generator``
  (Keras 3): the seeds Keras draws for its own generators come from private generators,
  not from the program's global NumPy / ``random`` streams.
* ``keras.optimizers`` (Keras 2.3.1): the optimizers read their step counter before they
  increment it (TF 1.15 leaves the two unordered, so results vary run to run).
* ``keras.layers.core`` (Keras 2.3.1), ``keras.src.layers.regularization.dropout`` and
  ``keras.src.backend.tensorflow.random`` (Keras 3): a ``Dropout`` layer (and the spatial
  dropouts built on it) draws its mask from a stateless uniform keyed by the number of
  ``Dropout`` layers created before it and the number of its own training calls, so the
  same model drops the same units in both runtimes.
* ``*.datasets.{mnist,fashion_mnist,cifar10,imdb,boston_housing}``: ``load_data`` (and
  ``imdb.get_word_index``) return the offline stand-ins of ``_migrator_child_data``.
* ``*.examples.tutorials.mnist.input_data`` (legacy runtimes only, where TensorFlow
  has that module): replaced by the stand-in ``read_data_sets``.
"""

import hashlib
import importlib.abc
import importlib.machinery
import logging
import os
import sys
import warnings

GLOBAL_SEED = 1234
_DATASETS = ("mnist", "fashion_mnist", "cifar10", "imdb", "boston_housing")

_state = {
    "random_ops": 0,  # op seeds handed out by the patched get_seed
    "initializers": 0,  # initializer draws served from NumPy
    "dropout_layers": 0,  # Dropout layers created (their mask keys)
    "original_get_seed": None,
    "provide_input_data": False,
    "patched": [],  # names of the modules patched, for the run report
    "import_depth": 0,  # nesting of hooked library imports
    "program_prefixes": (),  # the program's folder: its own modules are not hooked
}


# ----------------------------------------------------------------------------------
# Post-import hook machinery
# ----------------------------------------------------------------------------------


class _HookedLoader(importlib.abc.Loader):
    """Delegates to the real loader; keeps the global random streams; patches.

    A library module that draws from Python's or NumPy's global generator while it is
    imported (``rich.style`` calls ``random.getrandbits`` at import, and Keras 3
    imports rich; TF 1.15 does not) would shift the program's own random stream in one
    runtime only: library imports leave both streams as they found them.
    """

    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        # Only the outermost library import saves and restores (nested ones are inside it).
        outermost = _state["import_depth"] == 0
        if outermost:
            import random

            python_state = random.getstate()
            numpy = sys.modules.get("numpy")
            numpy_state = numpy.random.get_state() if numpy is not None and hasattr(numpy, "random") else None
        _state["import_depth"] += 1
        try:
            self._loader.exec_module(module)
        finally:
            _state["import_depth"] -= 1
            if outermost:
                random.setstate(python_state)
                if numpy_state is not None:
                    numpy.random.set_state(numpy_state)
            # Introspection after the import sees the real loader.
            module.__loader__ = self._loader
            if getattr(module, "__spec__", None) is not None:
                module.__spec__.loader = self._loader
        if self._patch is None:
            return
        try:
            self._patch(module)
            _state["patched"].append(module.__name__)
        except Exception as exc:  # a failed patch must never break the import
            sys.stderr.write(
                "migrator: could not patch %s: %s: %s\n" % (module.__name__, type(exc).__name__, exc)
            )

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _StandInLoader(importlib.abc.Loader):
    """Creates a module from a function instead of a file."""

    def __init__(self, fill):
        self._fill = fill

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        self._fill(module)


def _is_library(spec):
    origin = spec.origin
    if not origin or origin in ("built-in", "frozen") or not os.path.isabs(origin):
        return False
    return not origin.startswith(_state["program_prefixes"])


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        stand_in = _stand_in_for(fullname)
        if stand_in is not None:
            fill, is_package = stand_in
            spec = importlib.machinery.ModuleSpec(
                fullname, _StandInLoader(fill), is_package=is_package
            )
            if is_package:
                spec.submodule_search_locations = []
            return spec
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                patch = _patch_for(fullname)
                hookable = spec.loader is not None and hasattr(spec.loader, "exec_module")
                if hookable and (patch is not None or _is_library(spec)):
                    spec.loader = _HookedLoader(spec.loader, patch)
                return spec
        return None


def _stand_in_for(fullname):
    if not _state["provide_input_data"]:
        return None
    if fullname.endswith("examples.tutorials.mnist.input_data"):
        return _fill_input_data, False
    # Under the compat.v1 fallback, ``tensorflow`` is the compat.v1 package, which has
    # no ``examples`` subpackage: provide the chain of empty packages leading to it.
    for prefix in ("tensorflow.examples", "tensorflow.examples.tutorials",
                   "tensorflow.examples.tutorials.mnist"):
        if fullname == prefix and _state.get("compat"):
            return (lambda module: None), True
    return None


def _patch_for(fullname):
    if fullname.endswith("python.framework.random_seed"):
        return _patch_random_seed
    if fullname.endswith("python.ops.init_ops") or fullname.endswith("python.ops.init_ops_v2"):
        return _patch_tf_initializers
    if fullname == "keras.initializers":
        return _patch_keras2_initializers
    if fullname == "keras.src.initializers.random_initializers":
        return _patch_keras3_initializers
    if fullname.endswith("contrib.layers.python.layers.initializers") or fullname == "tf_slim.layers.initializers":
        return _patch_contrib_initializers
    if fullname.endswith("python.util.deprecation"):
        return _quiet_deprecation
    if fullname == "keras.backend.tensorflow_backend":
        return _private_numpy_seeds
    if fullname == "keras.optimizers":
        return _order_keras2_step_reads
    if fullname == "keras.src.random.seed_generator":
        return _private_python_seeds
    if fullname == "keras.layers.core":
        return _patch_keras2_dropout
    if fullname == "keras.src.layers.regularization.dropout":
        return _patch_keras3_dropout_layer
    if fullname == "keras.src.backend.tensorflow.random":
        return _patch_keras3_dropout
    last = fullname.rsplit(".", 1)[-1]
    if last in _DATASETS and fullname.endswith("datasets." + last):
        return _patch_dataset
    return None


def install(program_dir=None, provide_input_data=False, compat=False):
    """Seed Python and NumPy, quiet the logs and start watching imports.

    Modules under ``program_dir`` are the program's own: their imports are not hooked.
    Called again in a child of ``warm.py``, it sets the program's part and seeds again.
    """
    prefixes = ()
    if program_dir:
        prefixes = tuple(set(os.path.join(p, "") for p in (os.path.abspath(program_dir), os.path.realpath(program_dir))))
    _state["program_prefixes"] = prefixes
    _state["provide_input_data"] = provide_input_data
    _state["compat"] = compat
    import random

    random.seed(GLOBAL_SEED)
    try:
        import numpy

        numpy.random.seed(GLOBAL_SEED)
    except ImportError:
        pass
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning, UserWarning):
        warnings.filterwarnings(
            "ignore", category=category,
            module=r"(tensorflow|tensorflow_core|tensorboard|keras|h5py|google|numpy|absl)(\.|$)",
        )
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):  # warm.py installed it first
        sys.meta_path.insert(0, _Finder())


def counters():
    return {"random_ops": _state["random_ops"], "initializers": _state["initializers"],
            "dropout_layers": _state["dropout_layers"]}


# ----------------------------------------------------------------------------------
# get_seed: the count of earlier random ops is the op seed
# ----------------------------------------------------------------------------------


def _patch_random_seed(module):
    original = module.get_seed
    if getattr(original, "_migrator_patched", False):
        return
    _state["original_get_seed"] = original

    def get_seed(op_seed):
        if op_seed is not None:
            return original(op_seed)
        global_seed, _ = original(None)
        if global_seed is None:
            global_seed = GLOBAL_SEED
        seeds = (global_seed % 2147483647, _state["random_ops"] % 2147483647)
        _state["random_ops"] += 1
        if seeds == (0, 0):
            return (0, 2147483647)
        return seeds

    get_seed.__doc__ = original.__doc__
    get_seed.__name__ = original.__name__
    get_seed.__module__ = original.__module__
    get_seed._migrator_patched = True
    module.get_seed = get_seed


def graph_seed():
    """The user's global seed if the program set one, else ours (no op counted)."""
    original = _state["original_get_seed"]
    if original is not None:
        seed, _ = original(None)
        if seed is not None:
            return seed
    return GLOBAL_SEED


# Keras draws seeds for its own generators from the global generators the program
# uses too: Keras 2.3.1 from ``np.random.randint`` (every unseeded dropout or random
# op), Keras 3 from ``random.randint`` (every initializer and seed generator).  Each
# gets a private generator instead, so the program's own NumPy and ``random`` streams
# are the same in both runtimes whatever Keras builds in between.


class _Delegate(object):
    def __init__(self, target, **overrides):
        self.__dict__["_target"] = target
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self.__dict__["_target"], name)


def _private_numpy_seeds(module):
    import numpy

    private = numpy.random.RandomState(GLOBAL_SEED)
    module.np = _Delegate(numpy, random=_Delegate(numpy.random, randint=private.randint))


def _private_python_seeds(module):
    import random

    if hasattr(module, "python_random"):
        module.python_random = random.Random(GLOBAL_SEED)


# Keras 2.3.1's optimizers increment ``iterations`` (``updates[0]``) and read it for the
# bias correction / decay in the same graph step with no order between the two: on TF
# 1.15 one run uses t=1 for the first step, the next run t=2 (Adam's first step then
# moves by 0.74*lr instead of lr).  Verify makes the reads happen before the increment,
# the order the code is written in and the one Keras 3 and tf.keras implement.


def _order_keras2_step_reads(module):
    for name in ("SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam"):
        cls = getattr(module, name, None)
        original = getattr(cls, "__dict__", {}).get("get_updates")
        if original is None or getattr(original, "_migrator_patched", False):
            continue
        cls.get_updates = _ordered_get_updates(original)


def _ordered_get_updates(original):
    def get_updates(self, loss, params):
        iterations = getattr(self, "iterations", None)
        graph = getattr(iterations, "graph", None)
        if graph is None or getattr(graph, "building_function", False):
            return original(self, loss, params)
        known = len(graph.get_operations())
        updates = original(self, loss, params)
        try:
            increment = getattr(updates[0], "op", updates[0])
            variable_ops = set([iterations.op])
            snapshot = getattr(iterations, "_snapshot", None)
            if snapshot is not None:
                variable_ops.add(snapshot.op)
            after = _descendants(increment)  # reads of the new value (resource variables)
            readers = [
                op for op in graph.get_operations()[known:]
                if op not in after and any(tensor.op in variable_ops for tensor in op.inputs)
            ]
            if readers and increment.type in ("AssignAdd", "AssignAddVariableOp"):
                increment._add_control_inputs(readers)
        except Exception as exc:  # keep Keras' own (unordered) behaviour
            sys.stderr.write("migrator: could not order %s's step counter: %s\n" % (type(self).__name__, exc))
        return updates

    get_updates._migrator_patched = True
    get_updates.__wrapped__ = original
    return get_updates


def _descendants(op):
    seen = set([op])
    stack = [op]
    while stack:
        current = stack.pop()
        following = [consumer for output in current.outputs for consumer in output.consumers()]
        following += list(getattr(current, "_control_outputs", []))
        for nxt in following:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


# ----------------------------------------------------------------------------------
# Dropout: one mask for the same layer's same training step, in Keras 2.3.1 and Keras 3
# ----------------------------------------------------------------------------------
# Keras 2.3.1 drops with a stateful random op per layer call site (seeded from NumPy),
# Keras 3 with a stateless op fed by the layer's SeedGenerator: the masks never matched.
# Both now draw ``uniform >= rate`` from the stateless Philox op (the same kernel in
# TF 1.15 and 2.21) seeded by (the layer's creation index, the count of its training
# calls), the count kept in a variable so graph (TF 1) and traced (TF 2) steps advance it.


def _next_dropout_key():
    _state["dropout_layers"] += 1
    return _state["dropout_layers"]


def _plain_rate(rate):
    return isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0.0 < rate < 1.0


def aligned_dropout(tf, inputs, rate, noise_shape, key, counter):
    """``inputs`` with the units dropped that (key, training call number) selects."""
    from tensorflow.python.ops import gen_stateless_random_ops

    step = counter.assign_add(1)
    seed = tf.stack([tf.constant(key, dtype=tf.int64), tf.cast(step, tf.int64)])
    if noise_shape is None:
        shape = tf.shape(inputs)
    else:
        shape = tf.stack([tf.cast(dim, tf.int32) for dim in noise_shape])
    uniform = gen_stateless_random_ops.stateless_random_uniform(shape, seed, dtype=inputs.dtype)
    keep = tf.cast(tf.greater_equal(uniform, rate), inputs.dtype)
    return inputs * (1.0 / (1.0 - rate)) * keep


def _patch_keras2_dropout(module):
    cls = getattr(module, "Dropout", None)
    if cls is None or getattr(cls.__init__, "_migrator_patched", False):
        return
    original_init, original_call = cls.__init__, cls.call

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self._migrator_dropout_key = _next_dropout_key()

    def call(self, inputs, training=None):
        key = getattr(self, "_migrator_dropout_key", None)
        if key is None or not _plain_rate(self.rate):
            return original_call(self, inputs, training)
        import tensorflow as tf
        from keras import backend as K

        rate = float(self.rate)
        noise_shape = self._get_noise_shape(inputs)
        graph = tf.compat.v1.get_default_graph()
        counters = self.__dict__.setdefault("_migrator_dropout_counters", {})
        if graph not in counters:
            # Outside the learning-phase cond (a variable cannot be created inside one);
            # Keras' session initializes the variables K.variable makes.
            with tf.compat.v1.init_scope():
                counters[graph] = K.variable(0, dtype="int64", name="migrator_dropout_step")
        counter = counters[graph]

        def dropped_inputs():
            return aligned_dropout(tf, inputs, rate, noise_shape, key, counter)

        return K.in_train_phase(dropped_inputs, inputs, training=training)

    __init__._migrator_patched = True
    cls.__init__ = __init__
    cls.call = call


def _patch_keras3_dropout_layer(module):
    cls = getattr(module, "Dropout", None)
    if cls is None or getattr(cls.__init__, "_migrator_patched", False):
        return
    original_init = cls.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        key = _next_dropout_key()
        generator = getattr(self, "seed_generator", None)
        if generator is not None:
            generator._migrator_dropout_key = key

    __init__._migrator_patched = True
    cls.__init__ = __init__


def _patch_keras3_dropout(module):
    original = getattr(module, "dropout", None)
    if original is None or getattr(original, "_migrator_patched", False):
        return

    def dropout(inputs, rate, noise_shape=None, seed=None):
        key = getattr(seed, "_migrator_dropout_key", None)
        if key is None or not _plain_rate(rate):
            return original(inputs, rate, noise_shape=noise_shape, seed=seed)
        import tensorflow as tf

        counter = getattr(seed, "_migrator_dropout_counter", None)
        if counter is None:
            with tf.init_scope():  # created once, eagerly, even when first called in a trace
                counter = tf.Variable(0, dtype=tf.int64, trainable=False, name="migrator_dropout_step")
            seed._migrator_dropout_counter = counter
        return aligned_dropout(tf, inputs, float(rate), noise_shape, key, counter)

    dropout._migrator_patched = True
    dropout.__wrapped__ = original
    module.dropout = dropout


def _quiet_deprecation(module):
    if hasattr(module, "_PRINT_DEPRECATION_WARNINGS"):
        module._PRINT_DEPRECATION_WARNINGS = False


# ----------------------------------------------------------------------------------
# Initializers: one deterministic NumPy source for every family
# ----------------------------------------------------------------------------------


def compute_fans(shape, input_axes=None, output_axes=None):
    shape = tuple(int(d) for d in shape)
    if input_axes is not None and output_axes is not None:
        fan_in = 1
        for axis in input_axes:
            fan_in *= shape[axis]
        fan_out = 1
        for axis in output_axes:
            fan_out *= shape[axis]
        return fan_in, fan_out
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = 1
    for dim in shape[:-2]:
        receptive *= dim
    return shape[-2] * receptive, shape[-1] * receptive


def _variance_scaling_spec(scale, mode, distribution, shape, input_axes=None, output_axes=None):
    fan_in, fan_out = compute_fans(shape, input_axes, output_axes)
    scale = float(scale)
    mode = str(mode).lower()
    if mode == "fan_in":
        scale /= max(1.0, fan_in)
    elif mode == "fan_out":
        scale /= max(1.0, fan_out)
    else:
        scale /= max(1.0, (fan_in + fan_out) / 2.0)
    distribution = str(distribution).lower()
    if distribution in ("normal", "truncated_normal"):
        return ("truncated", 0.0, (scale ** 0.5) / 0.87962566103423978)
    if distribution == "untruncated_normal":
        return ("normal", 0.0, scale ** 0.5)
    limit = (3.0 * scale) ** 0.5
    return ("uniform", -limit, limit)


def _rng_for(kind, shape, seed):
    import numpy

    if seed is None:
        key = "n=%d" % _state["initializers"]
        _state["initializers"] += 1
    else:
        key = "seed=%d" % int(seed)
    text = "%s|%s|%s" % (key, kind, ",".join(str(int(d)) for d in shape))
    digest = hashlib.sha256(text.encode("ascii")).digest()
    return numpy.random.RandomState(int.from_bytes(digest[:4], "little"))


def draw(spec, shape, seed=None):
    """float64 values for ``spec`` (a tuple from the spec functions) and ``shape``."""
    import numpy

    shape = tuple(int(d) for d in shape)
    kind = spec[0]
    rng = _rng_for(kind, shape, seed)
    if kind == "uniform":
        low, high = spec[1], spec[2]
        return low + (high - low) * rng.random_sample(shape)
    if kind == "normal":
        return spec[1] + spec[2] * rng.standard_normal(shape)
    if kind == "truncated":
        values = rng.standard_normal(shape)
        flat = values.reshape(-1)
        bad = numpy.abs(flat) > 2.0
        while bad.any():
            flat[bad] = rng.standard_normal(int(bad.sum()))
            bad = numpy.abs(flat) > 2.0
        return spec[1] + spec[2] * values
    if kind == "orthogonal":
        gain = spec[1]
        if len(shape) < 2:
            raise ValueError("an orthogonal initializer needs a shape of rank 2 or more")
        rows = 1
        for dim in shape[:-1]:
            rows *= dim
        cols = shape[-1]
        a = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = numpy.linalg.qr(a)
        q = q * numpy.sign(numpy.diag(r))
        if rows < cols:
            q = q.T
        return gain * q.reshape(shape)
    raise ValueError("unknown initializer kind %r" % (kind,))


def _number(value):
    if isinstance(value, bool):
        raise TypeError("not a number")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        import numpy

        if isinstance(value, numpy.generic) or (isinstance(value, numpy.ndarray) and value.shape == ()):
            return float(value)
    except ImportError:
        pass
    raise TypeError("not a plain number: %r" % (type(value),))


def _spec_of(initializer, shape, family):
    """The distribution an initializer instance asks for, or None when unknown."""
    mro = [cls.__name__ for cls in type(initializer).__mro__]
    if "VarianceScaling" in mro:
        return _variance_scaling_spec(
            _number(initializer.scale), initializer.mode, initializer.distribution, shape,
            getattr(initializer, "input_axes", None), getattr(initializer, "output_axes", None),
        )
    if "TruncatedNormal" in mro:
        return ("truncated", _number(initializer.mean), _number(initializer.stddev))
    if "RandomNormal" in mro:
        return ("normal", _number(initializer.mean), _number(initializer.stddev))
    if "RandomUniform" in mro:
        maxval = initializer.maxval
        if maxval is None:  # init_ops v1: maxval defaults to 1 for floats
            maxval = 1.0
        return ("uniform", _number(initializer.minval), _number(maxval))
    if "Orthogonal" in mro:
        return ("orthogonal", _number(initializer.gain))
    return None


def _user_seed(initializer, family):
    seed = getattr(initializer, "_init_seed", None) if family == "keras3" else getattr(initializer, "seed", None)
    if isinstance(seed, bool) or not isinstance(seed, int):
        return None
    return seed


_RANDOM_CLASSES = ("RandomNormal", "TruncatedNormal", "RandomUniform", "VarianceScaling", "Orthogonal")


def _patch_classes(module, family, make_call):
    for name in _RANDOM_CLASSES:
        cls = getattr(module, name, None)
        if not isinstance(cls, type) or "__call__" not in cls.__dict__:
            continue
        original = cls.__dict__["__call__"]
        if getattr(original, "_migrator_patched", False):
            continue
        patched = make_call(original)
        patched._migrator_patched = True
        patched.__doc__ = original.__doc__
        cls.__call__ = patched


def _patch_tf_initializers(module):
    def make_call(original):
        def __call__(self, shape, dtype=None, *args, **kwargs):
            from tensorflow.python.framework import constant_op, dtypes

            use = dtype if dtype is not None else getattr(self, "dtype", None)
            use = dtypes.as_dtype(use if use is not None else dtypes.float32)
            try:
                if not use.is_floating or use.name == "bfloat16":
                    raise TypeError("not a NumPy float type")
                spec = _spec_of(self, shape, "tf")
                if spec is None:
                    raise TypeError("unknown initializer")
            except (TypeError, AttributeError):
                return original(self, shape, dtype, *args, **kwargs)
            values = draw(spec, shape, _user_seed(self, "tf")).astype(use.as_numpy_dtype)
            return constant_op.constant(values, dtype=use)

        return __call__

    _patch_classes(module, "tf", make_call)


def _patch_contrib_initializers(module):
    """TF 1.x ``tf.contrib.layers.variance_scaling_initializer`` (and so
    ``xavier_initializer``, the default of ``tf.contrib.layers.fully_connected``/``conv2d``)
    is a closure over raw random ops: its uniform variant draws like the other
    initializers (the same fans as Keras' VarianceScaling). The truncated-normal variant
    (stddev sqrt(1.3 * factor / n)) is not Keras' and is left alone. The tf-slim package
    (``tf_slim.layers.initializers``, the TF 2 home of that code) gets the same patch."""
    original = getattr(module, "variance_scaling_initializer", None)
    if original is None or getattr(original, "_migrator_patched", False):
        return

    def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None, dtype=None, **kwargs):
        from tensorflow.python.framework import constant_op, dtypes

        dtype = dtypes.float32 if dtype is None else dtype
        fallback = original(factor=factor, mode=mode, uniform=uniform, seed=seed, dtype=dtype, **kwargs)
        if not uniform:
            return fallback

        def _initializer(shape, dtype=dtype, partition_info=None):
            use = dtypes.as_dtype(dtype)
            if not use.is_floating or use.name == "bfloat16":
                return fallback(shape, dtype=dtype, partition_info=partition_info)
            spec = _variance_scaling_spec(factor, mode, "uniform", shape)
            return constant_op.constant(draw(spec, shape, seed).astype(use.as_numpy_dtype), dtype=use)

        return _initializer

    variance_scaling_initializer._migrator_patched = True
    module.variance_scaling_initializer = variance_scaling_initializer


def _patch_keras2_initializers(module):
    def make_call(original):
        def __call__(self, shape, dtype=None):
            from keras import backend as K

            use = dtype if dtype is not None else K.floatx()
            try:
                if str(use) not in ("float16", "float32", "float64"):
                    raise TypeError("not a NumPy float type")
                spec = _spec_of(self, shape, "keras2")
                if spec is None:
                    raise TypeError("unknown initializer")
            except (TypeError, AttributeError):
                return original(self, shape, dtype)
            seed = _user_seed(self, "keras2")
            values = draw(spec, shape, seed).astype(str(use))
            if seed is not None:  # as Keras 2.3.1 does after every seeded draw
                self.seed += 1
            if spec[0] == "orthogonal":  # Keras 2.3.1's Orthogonal returns NumPy
                return values
            return K.constant(values, dtype=str(use))

        return __call__

    _patch_classes(module, "keras2", make_call)


def _patch_keras3_initializers(module):
    def make_call(original):
        def __call__(self, shape, dtype=None):
            from keras.src import backend, ops
            from keras.src.backend.common.stateless_scope import in_stateless_scope

            use = backend.standardize_dtype(dtype)
            if in_stateless_scope():
                # A placeholder for shape inference (the symbolic build of a subclassed
                # model's first call), not a variable's value: it takes no draw.
                return ops.zeros(shape, dtype=use)
            try:
                if use not in ("float16", "float32", "float64"):
                    raise TypeError("not a NumPy float type")
                spec = _spec_of(self, shape, "keras3")
                if spec is None:
                    raise TypeError("unknown initializer")
            except (TypeError, AttributeError):
                return original(self, shape, dtype)
            values = draw(spec, shape, _user_seed(self, "keras3")).astype(use)
            return ops.convert_to_tensor(values, dtype=use)

        return __call__

    _patch_classes(module, "keras3", make_call)


# ----------------------------------------------------------------------------------
# Datasets
# ----------------------------------------------------------------------------------


def _patch_dataset(module):
    import _migrator_child_data as data

    name = module.__name__.rsplit(".", 1)[-1]
    if hasattr(module, "load_data"):
        module.load_data = data.keras_loader(name)
    if name == "imdb" and hasattr(module, "get_word_index"):
        module.get_word_index = data.imdb_get_word_index


def _fill_input_data(module):
    import _migrator_child_data as data

    module.__doc__ = "Offline stand-in for tensorflow.examples.tutorials.mnist.input_data (migrator verify)."
    module.read_data_sets = data.read_data_sets
    module.DataSet = data.DataSet
    module.Datasets = data.Datasets
    module.dense_to_one_hot = data.dense_to_one_hot
    module.maybe_download = data.maybe_download
    _link_parents(module)


def _link_parents(module):
    """Make the chain of packages leading to ``module`` reachable attribute by attribute.

    TF 1.15 serves ``tensorflow.examples`` as the module ``tensorflow_core.examples``, so
    ``import tensorflow.examples.tutorials.mnist.input_data as input_data`` (which reads
    the chain attribute by attribute) found no ``tutorials`` on it.
    """
    parts = module.__name__.split(".")
    node = sys.modules.get(parts[0])
    for depth in range(1, len(parts)):
        child = module if depth == len(parts) - 1 else sys.modules.get(".".join(parts[:depth + 1]))
        if node is None or child is None:
            return
        if getattr(node, parts[depth], None) is None:
            setattr(node, parts[depth], child)
        node = getattr(node, parts[depth])


def compat_tensorflow():
    """The fallback runtime: ``tensorflow`` is ``tensorflow.compat.v1`` with v2 off."""
    import tensorflow.compat.v1 as v1

    v1.disable_v2_behavior()
    v1.logging.set_verbosity(v1.logging.ERROR)
    sys.modules["tensorflow"] = v1
    return v1
