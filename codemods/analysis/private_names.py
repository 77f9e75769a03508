"""Names reached through TensorFlow's private modules, read as the public TF1 names they are.

``from tensorflow.python.framework import ops`` + ``ops.reset_default_graph()`` is
``tf.reset_default_graph()``; ``math_ops.reduce_sum`` is ``tf.reduce_sum``. The table
(``codemods/data/tf1_private_names.json``) is generated from TF 1.15.5 by
``scripts/snapshot_tf1_private_names.py`` (objects followed by identity to the public
API); loaded on first use, and only for names under ``tensorflow.python``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "tf1_private_names.json"
PRIVATE_ROOT = "tensorflow.python."


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    return json.loads(DATA.read_text())


def public_qualified(qualified: str) -> str:
    """``tensorflow.reset_default_graph`` for ``tensorflow.python.framework.ops.reset_default_graph``;
    any other name unchanged (a private name the TF1 API does not export stays as it is)."""
    if not qualified.startswith(PRIVATE_ROOT):
        return qualified
    table = _table()
    parts = qualified.split(".")
    # The longest module path the table knows, then the public name of what follows it.
    for end in range(len(parts) - 1, 2, -1):
        names = table.get(".".join(parts[:end]))
        if names is not None:
            public = names.get(parts[end])
            if public is None:
                return qualified
            return ".".join(["tensorflow", public, *parts[end + 1 :]])
    return qualified
