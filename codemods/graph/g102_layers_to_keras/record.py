"""What G102 tells G101 about a module it rewrote, kept in the shared scratch."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst


@dataclass
class ConvertedLayers:
    """What G102 tells G101 about a module it rewrote (in the shared scratch, ``converted_layers``)."""

    original: cst.Module | None = None  # the tree G102 received, for G101's fallback
    objects: set[str] = field(default_factory=set)  # names of the layer objects G102 created (state for G101)
    classes: set[str] = field(default_factory=set)  # names of the layer classes G102 made from graph-building functions
    # Functions whose get_variable calls became tf.Variables with Keras initializers (for
    # G101's variable helpers), and those whose variable scopes became name scopes.
    variable_functions: set[str] = field(default_factory=set)
    # Variables it created at the graph's level from tf.get_variable (tf.Variables whose
    # initial values Keras initializers draw).
    graph_variables: set[str] = field(default_factory=set)
    # Layer objects made from a function whose variable scope names all their variables
    # ("discriminator/"), for G101's variable lists selected by name.
    scopes: dict[str, str] = field(default_factory=dict)
    # Calls it left on TF1 (by id, nodes of the tree G102 returned) -> why, for G101's reasons.
    declined: dict[int, str] = field(default_factory=dict)


CONVERTED_LAYERS = "g102.converted_layers"


def converted_layers(scratch: dict) -> ConvertedLayers:
    """G102's record for this file (empty when G102 changed nothing)."""
    return scratch.get(CONVERTED_LAYERS) or ConvertedLayers()
