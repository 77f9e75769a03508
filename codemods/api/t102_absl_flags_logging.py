"""T102: ``tf.app.flags`` / ``tf.flags`` / ``tf.logging`` / ``tf.app.run`` -> absl.

TF 1's flags and logging modules were thin wrappers around absl, which TF 2 dropped
(tf_upgrade_v2 sends them to ``tf.compat.v1``). TF 2 programs use absl directly:
``absl.flags``, ``absl.logging``, ``absl.app.run``. Runs before T101, which would
otherwise keep them on ``tf.compat.v1``.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from codemods.analysis import tf_api
from codemods.analysis.cst_tools import code
from codemods.base import Example, Rule

# What absl.logging has of TF 1's tf.logging (TaskLevelStatusMessage has no absl form).
ABSL_LOGGING_NAMES = {
    "DEBUG", "ERROR", "FATAL", "INFO", "WARN", "debug", "error", "fatal", "flush", "get_verbosity", "info",
    "log", "log_every_n", "log_first_n", "log_if", "set_verbosity", "vlog", "warn", "warning",
}


class AbslFlagsLogging(Rule):
    code = "T102"
    details = (
        "TF 1.x's tf.app.flags was absl.flags behind a wrapper and tf.logging logged through Python's "
        "logging; TF 2 has neither outside tf.compat.v1. The absl modules are imported as `import "
        "absl.flags` (never a bare `flags`/`logging` name, which user code often binds). "
        "`tf.app.run()` without a main function uses the module's `main`; absl.app.run, unlike "
        "tf.app.run, rejects command-line flags that nothing defines (reported at the call)."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                tf.app.flags.DEFINE_integer("steps", 10, "Training steps.")
                FLAGS = tf.app.flags.FLAGS


                def main(_):
                    tf.logging.set_verbosity(tf.logging.INFO)
                    tf.logging.info("steps: %d", FLAGS.steps)


                if __name__ == "__main__":
                    tf.app.run()
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf
                import absl.app
                import absl.flags
                import absl.logging

                absl.flags.DEFINE_integer("steps", 10, "Training steps.")
                FLAGS = absl.flags.FLAGS


                def main(_):
                    absl.logging.set_verbosity(absl.logging.INFO)
                    absl.logging.info("steps: %d", FLAGS.steps)


                if __name__ == "__main__":
                    absl.app.run(main)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import logging
                import tensorflow as tf

                logging.info("not TensorFlow's")
                tf.compat.v1.logging.info("explicitly kept")
                """
            ),
        ),
    )

    def rewrite(self, tree: cst.Module) -> cst.Module:
        names = tf_api.api_names(self.context.scratch, self.resolver)
        if names is None:
            return tree
        self.names = names
        self.needed: set[str] = set()
        self._call_funcs: set[int] = set()
        self._inner: set[int] = set()
        self.has_main = any(isinstance(s, cst.FunctionDef) and s.name.value == "main" for s in tree.body)
        self.skip_statements_without("tensorflow")
        new = tree.visit(self)
        if self.needed:
            new = tf_api.add_imports(new, [f"import {module}" for module in sorted(self.needed)])
        return new

    def _absl(self, symbol: str | None) -> str | None:
        """``absl.logging.info`` for ``tf.logging.info``, if absl has it."""
        if symbol is None:
            return None
        if symbol == "tf.app.run":
            return "absl.app.run"
        for old, new in tf_api.ABSL_MODULES.items():
            if symbol == old:
                return new
            if symbol.startswith(old + "."):
                rest = symbol[len(old) + 1 :]
                if new == "absl.logging" and rest.split(".")[0] not in ABSL_LOGGING_NAMES:
                    return None
                return f"{new}.{rest}"
        return None

    def visit_Call(self, node: cst.Call) -> None:
        self._call_funcs.add(id(node.func))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._inner.add(id(node.value))

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        symbol = self.names.symbol(original_node)
        if symbol in tf_api.ABSL_MODULES and id(original_node) in self._inner:
            return updated_node  # `tf.logging` inside `tf.logging.X`: the whole chain decides
        target = self._absl(symbol)
        if target is None or self._from_absl_import(original_node):
            return updated_node
        if target == "absl.app.run" and id(original_node) in self._call_funcs:
            return updated_node  # leave_Call decides (it may need the module's main)
        self.needed.add(".".join(target.split(".")[:2]))
        return cst.parse_expression(target)

    def _from_absl_import(self, node: cst.Attribute) -> bool:
        """``log.info`` after ``from tensorflow import logging as log``: the import moves."""
        root = node
        while isinstance(root, cst.Attribute):
            root = root.value
        origin = tf_api.tf1_symbol(self.resolver.qualified_name(root), self.names.compat_module)
        return origin is not None and self._absl(origin) is not None

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        if self.names.symbol(original_node.func) != "tf.app.run":
            return updated_node
        args = list(updated_node.args)
        main = next((a for a in args if a.keyword is not None and a.keyword.value == "main"), None)
        positional = [a for a in args if a.keyword is None]
        if main is not None:
            if positional:
                return updated_node  # not a valid call anyway
            args = [main.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT),
                    *[a for a in args if a is not main]]
        elif not positional:
            if not self.has_main:
                self.report(original_node, "`tf.app.run()` without a `main` in this module: not converted "
                            "(absl.app.run needs the main function)")
                return updated_node
            args = [cst.Arg(cst.Name("main")), *args]
        self.needed.add("absl.app")
        self.report(original_node, "absl.app.run rejects command-line flags that nothing defines "
                    "(tf.app.run ignored them)", kind="converted")
        args = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args[:-1]] + [
            args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        ]
        return updated_node.with_changes(func=cst.parse_expression("absl.app.run"), args=args)

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom):
        """``from tensorflow import logging`` -> ``from absl import logging``."""
        if original_node.relative or original_node.module is None or isinstance(original_node.names, cst.ImportStar):
            return updated_node
        module = code(original_node.module)
        targets = []
        for alias in original_node.names:
            symbol = tf_api.tf1_symbol(f"{module}.{alias.evaluated_name}", self.names.compat_module)
            target = self._absl(symbol)
            if target is None:
                return updated_node  # mixed imports stay whole (T101 handles the rest)
            targets.append((alias, *target.rpartition(".")[::2]))
        if len({new_module for _, new_module, _ in targets}) != 1:
            return updated_node
        names = []
        for alias, _, leaf in targets:
            local = alias.evaluated_alias or alias.evaluated_name
            names.append(cst.ImportAlias(cst.Name(leaf), asname=None if local == leaf else cst.AsName(cst.Name(local))))
        return updated_node.with_changes(module=cst.parse_expression(targets[0][1]), names=names)

