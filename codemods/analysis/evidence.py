"""Which world a module lives in: TensorFlow 1 or 2, Keras 2 or 3, NumPy 1 or 2.

A rewrite that is also valid modern code (``tf.where(c, x, y)`` is TF 2's broadcasting
where; ``import keras`` is Keras 3; ``np.bool`` is back in NumPy 2) may only be applied
when the module shows that it is legacy code. The evidence is read once per file, from
the tree the pipeline received (before any rule changed it), through the module's
imports, and from the project's declared pins (``requirements*.txt``, ``pyproject.toml``,
``setup.py``, ``setup.cfg`` in the file's folder or the nearest folder above holding one),
which only decide when the code itself shows nothing.

Verdicts are ``TF1``/``TF2``, ``KERAS2``/``KERAS3``, ``NUMPY1``/``NUMPY2`` or ``UNKNOWN``
("could not tell"), each with the reasons, for the rules and for the report.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

import libcst as cst

from codemods.analysis import tf_api
from codemods.analysis.names import ImportResolver, resolver_for

TF1, TF2 = "TF 1", "TF 2"
KERAS2, KERAS3 = "Keras 2", "Keras 3"
NUMPY1, NUMPY2 = "NumPy 1", "NumPy 2"
UNKNOWN = "could not tell"

# TF 1 graph-mode calls, spelled through tf.compat.v1 by code half-way to TF 2.
_COMPAT_GRAPH_MODE = {
    f"tensorflow.compat.v1.{name}"
    for name in (
        "Session", "InteractiveSession", "placeholder", "disable_v2_behavior", "disable_eager_execution",
        "get_variable", "variable_scope", "global_variables_initializer", "train.Saver",
    )
}
# TF 2-only names (reported as the reason a module was judged TF 2).
_TF2_ONLY = {
    "tensorflow.function", "tensorflow.GradientTape", "tensorflow.Module", "tensorflow.random.Generator",
    "tensorflow.experimental.numpy", "tensorflow.saved_model.save", "tensorflow.distribute.MirroredStrategy",
}
# Keras 3's own API: modules and names Keras 2 did not have.
_KERAS3 = (
    "keras.ops", "keras.src", "keras.saving", "keras.random", "keras.tree", "keras.config", "keras.export",
    "keras.dtype_policies", "keras.quantizers", "keras.distribution", "keras.Variable", "keras.KerasTensor",
    "keras.StatelessScope", "keras.Operation", "keras.Function", "keras.device", "keras.name_scope",
    "keras.utils.PyDataset", "keras.layers.TorchModuleWrapper", "keras.layers.JaxLayer",
    # newer than standalone Keras 2.3.1 (the Keras 2 that `import keras` meant before
    # Keras 3): code using them through `keras` is not the code K101 moves
    "keras.utils.set_random_seed", "keras.layers.Identity", "keras.layers.GroupNormalization",
    "keras.layers.UnitNormalization", "keras.layers.EinsumDense", "keras.layers.MultiHeadAttention",
    "keras.layers.Rescaling", "keras.layers.TextVectorization", "keras.layers.RandomFlip",
    "keras.layers.RandomRotation", "keras.layers.RandomZoom", "keras.optimizers.AdamW", "keras.optimizers.Lion",
    "keras.callbacks.BackupAndRestore",
)
# Keras 3's file formats, named in string literals (`model.save("m.keras")`).
_KERAS3_FORMATS = re.compile(r"""\.(keras|weights\.h5)['"]$""")
# Standalone Keras 2 (and 1): modules and names Keras 3 does not have.
_KERAS2 = (
    "keras.engine", "keras.legacy", "keras.wrappers", "keras.backend.tensorflow_backend",
    "keras.backend.set_session", "keras.backend.get_session", "keras.utils.np_utils",
    "keras.utils.generic_utils", "keras.utils.vis_utils", "keras.utils.data_utils", "keras.layers.merge",
    "keras.layers.core", "keras.layers.convolutional", "keras.layers.recurrent", "keras.layers.normalization",
    "keras.layers.advanced_activations", "keras.layers.embeddings", "keras.layers.pooling",
    "keras.layers.wrappers", "keras.layers.noise", "keras.layers.Merge", "keras.layers.Convolution1D",
    "keras.layers.Convolution2D", "keras.layers.Convolution3D", "keras.layers.MaxoutDense",
    "keras.layers.Highway", "keras.layers.CuDNNLSTM", "keras.layers.CuDNNGRU", "keras.objectives",
)
_PIN = re.compile(
    r"""(?:^|[\s'"\[,(])(tensorflow|tensorflow-cpu|tensorflow-gpu|tf-nightly|keras|numpy)[ \t]*(\[[^\]]*\])?"""
    r"""[ \t]*(==|~=|<=|>=|<|>|===)[ \t]*v?(\d+)""",
    re.IGNORECASE | re.MULTILINE,
)
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass(frozen=True)
class Verdict:
    world: str
    reasons: tuple[str, ...] = ()

    def describe(self) -> str:
        why = "; ".join(self.reasons[:3]) if self.reasons else "no sign of either"
        return f"{self.world} ({why})"


@dataclass(frozen=True)
class Evidence:
    tensorflow: Verdict
    keras: Verdict
    numpy_names: frozenset[str]  # every numpy.X the module uses (N101 judges them)
    numpy_pin: Verdict  # from the project's declared pins only

    @property
    def tf1(self) -> bool:
        return self.tensorflow.world == TF1

    @property
    def keras3(self) -> bool:
        return self.keras.world == KERAS3


def _keyword_evidence(symbol: str, keyword: str) -> bool:
    """Is ``symbol(keyword=...)`` a TF 1-only call (``tf.reduce_sum(keep_dims=...)``)?"""
    renames = tf_api.keyword_renames(symbol)
    if keyword not in renames:
        return False
    sig = tf_api.signature(symbol)
    if sig is not None and sig["v2_keywords"] is not None:
        return keyword not in sig["v2_keywords"]
    return renames[keyword] != keyword


def _tf1_symbol(name: str) -> str | None:
    if name.startswith("tensorflow.") and not name.startswith("tensorflow.compat."):
        return "tf." + name[len("tensorflow."):]
    return None


def _tf1_only_prefix(symbol: str) -> str | None:
    """The part of ``tf.a.b.c`` that is a TF 1 name TF 2 does not have, if any."""
    in_tf2 = tf_api.in_tf2()
    parts = symbol.split(".")
    for end in range(len(parts), 1, -1):
        prefix = ".".join(parts[:end])
        if prefix in in_tf2:
            return None
        if tf_api.tf1_only(prefix):
            return prefix
    return None


def _tensorflow_verdict(resolver: ImportResolver, names: list[str], keywords: list, pins: dict) -> Verdict:
    tf1: list[str] = []
    if resolver.alias_for("tensorflow") is None and resolver.alias_for("tensorflow.compat.v1") is not None:
        tf1.append("imports tensorflow.compat.v1 as its TensorFlow")
    for name in names:
        symbol = _tf1_symbol(name)
        if symbol is not None and not symbol.startswith("tf.keras"):
            only = _tf1_only_prefix(symbol)
            if only is not None:
                tf1.append(f"uses `{only}`, which TF 2 does not have")
        elif name in _COMPAT_GRAPH_MODE:
            tf1.append(f"uses `{name.replace('tensorflow', 'tf', 1)}` (graph mode)")
    for name, keyword in keywords:
        symbol = _tf1_symbol(name)
        if symbol is not None and _keyword_evidence(symbol, keyword):
            tf1.append(f"calls `{symbol}` with TF 1's `{keyword}=`")
    if tf1:
        return Verdict(TF1, tuple(dict.fromkeys(tf1)))
    tf2 = [f"uses `{n.replace('tensorflow', 'tf', 1)}`" for n in names if n in _TF2_ONLY]
    if tf2:
        return Verdict(TF2, tuple(tf2))
    declared = pins.get("tensorflow")
    if declared is not None:
        return Verdict(TF1 if declared < 2 else TF2, (f"the project declares tensorflow {declared}.x",))
    if not resolver.imports_from("tensorflow"):
        return Verdict(UNKNOWN, ("does not import tensorflow",))
    return Verdict(UNKNOWN, ("no TF 1-only name, TF 1 argument or graph-mode call",))


def _keras_verdict(names: list[str], imports: set[str], tensorflow: Verdict, pins: dict, keras3_format: str | None) -> Verdict:
    used = {*names, *imports}

    def hits(table: tuple[str, ...]) -> list[str]:
        return sorted({
            prefix for name in used for prefix in table if name == prefix or name.startswith(prefix + ".")
        })

    keras2, keras3 = hits(_KERAS2), hits(_KERAS3)
    if keras2:
        return Verdict(KERAS2, tuple(f"uses `{n}`, which Keras 3 does not have" for n in keras2))
    if tensorflow.world == TF1 and tensorflow.reasons and "declares" not in tensorflow.reasons[0]:
        return Verdict(KERAS2, ("TF 1 code (Keras 3 needs TF 2)",))
    if keras3:
        return Verdict(KERAS3, tuple(f"uses `{n}`, which Keras 2 did not have" for n in keras3))
    if keras3_format is not None and any(n == "keras" or n.startswith("keras.") for n in used):
        return Verdict(KERAS3, (f"names a Keras 3 file format ({keras3_format})",))
    declared = pins.get("keras")
    if declared is not None:
        return Verdict(KERAS2 if declared < 3 else KERAS3, (f"the project declares keras {declared}.x",))
    return Verdict(UNKNOWN, ("no Keras 2-only or Keras 3-only name",))


# -- the project's declared pins ---------------------------------------------------------


def _pins_in(text: str) -> dict[str, int]:
    pins: dict[str, int] = {}
    for match in _PIN.finditer(text):
        package = match.group(1).lower()
        package = "tensorflow" if package.startswith(("tensorflow", "tf-")) else package
        operator, major = match.group(3), int(match.group(4))
        if operator == "<" and major > 0:
            major -= 1  # tensorflow<2: a 1.x
        pins.setdefault(package, major)
    return pins


@functools.lru_cache(maxsize=1024)
def project_pins(folder: str) -> dict[str, int]:
    """Major versions of tensorflow / keras / numpy pinned by the project files of
    ``folder`` or of the nearest folder above holding any (read once per folder)."""
    try:
        entries = os.listdir(folder)
    except OSError:
        entries = []
    wanted = [
        e for e in entries
        if e in _PROJECT_FILES or (e.startswith("requirements") and e.endswith((".txt", ".in")))
    ]
    if wanted:
        pins: dict[str, int] = {}
        for entry in sorted(wanted):
            try:
                with open(os.path.join(folder, entry), encoding="utf-8", errors="replace") as handle:
                    text = handle.read(256 * 1024)
            except OSError:
                continue
            for package, major in _pins_in(text).items():
                pins.setdefault(package, major)
        return pins
    parent = os.path.dirname(folder)
    if parent == folder or ".git" in entries:
        return {}
    return project_pins(parent)


def _pins_for(filename: str | None) -> dict[str, int]:
    if not filename or filename.startswith("<"):
        return {}
    return project_pins(os.path.dirname(os.path.abspath(filename)))


# -- a local module shadowing a library ------------------------------------------------------

_SHADOWABLE = ("tensorflow", "keras", "numpy")


@functools.lru_cache(maxsize=1024)
def _local_modules(folder: str) -> tuple[str, ...]:
    """The libraries a module or package in ``folder`` shadows: a script run from there
    imports the local one (``sys.path[0]`` is the script's folder)."""
    found = []
    for name in _SHADOWABLE:
        path = os.path.join(folder, name)
        if os.path.isfile(path + ".py") or os.path.isfile(os.path.join(path, "__init__.py")):
            found.append(name)
    return tuple(found)


def shadowed_import(resolver: ImportResolver, filename: str | None) -> str | None:
    """The library this file imports that a sibling module of the same name shadows."""
    if not filename or filename.startswith("<"):
        return None
    for name in _local_modules(os.path.dirname(os.path.abspath(filename))):
        if resolver.imports_from(name):
            return name
    return None


# -- per file -----------------------------------------------------------------------------

_FIRST = "codemods.analysis.evidence.first_resolver"
_CACHE = "codemods.analysis.evidence"


def remember_input(resolver: ImportResolver, scratch: dict) -> None:
    """Keep the resolver of the tree the pipeline received: evidence is read from it,
    not from what earlier rules made of the file."""
    scratch.setdefault(_FIRST, resolver)


def input_imports_from(scratch: dict, package: str, besides: tuple[str, ...] = ()) -> bool | None:
    """Did the file as the pipeline received it import ``package`` (None: not known)?
    (K101 moves standalone ``keras`` imports to ``tensorflow.keras`` early on.) Imports
    from the subpackages ``besides`` names (``keras.utils``) do not count."""
    resolver = scratch.get(_FIRST)
    if resolver is None or not besides:
        return None if resolver is None else resolver.imports_from(package)
    origins = {
        origin for scope in resolver._scopes.values()  # noqa: SLF001
        for origin in [*scope.imports.values(), *scope.star_modules]
    }
    return any(
        (origin == package or origin.startswith(package + "."))
        and not any(origin == other or origin.startswith(other + ".") for other in besides)
        for origin in origins
    )


def evidence_for(tree: cst.Module, scratch: dict, filename: str | None) -> Evidence:
    cached = scratch.get(_CACHE)
    if cached is not None:
        return cached
    resolver = scratch.get(_FIRST) or resolver_for(tree, scratch)
    names = sorted(resolver.names_read())
    keywords = [(name, keyword) for name, keywords in resolver.keyword_calls() for keyword in keywords]
    keras3_format = next((text for text in resolver.strings() if _KERAS3_FORMATS.search(text)), None)
    pins = _pins_for(filename)
    tensorflow = _tensorflow_verdict(resolver, names, keywords, pins)
    imports = {
        origin for scope in resolver._scopes.values() for origin in scope.imports.values()  # noqa: SLF001
    }
    keras = _keras_verdict(names, imports, tensorflow, pins, keras3_format)
    numpy_pin = pins.get("numpy")
    evidence = Evidence(
        tensorflow=tensorflow,
        keras=keras,
        numpy_names=frozenset(n for n in names if n.startswith("numpy.")),
        numpy_pin=Verdict(UNKNOWN) if numpy_pin is None else Verdict(
            NUMPY1 if numpy_pin < 2 else NUMPY2, (f"the project declares numpy {numpy_pin}.x",)
        ),
    )
    scratch[_CACHE] = evidence
    return evidence
