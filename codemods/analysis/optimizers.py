"""TF1 ``tf.train`` optimizers and the Keras 3 optimizers that compute the same updates.

Each entry lists the TF1 constructor's parameters in positional order with their TF1
defaults, and how each maps to the Keras keyword. TF1 defaults that differ from Keras
3's are written out explicitly so the numbers stay the same.

``RMSPropOptimizer`` computes Keras 3's RMSprop update (epsilon inside the square root,
momentum and centered alike) but starts its mean-square accumulator at 1.0 where Keras
starts at 0.0, with no option to change it; the first hundred steps would differ by
tens of percent. ``ones_slots`` names such slots: the converted program builds the
optimizer and sets them to one before its first step.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OptimizerMapping:
    keras_name: str
    # (TF1 parameter, Keras keyword or None to drop, TF1 default as code or None)
    params: tuple[tuple[str, str | None, str | None], ...]
    # Keras keywords that must always be written out (TF1 value differs from Keras 3's).
    explicit: tuple[str, ...] = ()
    # Extra keywords the Keras call needs that have no TF1 parameter.
    extra: dict[str, str] = field(default_factory=dict)
    # Keras slot variables (by name suffix) that TF1 started at 1.0 instead of 0.0.
    ones_slots: tuple[str, ...] = ()


_COMMON_TAIL = (("use_locking", None, None), ("name", None, None))

OPTIMIZERS: dict[str, OptimizerMapping] = {
    "GradientDescentOptimizer": OptimizerMapping(
        "SGD", (("learning_rate", "learning_rate", None), *_COMMON_TAIL)
    ),
    "MomentumOptimizer": OptimizerMapping(
        "SGD",
        (
            ("learning_rate", "learning_rate", None),
            ("momentum", "momentum", None),
            *_COMMON_TAIL,
            ("use_nesterov", "nesterov", "False"),
        ),
    ),
    "AdamOptimizer": OptimizerMapping(
        "Adam",
        (
            ("learning_rate", "learning_rate", "0.001"),
            ("beta1", "beta_1", "0.9"),
            ("beta2", "beta_2", "0.999"),
            ("epsilon", "epsilon", "1e-08"),
            *_COMMON_TAIL,
        ),
        explicit=("epsilon",),
    ),
    "AdagradOptimizer": OptimizerMapping(
        "Adagrad",
        (
            ("learning_rate", "learning_rate", None),
            ("initial_accumulator_value", "initial_accumulator_value", "0.1"),
            *_COMMON_TAIL,
        ),
        explicit=("initial_accumulator_value",),
        # TF1's Adagrad divides by sqrt(accumulator) with no epsilon.
        extra={"epsilon": "0.0"},
    ),
    "AdadeltaOptimizer": OptimizerMapping(
        "Adadelta",
        (
            ("learning_rate", "learning_rate", "0.001"),
            ("rho", "rho", "0.95"),
            ("epsilon", "epsilon", "1e-08"),
            *_COMMON_TAIL,
        ),
        explicit=("learning_rate", "epsilon"),
    ),
    "RMSPropOptimizer": OptimizerMapping(
        "RMSprop",
        (
            ("learning_rate", "learning_rate", None),
            ("decay", "rho", "0.9"),
            ("momentum", "momentum", "0.0"),
            ("epsilon", "epsilon", "1e-10"),
            ("use_locking", None, None),
            ("centered", "centered", "False"),
            ("name", None, None),
        ),
        explicit=("epsilon",),
        ones_slots=("_velocity",),
    ),
    "FtrlOptimizer": OptimizerMapping(
        "Ftrl",
        (
            ("learning_rate", "learning_rate", None),
            ("learning_rate_power", "learning_rate_power", "-0.5"),
            ("initial_accumulator_value", "initial_accumulator_value", "0.1"),
            ("l1_regularization_strength", "l1_regularization_strength", "0.0"),
            ("l2_regularization_strength", "l2_regularization_strength", "0.0"),
            ("use_locking", None, None),
            ("name", None, None),
            ("accum_name", None, None),
            ("linear_name", None, None),
            ("l2_shrinkage_regularization_strength", "l2_shrinkage_regularization_strength", "0.0"),
            ("beta", "beta", None),
        ),
    ),
}


def keras_arguments(
    mapping: OptimizerMapping, positional: list[str], keywords: dict[str, str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Keras keyword arguments (in TF1 parameter order) for a TF1 call, and what was dropped.

    ``positional`` and ``keywords`` hold argument source code.
    """
    given: dict[str, str] = dict(zip((p[0] for p in mapping.params), positional))
    given.update(keywords)
    result: list[tuple[str, str]] = []
    dropped: list[str] = []
    for tf1_name, keras_name, default in mapping.params:
        if keras_name is None:
            if tf1_name in given and tf1_name != "name":
                dropped.append(tf1_name)
            continue
        if tf1_name in given:
            result.append((keras_name, given[tf1_name]))
        elif keras_name in mapping.explicit and default is not None:
            result.append((keras_name, default))
    result.extend(mapping.extra.items())
    unknown = [k for k in keywords if k not in {p[0] for p in mapping.params}]
    return result, dropped + unknown
