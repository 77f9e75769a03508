"""T102: ``tf.app.flags`` / ``tf.flags`` / ``tf.logging`` / ``tf.app.run`` -> absl.

TF 1's flags and logging modules were thin wrappers around absl, which TF 2 dropped
(tf_upgrade_v2 sends them to ``tf.compat.v1``). TF 2 programs use absl directly:
``absl.flags``, ``absl.logging``, ``absl.app.run``. Runs before T101, which would
otherwise keep them on ``tf.compat.v1``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

import libcst as cst

from codemods.analysis import tf_api
from codemods.analysis.cst_tools import code
from codemods.analysis.graph import single_assignment
from codemods.analysis.names import FastVisitor, walk
from codemods.analysis.private_names import PRIVATE_ROOT
from codemods.base import Example, Rule

# What absl.logging has of TF 1's tf.logging (TaskLevelStatusMessage has no absl form).
ABSL_LOGGING_NAMES = {
    "DEBUG", "ERROR", "FATAL", "INFO", "WARN", "debug", "error", "fatal", "flush", "get_verbosity", "info",
    "log", "log_every_n", "log_first_n", "log_if", "set_verbosity", "vlog", "warn", "warning",
}


# FlagValues' own attributes: reading them did not make TF 1's FLAGS parse the command line.
FLAG_VALUES_ATTRIBUTES = frozenset({
    "flag_values_dict", "is_parsed", "mark_as_parsed", "unparse_flags", "set_default", "get_flag_value",
    "find_module_defining_flag", "find_module_id_defining_flag", "flags_by_module_dict", "flags_by_module_id_dict",
    "key_flags_by_module_dict", "register_key_flag_for_module", "get_key_flags_for_module", "get_flags_for_module",
    "is_gnu_getopt", "set_gnu_getopt", "read_flags_from_files", "flags_into_string", "append_flags_into_file",
    "write_help_in_xml_format", "main_module_help", "module_help", "get_help", "remove_flag_values",
    "append_flag_values", "validate_all_flags",
})
FLAGS_MODULES = ("tf.app.flags", "tf.flags")
# TF 1's DEFINE_* wrappers took the old keyword names; absl's take only the new ones.
WRAPPED_DEFINES = {"DEFINE_string", "DEFINE_boolean", "DEFINE_bool", "DEFINE_float", "DEFINE_integer"}
RENAMED_KEYWORDS = {"flag_name": "name", "default_value": "default", "docstring": "help"}


class FlagReads:
    """Where a module reads TF 1's ``FLAGS`` while it runs its top-level code.

    ``FLAGS.x`` (``FLAGS`` being ``tf.app.flags.FLAGS`` or a module-level name bound to
    it) read by a top-level statement, directly or through the module's functions and
    classes it calls, happens before any ``app.run`` parsed the command line."""

    def __init__(
        self, module: cst.Module, symbol: Callable[[cst.BaseExpression], str | None], uses_flags: bool = True
    ) -> None:
        """``uses_flags``: whether the module names TF 1's flags module at all (when it does
        not, nothing reads a flag and the module is not scanned)."""
        self.module = module
        self.symbol = symbol
        self.flag_modules: set[str] = set()  # `flags = tf.app.flags`
        self.flag_values: set[str] = set()  # `FLAGS = tf.app.flags.FLAGS`
        self.reading: set[str] = set()
        self.uses_flags = uses_flags
        if not uses_flags:
            return
        for stmt in module.body:
            assignment = single_assignment(stmt)
            if assignment is None or len(assignment[0]) != 1:
                continue
            name, value = assignment[0][0], assignment[1]
            if self._is_module(value):
                self.flag_modules.add(name)
            elif self._is_flag_values(value):
                self.flag_values.add(name)
        self.reading = self._reading_definitions()

    def _is_module(self, expr: cst.BaseExpression) -> bool:
        return (isinstance(expr, cst.Name) and expr.value in self.flag_modules) or self.symbol(expr) in FLAGS_MODULES

    def _is_flag_values(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name) and expr.value in self.flag_values:
            return True
        if isinstance(expr, cst.Attribute) and expr.attr.value == "FLAGS" and self._is_module(expr.value):
            return True
        return self.symbol(expr) in {f"{m}.FLAGS" for m in FLAGS_MODULES}

    def _is_define(self, call: cst.Call) -> bool:
        func = call.func
        return isinstance(func, cst.Attribute) and func.attr.value.startswith("DEFINE") and self._is_module(func.value)

    def _scan(self, node: cst.CSTNode, top_level: bool) -> tuple[bool, set[str], bool]:
        """(reads a flag, names it calls, defines a flag) of ``node``; with ``top_level``,
        only what runs when the statement runs (not the bodies of functions it defines)."""
        outer = self

        class _Visit(FastVisitor):
            reads = False
            calls: set[str] = set()
            defines = False

            def visit_Attribute(self, n: cst.Attribute) -> None:
                if not n.attr.value.startswith("_") and n.attr.value not in FLAG_VALUES_ATTRIBUTES:
                    self.reads = self.reads or outer._is_flag_values(n.value)

            def visit_AssignTarget(self, n: cst.AssignTarget) -> bool:
                return not isinstance(n.target, cst.Attribute)  # `FLAGS.x = 1` sets, not reads

            def visit_Call(self, n: cst.Call) -> None:
                if isinstance(n.func, cst.Name):
                    self.calls = self.calls | {n.func.value}
                self.defines = self.defines or outer._is_define(n)

            def visit_FunctionDef(self, n: cst.FunctionDef) -> bool:
                if not top_level:
                    return True
                for part in (*n.decorators, n.params):  # run where the function is defined
                    walk(part, self)
                return False

            def visit_Lambda(self, n: cst.Lambda) -> bool:
                if top_level:
                    walk(n.params, self)
                return not top_level

        visit = _Visit()
        walk(node, visit)  # read-only: LibCST's visit would rebuild the node
        return visit.reads, visit.calls, visit.defines

    def _reading_definitions(self) -> set[str]:
        """Module-level functions and classes whose call reads a flag (a class: its ``__init__``)."""
        direct: dict[str, tuple[bool, set[str]]] = {}
        for stmt in self.module.body:
            body: cst.CSTNode | None = None
            if isinstance(stmt, cst.FunctionDef):
                body = stmt.body
            elif isinstance(stmt, cst.ClassDef):
                body = next((s.body for s in stmt.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
            if body is not None:
                reads, calls, _ = self._scan(body, top_level=False)
                direct[stmt.name.value] = (reads, calls)
        reading = {name for name, (reads, _) in direct.items() if reads}
        changed = True
        while changed:
            changed = False
            for name, (_, calls) in direct.items():
                if name not in reading and calls & reading:
                    reading.add(name)
                    changed = True
        return reading

    def _runs_read(self, stmt: cst.CSTNode) -> tuple[bool, bool]:
        reads, calls, defines = self._scan(stmt, top_level=True)
        return reads or bool(calls & self.reading), defines

    def first_read_outside_app_run(self) -> list[int] | None:
        """The path (statement indices from the module down) of the first statement that
        reads a flag as the module runs, or None."""
        if not self.uses_flags:
            return None
        def find(statements: Sequence[cst.CSTNode]) -> list[int] | None:
            for index, stmt in enumerate(statements):
                reads, defines = self._runs_read(stmt)
                if not reads:
                    continue
                inner = getattr(stmt, "body", None)
                if defines and isinstance(inner, cst.IndentedBlock):
                    path = find(inner.body)  # flags defined inside the block before the read
                    if path is not None:
                        return [index, *path]
                return [index]
            return None

        return find(self.module.body)

    def statement_at(self, path: list[int]) -> cst.CSTNode:
        node: cst.CSTNode = self.module
        for index in path:
            node = node.body[index] if isinstance(node, cst.Module) else node.body.body[index]
        return node


class AbslFlagsLogging(Rule):
    code = "T102"
    details = (
        "TF 1.x's tf.app.flags was absl.flags behind a wrapper and tf.logging logged through Python's "
        "logging; TF 2 has neither outside tf.compat.v1. The absl modules are imported as `import "
        "absl.flags` (never a bare `flags`/`logging` name, which user code often binds). "
        "`tf.app.run()` without a main function uses the module's `main`; absl.app.run, unlike "
        "tf.app.run, rejects command-line flags that nothing defines (reported at the call). TF 1's FLAGS "
        "parsed sys.argv by itself at the first flag read; where the module reads one before any app.run "
        "(at module level, or in a function its top-level code calls), `absl.flags.FLAGS(sys.argv)` is "
        "inserted right before, as strict as TF 1's (an undefined flag on the command line is an error). "
        "TF 1's old keyword names (default_value, docstring, flag_name) become absl's. TensorFlow's private "
        "tensorflow.python.platform.tf_logging and .app, which TF 2.21 still has, are left as they are "
        "(tf_logging logs through the 'tensorflow' logger that tf.get_logger() configures, absl.logging does not)."
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
                import tensorflow as tf

                tf.app.flags.DEFINE_float("rate", 0.1, "Learning rate.")
                FLAGS = tf.app.flags.FLAGS
                optimizer = tf.keras.optimizers.SGD(FLAGS.rate)
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf
                import absl.flags
                import sys

                absl.flags.DEFINE_float("rate", 0.1, "Learning rate.")
                FLAGS = absl.flags.FLAGS
                # TF 1's tf.app.flags read the command line at the first flag read; absl.flags must be told to
                absl.flags.FLAGS(sys.argv)
                optimizer = tf.keras.optimizers.SGD(FLAGS.rate)
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
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.python.platform import tf_logging as logging

                logging.warning("TF 2.21 still has this module: the 'tensorflow' logger")
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
        uses_flags = any(name.startswith("tensorflow") and ".flags" in name for name in self.resolver.names_read())
        self.reads = reads = FlagReads(tree, self._symbol, uses_flags)
        parse_at = reads.first_read_outside_app_run()
        if not reads.flag_modules:  # `flags.DEFINE_integer(...)` names no TF module itself
            self.skip_statements_without("tensorflow")
        body: list[cst.BaseStatement] = []
        first_change: int | None = None  # the new imports must come before it
        for index, stmt in enumerate(tree.body):
            needed = len(self.needed)
            body.append(self.transformed(stmt))
            if len(self.needed) > needed and first_change is None:
                first_change = index
        new = tree.with_changes(body=body)
        if parse_at is not None and self.needed & {"absl.flags"}:
            new, position = self._parse_flags(new, parse_at, reads)
            first_change = position if first_change is None else min(first_change, position)
        if self.needed:
            lines = [f"import {module}" for module in sorted(self.needed)]
            new = tf_api.add_imports(new, lines, before=first_change)
        return new

    def _parse_flags(self, tree: cst.Module, path: list[int], reads: FlagReads) -> tuple[cst.Module, int]:
        """``absl.flags.FLAGS(sys.argv)`` at ``path`` (statement indices from the module
        down): TF 1's FLAGS parsed the command line itself when a flag was first read
        before tf.app.run; absl.flags raises UnparsedFlagAccessError there."""
        sys_alias = self.resolver.alias_for("sys")
        if sys_alias is None:
            sys_alias = "sys"
            self.needed.add("sys")
        call = cst.parse_statement(f"absl.flags.FLAGS({sys_alias}.argv)\n")
        comment = cst.EmptyLine(comment=cst.Comment(
            "# TF 1's tf.app.flags read the command line at the first flag read; absl.flags must be told to"))
        read = reads.statement_at(path)
        self.report(read, "a flag is read before any app.run: TF 1's FLAGS parsed sys.argv there by itself; "
                    "absl.flags.FLAGS(sys.argv) does it explicitly", kind="converted")

        def insert(statements: Sequence[cst.BaseStatement], rest: list[int]) -> list[cst.BaseStatement]:
            statements = list(statements)
            index = rest[0]
            if len(rest) > 1:
                holder = statements[index]
                block = holder.body
                statements[index] = holder.with_changes(body=block.with_changes(body=insert(block.body, rest[1:])))
                return statements
            target = statements[index]
            lines = list(target.leading_lines)
            statements[index:index + 1] = [
                call.with_changes(leading_lines=[*lines, comment]),
                target.with_changes(leading_lines=[]),
            ]
            return statements

        return tree.with_changes(body=insert(tree.body, path)), path[0]

    def _symbol(self, expr: cst.BaseExpression) -> str | None:
        """The TF 1 name ``expr`` names, but none for a name reached through TensorFlow's
        private modules: TF 2.21 still has ``tensorflow.python.platform``'s ``tf_logging``
        and ``app`` (tf_logging logs through the "tensorflow" logger that
        ``tf.get_logger()`` configures, absl.logging does not)."""
        qualified = self.resolver.qualified_name(expr)
        if qualified is not None and qualified.startswith(PRIVATE_ROOT):
            return None
        return tf_api.tf1_symbol(qualified, self.names.compat_module)

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
        symbol = self._symbol(original_node)
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
        return self._absl(self._symbol(root)) is not None

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        func = original_node.func
        if isinstance(func, cst.Attribute) and func.attr.value in WRAPPED_DEFINES and self.reads._is_module(func.value):
            return self._renamed_keywords(updated_node)
        if self._symbol(func) != "tf.app.run":
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

    def _renamed_keywords(self, call: cst.Call) -> cst.Call:
        """``default_value=`` -> ``default=`` (and ``flag_name``, ``docstring``): TF 1's
        wrappers renamed them, absl's DEFINE functions refuse them."""
        args = [
            a.with_changes(keyword=cst.Name(RENAMED_KEYWORDS[a.keyword.value]))
            if a.keyword is not None and a.keyword.value in RENAMED_KEYWORDS else a
            for a in call.args
        ]
        return call.with_changes(args=args)

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom):
        """``from tensorflow import logging`` -> ``from absl import logging``."""
        if original_node.relative or original_node.module is None or isinstance(original_node.names, cst.ImportStar):
            return updated_node
        module = code(original_node.module)
        if module.startswith(PRIVATE_ROOT):
            return updated_node  # still in TF 2.21 (see _symbol)
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

