"""T104 beyond its examples."""

from __future__ import annotations

import ast
import textwrap

from codemods.api.t104_tf_print import TFPrint
from migrator.engine import migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [TFPrint])
    text = result.new_bytes.decode()
    ast.parse(text)
    assert migrate_source(result.new_bytes, "t.py", [TFPrint]).new_bytes == result.new_bytes
    return text, result.findings


def test_bare_statement_data_variable_and_comments() -> None:
    text, findings = migrate(
        """\
        import tensorflow as tf
        # show it
        tf.Print(x, [x, y])  # debug
        parts = [a, b]
        z = tf.Print(x, parts, "z", name="p")
        """
    )
    assert text == textwrap.dedent(
        """\
        import tensorflow as tf
        # show it
        tf.print(x, y)  # debug
        parts = [a, b]
        tf.print("z", *parts)
        z = x
        """
    )
    assert [f.kind for f in findings] == ["converted", "converted"]


def test_compat_module_alias_and_unrelated_print() -> None:
    text, _ = migrate("import tensorflow.compat.v1 as tf1\nx = tf1.Print(x, [x])\nprint(x)\n")
    assert text == "import tensorflow.compat.v1 as tf1\ntf1.print(x)\nprint(x)\n"
