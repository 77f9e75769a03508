"""The Keras 2.3.1 vs Keras 3 defaults table (codemods/analysis/keras_defaults.py) against
both sources: Keras 2.3.1 through the checked-in snapshot (scripts/snapshot_keras2_defaults.py
made it in the legacy runtime), Keras 3 by importing it. Also: the optimizers migrator
writes compute Keras 2.3.1's updates."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from codemods.analysis import keras_defaults as kd
from migrator.engine import migrate_source

SNAPSHOT = json.loads(
    (Path(__file__).resolve().parent.parent / "codemods" / "data" / "keras2_defaults.json").read_text()
)
K2 = {owner: dict(params) for owner, params in SNAPSHOT["signatures"].items()}


def _value(text: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _keras3_signature(owner: str) -> dict[str, object] | None:
    from tensorflow import keras

    module, _, name = owner.partition(".")
    obj = getattr(getattr(keras, module), name, None)
    if obj is None:
        return None
    sig = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    result = {}
    for p in sig.parameters.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        result[p.name] = "<required>" if p.default is p.empty else p.default
    return result


def _same(a: object, b: object) -> bool:
    if isinstance(a, list):
        a = tuple(a)
    if isinstance(b, list):
        b = tuple(b)
    return a == b and (type(a) is type(b) or {type(a), type(b)} <= {int, float})


SIGNATURE_ENTRIES = [e for e in kd.DEFAULTS if e.source == "signature"]


@pytest.mark.parametrize("entry", SIGNATURE_ENTRIES, ids=[f"{e.owner}.{e.param}" for e in SIGNATURE_ENTRIES])
def test_entry_matches_keras2_snapshot_and_installed_keras3(entry: kd.Default) -> None:
    k2 = K2[entry.owner]
    if entry.keras2 is kd.MISSING:
        assert entry.param not in k2
    else:
        assert _same(_value(k2[entry.param]), entry.keras2), (k2[entry.param], entry.keras2)
    k3 = _keras3_signature(entry.owner)
    assert k3 is not None, f"{entry.owner} does not exist in Keras 3"
    if entry.keras3 is kd.MISSING:
        assert entry.param not in k3
    else:
        assert _same(k3[entry.param], entry.keras3), (k3[entry.param], entry.keras3)


def test_every_changed_default_is_in_the_table() -> None:
    """No default of a class both versions have differs without an entry saying so."""
    listed = {(e.owner, e.param) for e in kd.DEFAULTS}
    missing = []
    for owner, k2 in K2.items():
        if owner.split(".")[0] == "regularizers":
            continue
        k3 = _keras3_signature(owner)
        if k3 is None:
            continue
        for param, text in k2.items():
            if text.startswith("<*") or text.startswith("<**"):
                continue
            value = _value(text)
            if param in k3:
                differs = not (_same(value, k3[param]) or (isinstance(value, (tuple, list)) and _same(tuple(value), k3[param])))
            else:
                differs = value not in (None, "<required>") and param not in ("kwargs", "name", "dtype")
            if differs and (owner, param) not in listed:
                missing.append(f"{owner}({param}={text}) -> {k3.get(param, 'MISSING')!r}")
    assert not missing, "defaults that changed but are not in keras_defaults.DEFAULTS:\n" + "\n".join(missing)


def test_keras2_optimizer_attributes() -> None:
    """Values Keras 2 kept in **kwargs or on the instance (not in the signature)."""
    attrs = SNAPSHOT["attributes"]
    for name, spec in kd.OPTIMIZERS.items():
        snap = attrs[f"optimizers.{name}"]
        assert snap.get("epsilon", 1e-7) == pytest.approx(1e-7)  # K.epsilon(): Keras 3's default too
        written = dict(spec.written_out)
        if "learning_rate" in written:
            assert snap["learning_rate"] == pytest.approx(float(written["learning_rate"]))
    assert attrs["optimizers.Nadam"]["schedule_decay"] == kd.lookup("optimizers.Nadam", "schedule_decay").keras2


# -- the migrated optimizers compute Keras 2.3.1's steps --------------------------------

# Formula differences the report names (relative tolerance) -- see OPTIMIZERS[...].caveat.
CAVEAT_RTOL = {"Nadam": 1e-3}


def _migrated_optimizer(case: str):
    """Run ``keras.optimizers.<case>`` through migrator and build what it wrote."""
    source = f"import keras\nopt = keras.optimizers.{case}\n"
    result = migrate_source(source.encode(), "opt.py")
    assert result.error is None, result.error
    namespace: dict = {}
    exec(compile(result.new_bytes, "opt.py", "exec"), namespace)
    return result.new_bytes.decode(), namespace["opt"]


def _run(opt, steps: int) -> list[list[float]]:
    import tensorflow as tf

    w0 = np.array(SNAPSHOT["problem"]["w0"], dtype="float32")
    scale = np.array(SNAPSHOT["problem"]["scale"], dtype="float32")
    from tensorflow import keras

    w = keras.Variable(w0)
    trajectory = []
    for _ in range(steps):
        grad = tf.constant(2.0 * scale * np.asarray(w.numpy()), dtype=tf.float32)
        opt.apply_gradients([(grad, w)])
        trajectory.append([float(v) for v in np.asarray(w.numpy())])
    return trajectory


@pytest.mark.parametrize("case", sorted(SNAPSHOT["optimizer_steps"]))
def test_migrated_optimizer_follows_keras2(case: str) -> None:
    expected = np.array(SNAPSHOT["optimizer_steps"][case])
    code, opt = _migrated_optimizer(case)
    got = np.array(_run(opt, len(expected)))
    name = case.split("(")[0]
    rtol = CAVEAT_RTOL.get(name, 2e-5)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-6, err_msg=code)


def test_nadam_caveat_is_real() -> None:
    expected = np.array(SNAPSHOT["optimizer_steps"]["Nadam()"])
    _, opt = _migrated_optimizer("Nadam()")
    got = np.array(_run(opt, len(expected)))
    assert not np.allclose(got, expected, rtol=1e-5, atol=0)


@pytest.mark.parametrize("name", ["Adagrad", "RMSprop"])
@pytest.mark.parametrize("g", [1e-3, 1e-4, 1e-5, 0.0])
def test_squared_epsilon_keeps_small_gradient_steps(name: str, g: float) -> None:
    """Keras 2 divides by sqrt(v) + eps, Keras 3 by sqrt(v + eps'): with eps' = eps**2 (what
    K203 writes) the first step stays within eps/sqrt(v) of Keras 2's; Keras 3's own
    default eps' = 1e-7 is off by far more once v is below eps (small gradients)."""
    import tensorflow as tf
    from tensorflow import keras

    def first_step(opt) -> float:
        w = keras.Variable(np.array([0.0], dtype="float32"))
        opt.apply_gradients([(tf.constant([g], dtype=tf.float32), w)])
        return float(np.asarray(w.numpy())[0])

    _, opt = _migrated_optimizer(f"{name}()")
    lr = float(np.asarray(opt.learning_rate))
    v = g * g * (1 - 0.9) if name == "RMSprop" else g * g  # Keras 2's first-step accumulator
    keras2 = -lr * g / (np.sqrt(v) + 1e-7)
    got = first_step(opt)
    if g == 0.0:
        assert got == 0.0  # no 0/0: Keras 2 gave 0 too
        return
    bound = 1e-7 / np.sqrt(v) + 1e-5
    assert abs(got - keras2) <= bound * abs(keras2)
    default = first_step(getattr(keras.optimizers, name)(learning_rate=lr))
    assert abs(default - keras2) > 10 * abs(got - keras2) + 1e-3 * abs(keras2)
