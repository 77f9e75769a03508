"""Snapshot Keras 2.3.1's constructor defaults and optimizer steps (runs in the legacy runtime).

Writes ``codemods/data/keras2_defaults.json``, which ``tests/test_keras_defaults.py``
compares with the table in ``codemods/analysis/keras_defaults.py`` and with the
installed Keras 3, so CI needs no Keras 2. Re-run with the legacy interpreter:

    $(.venv/bin/migrator legacy-env | tail -1) scripts/snapshot_keras2_defaults.py

Python 3.7 compatible (it runs on TensorFlow 1.15.5 + Keras 2.3.1).
"""

from __future__ import print_function

import inspect
import json
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "codemods", "data", "keras2_defaults.json")
MODULES = ("optimizers", "layers", "initializers", "losses", "metrics", "callbacks", "regularizers")

# The optimizer test problem (also used by the test on the Keras 3 side).
W0 = [1.0, -2.0, 0.5]
SCALE = [1.0, 0.1, 10.0]
STEPS = 5
# Constructor keyword sets whose trajectories are recorded ("" = all defaults).
OPTIMIZER_CASES = {
    "SGD": ["", "lr=0.1", "lr=0.1, momentum=0.9, decay=0.05", "lr=0.1, momentum=0.9, nesterov=True"],
    "RMSprop": ["", "lr=0.01, decay=0.1"],
    "Adagrad": [""],
    "Adadelta": [""],
    "Adam": ["", "lr=0.01, decay=0.1", "amsgrad=True"],
    "Adamax": [""],
    "Nadam": [""],
}


def describe(value):
    if value is inspect.Parameter.empty:
        return "<required>"
    return repr(value)


def signatures(keras):
    result = {}
    for module_name in MODULES:
        module = getattr(keras, module_name)
        for name in sorted(dir(module)):
            obj = getattr(module, name)
            if name.startswith("_") or not callable(obj):
                continue
            try:
                sig = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
            except (TypeError, ValueError):
                continue
            params = []
            for p in sig.parameters.values():
                if p.name == "self":
                    continue
                if p.kind == p.VAR_POSITIONAL:
                    params.append([p.name, "<*args>"])
                elif p.kind == p.VAR_KEYWORD:
                    params.append([p.name, "<**kwargs>"])
                else:
                    params.append([p.name, describe(p.default)])
            result["%s.%s" % (module_name, name)] = params
    return result


def optimizer_attributes(keras, K):
    result = {}
    for name in sorted(OPTIMIZER_CASES):
        opt = getattr(keras.optimizers, name)()
        attrs = {"learning_rate": float(K.get_value(opt.learning_rate))}
        for attr in ("epsilon", "initial_decay", "schedule_decay"):
            if hasattr(opt, attr):
                attrs[attr] = float(getattr(opt, attr))
        result["optimizers." + name] = attrs
    return result


def optimizer_steps(keras, K):
    """w after each of STEPS updates on loss = sum(SCALE * w**2), from W0."""
    import numpy as np
    import tensorflow as tf

    result = {}
    for name, cases in sorted(OPTIMIZER_CASES.items()):
        for case in cases:
            graph = tf.Graph()
            with graph.as_default():
                session = tf.Session(graph=graph)
                K.set_session(session)
                w = K.variable(np.array(W0, dtype="float32"))
                loss = K.sum(K.constant(SCALE) * K.square(w))
                opt = eval("keras.optimizers.%s(%s)" % (name, case))
                # (variable, value) pairs are assignments, as K.function treats them.
                updates = [K.update(u[0], u[1]) if isinstance(u, tuple) else u for u in opt.get_updates(loss, [w])]
                session.run(tf.global_variables_initializer())
                # Optimizer-level state (the step counter, Nadam's m_schedule) is updated
                # after the updates that read it: what Keras 2.3.1 meant; TF 1.15 left
                # the reads and the writes unordered.
                shared = [v for v in (getattr(opt, "iterations", None), getattr(opt, "m_schedule", None)) if v is not None]
                shared_ops = set(v.op for v in shared)
                late = [u for u in updates if u.op.inputs and u.op.inputs[0].op in shared_ops]
                early = [u for u in updates if not any(u is x for x in late)]
                assert len(late) == len(shared), (name, late)
                trajectory = []
                for _ in range(STEPS):
                    session.run(early)
                    session.run(late)
                    trajectory.append([float(v) for v in session.run(w)])
                result["%s(%s)" % (name, case)] = trajectory
                session.close()
    return result


def main():
    import keras
    import tensorflow as tf
    from keras import backend as K

    data = {
        "source": {"keras": keras.__version__, "tensorflow": tf.__version__, "python": sys.version.split()[0]},
        "problem": {"w0": W0, "scale": SCALE, "steps": STEPS},
        "signatures": signatures(keras),
        "attributes": optimizer_attributes(keras, K),
        "optimizer_steps": optimizer_steps(keras, K),
    }
    with open(OUT, "w") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print("wrote %s (%d signatures, %d optimizer runs)" % (OUT, len(data["signatures"]), len(data["optimizer_steps"])))


if __name__ == "__main__":
    main()
