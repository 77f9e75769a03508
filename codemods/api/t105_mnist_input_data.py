"""T105: ``tensorflow.examples.tutorials.mnist.input_data`` -> an inlined TF 2 equivalent.

TF 1's MNIST tutorials load their data with ``input_data.read_data_sets``, which lived in
``tensorflow.examples.tutorials`` (and ``tensorflow.contrib.learn``): TF 2 has neither, so
the migrated program dies on its first import. The import goes, and a small equivalent is
inlined after the module's imports: ``read_data_sets`` on ``tf.keras.datasets.mnist``
(the same 60000 + 10000 images) with TF 1's validation split, scaling, ``one_hot``,
``reshape`` and ``dtype``, a ``DataSet`` whose ``next_batch`` shuffles exactly as TF 1's
did (``numpy.random.shuffle`` of an index permutation at the start and at the end of
each epoch), and the ``Datasets(train, validation, test)`` tuple. Only the parameters
the module passes are emitted.

Seeding: TF 1's ``DataSet`` reseeded NumPy's global generator with the ``seed`` argument,
else with the graph seed (``tf.set_random_seed``), else from fresh entropy. The inlined
code reseeds only with a seed: the ``seed`` argument, or the graph seed written out as
``seed=`` when ``tf.set_random_seed(...)`` visibly runs before the call; with neither it
leaves NumPy's generator alone (TF 1's outcome was random anyway).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import libcst as cst

from codemods.analysis.cst_tools import after_imports, insert_definitions, kwarg, nodes_of
from codemods.analysis.names import FastVisitor, dotted_name, transform, walk
from codemods.base import Example, Rule

# The modules that define TF 1's read_data_sets (input_data re-exports contrib's).
MODULES = (
    "tensorflow.examples.tutorials.mnist.input_data",
    "tensorflow.contrib.learn.python.learn.datasets.mnist",
    "tensorflow.contrib.learn.datasets.mnist",
)
# Packages on the way to them that an import may bind (``from ... import mnist``).
PACKAGES = (
    "tensorflow.examples",
    "tensorflow.contrib.learn.python",
    "tensorflow.contrib.learn.datasets",
)
# read_data_sets' parameters in TF 1's order.
PARAMETERS = ("train_dir", "fake_data", "one_hot", "dtype", "reshape", "validation_size", "seed", "source_url")
SEED_SETTERS = {"set_random_seed", "random.set_random_seed", "random.set_seed"}
HELPER_NAMES = ("DataSet", "Datasets", "read_data_sets")


class _Unsupported(Exception):
    def __init__(self, node: cst.CSTNode, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


def _ours(origin: str) -> bool:
    """Does an import of ``origin`` bind (a way to) TF 1's MNIST loader?"""
    return any(origin == m or origin.startswith(m + ".") for m in MODULES) or any(
        m.startswith(origin + ".") and origin.startswith(PACKAGES) for m in MODULES
    )


def _under(qualified: str | None, prefixes: set[str]) -> bool:
    return qualified is not None and any(qualified == p or qualified.startswith(p + ".") for p in prefixes)


def _is_false(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "False"


class MnistInputData(Rule):
    code = "T105"
    details = (
        "Handles `from tensorflow.examples.tutorials.mnist import input_data`, `import "
        "tensorflow.examples.tutorials.mnist.input_data as input_data`, `from ...input_data import "
        "read_data_sets` and the tensorflow.contrib.learn...datasets.mnist spellings, when the module "
        "uses them only to call read_data_sets. The data come from tf.keras.datasets.mnist (cached in "
        "~/.keras/datasets; train_dir and source_url are not used). TF 1 reseeded NumPy's global "
        "generator in read_data_sets: with the `seed` argument, else the graph seed, else fresh "
        "entropy; the inlined code reseeds with the `seed` argument, and a graph seed set by "
        "`tf.set_random_seed(...)` before the call (same block, or module level for a call inside a "
        "function) is passed as `seed=`; without either NumPy's generator is left as it is. Declined "
        "(reported, left as it was): `fake_data`, `*args`/`**kwargs` calls, any other use of the "
        "module (DataSet, dense_to_one_hot, ...), `next_batch(..., fake_data)`, and helper names "
        "(DataSet, Datasets, read_data_sets) the module already binds."
    )
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import tensorflow as tf

                # Import MNIST data
                from tensorflow.examples.tutorials.mnist import input_data
                mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

                batch_xs, batch_ys = mnist.train.next_batch(100)
                print(batch_xs.shape, batch_ys.shape, mnist.validation.num_examples)
                """
            ),
            after=textwrap.dedent(
                """\
                import tensorflow as tf
                import collections
                import numpy as np


                # TF 2 has no tensorflow.examples.tutorials.mnist.input_data: the same data sets from
                # tf.keras.datasets.mnist, with TF 1's DataSet (same next_batch shuffling).
                class DataSet:
                    def __init__(self, images, labels):
                        self.images = images
                        self.labels = labels
                        self.num_examples = images.shape[0]
                        self.epochs_completed = 0
                        self._index_in_epoch = 0

                    def next_batch(self, batch_size):
                        start = self._index_in_epoch
                        if self.epochs_completed == 0 and start == 0:
                            self._shuffle()
                        if start + batch_size > self.num_examples:
                            # The rest of this epoch, then the start of the next one.
                            self.epochs_completed += 1
                            rest_images, rest_labels = self.images[start:], self.labels[start:]
                            self._shuffle()
                            self._index_in_epoch = end = batch_size - (self.num_examples - start)
                            return (np.concatenate((rest_images, self.images[:end]), axis=0),
                                    np.concatenate((rest_labels, self.labels[:end]), axis=0))
                        self._index_in_epoch = end = start + batch_size
                        return self.images[start:end], self.labels[start:end]

                    def _shuffle(self):
                        perm = np.arange(self.num_examples)
                        np.random.shuffle(perm)
                        self.images = self.images[perm]
                        self.labels = self.labels[perm]


                Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


                def read_data_sets(train_dir, one_hot=False):
                    \"\"\"TF 1's read_data_sets (train_dir is not used: Keras keeps MNIST in ~/.keras/datasets).\"\"\"
                    (train_images, train_labels), (test_images, test_labels) = tf.keras.datasets.mnist.load_data()

                    def data_set(images, labels):
                        images = np.multiply(images.reshape(-1, 784).astype(np.float32), 1.0 / 255.0)
                        if one_hot:
                            labels = np.eye(10)[labels]
                        return DataSet(images, labels)

                    # The first 5000 training images are the validation set.
                    return Datasets(
                        train=data_set(train_images[5000:], train_labels[5000:]),
                        validation=data_set(train_images[:5000], train_labels[:5000]),
                        test=data_set(test_images, test_labels),
                    )


                # Import MNIST data
                mnist = read_data_sets("/tmp/data/", one_hot=True)

                batch_xs, batch_ys = mnist.train.next_batch(100)
                print(batch_xs.shape, batch_ys.shape, mnist.validation.num_examples)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                from tensorflow.examples.tutorials.mnist import input_data

                data = input_data.read_data_sets("/tmp/data/", fake_data=True)
                """
            ),
        ),
    )

    # -- analysis ----------------------------------------------------------------
    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not self.resolver.imports_from("tensorflow"):
            return tree
        try:
            plan = _Plan(self, tree)
        except _Unsupported as exc:
            self.report(exc.node, f"MNIST input_data left as it was: {exc.reason}")
            return tree
        if plan.nothing_to_do:
            return tree
        return plan.apply()


class _Plan(FastVisitor):
    """What to change in one module; raises _Unsupported for anything it cannot do."""

    def __init__(self, rule: MnistInputData, tree: cst.Module) -> None:
        self.rule = rule
        self.tree = tree
        # Import aliases to remove: statement id -> aliases.
        self.prefixes: set[str] = set(MODULES)
        self.import_stmts: dict[int, cst.SimpleStatementLine] = {}
        self._collect_imports(tree)
        self.calls: list[cst.Call] = []
        self._call_by_func: dict[int, cst.Call] = {}
        self.features: set[str] = set()
        self.seed_setters: list[cst.Call] = []
        self.next_batch_shuffle = False
        self.assigned: set[str] = set()  # names bound other than by imports
        walk(tree, self)
        self.nothing_to_do = not self.calls and not self.import_stmts
        if self.nothing_to_do:
            return
        for name in HELPER_NAMES:
            if name in self.assigned or name in self.import_names:
                raise _Unsupported(self.calls[0] if self.calls else tree, f"the module already binds `{name}`")
        self.call_args: dict[int, list[cst.Arg]] = {}
        for call in self.calls:
            self.call_args[id(call)] = self._bind(call)
        self._seeds()

    # imports
    def _collect_imports(self, tree: cst.Module) -> None:
        """The statements importing TF 1's loader (at the top, in functions or under
        `if`), and every other name imports bind; guarded imports are declined."""
        self.import_names: set[str] = set()
        self.removed_locals: set[str] = set()
        plan = self

        class _Imports(FastVisitor):
            guards: list[str] = []

            def visit_Try(self, node):
                self.guards.append("a try block (a guarded import)")

            def leave_Try(self, node):
                self.guards.pop()

            def visit_ClassDef(self, node):
                self.guards.append("a class body")

            def leave_ClassDef(self, node):
                self.guards.pop()

            def visit_SimpleStatementLine(self, stmt):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)) and plan._collect_import(stmt, small):
                        if self.guards:
                            raise _Unsupported(small, f"imported inside {self.guards[-1]}")
                return False

        walk(tree, _Imports())

    def _collect_import(self, stmt: cst.SimpleStatementLine, small: cst.Import | cst.ImportFrom) -> bool:
        """Note what ``small`` binds; True when it imports TF 1's loader (``stmt`` goes)."""
        ours = False
        if isinstance(small, cst.Import):
            for alias in small.names:
                full = dotted_name(alias.name) or ""
                if _ours(full):
                    ours = True
                    if alias.asname is not None:
                        self.prefixes.add(full)
                        self.removed_locals.add(alias.evaluated_alias or "")
                else:
                    self.import_names.add(alias.evaluated_alias or full.split(".")[0])
        elif small.relative or small.module is None:
            if not isinstance(small.names, cst.ImportStar):
                self.import_names.update(a.evaluated_alias or a.evaluated_name for a in small.names)
        else:
            module = dotted_name(small.module) or ""
            if isinstance(small.names, cst.ImportStar):
                if _ours(module):
                    raise _Unsupported(small, "`import *` from it")
                return False
            for alias in small.names:
                origin = f"{module}.{dotted_name(alias.name)}"
                local = alias.evaluated_alias or alias.evaluated_name
                if _ours(origin) or _ours(module):
                    ours = True
                    self.prefixes.add(origin)
                    self.removed_locals.add(local)
                else:
                    self.import_names.add(local)
        if ours:
            self.import_stmts[id(stmt)] = stmt
        return ours

    # uses
    def visit_Call(self, node: cst.Call) -> None:
        self._call_by_func[id(node.func)] = node
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "next_batch":
            positional = [a for a in node.args if a.keyword is None and not a.star]
            if len(positional) > 1 or any(a.keyword is not None and a.keyword.value == "fake_data" for a in node.args):
                raise _Unsupported(node, "`next_batch` with fake data")
            if any(a.keyword is not None and a.keyword.value == "shuffle" for a in node.args):
                self.next_batch_shuffle = True
        qualified = self.rule.qualified_name(func)
        if qualified is not None:
            for prefix in ("tensorflow.compat.v1.", "tensorflow.compat.v2.", "tensorflow."):
                if qualified.startswith(prefix):
                    if qualified[len(prefix):] in SEED_SETTERS:
                        self.seed_setters.append(node)
                    break

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return self._use(node)

    def visit_Name(self, node: cst.Name) -> bool:
        return self._use(node)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets(node.target)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.assigned.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.assigned.add(node.name.value)

    def visit_Param(self, node: cst.Param) -> None:
        self.assigned.add(node.name.value)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._targets(node.asname.name)

    def _targets(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.assigned.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._targets(element.value)

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def _use(self, node: cst.BaseExpression) -> bool:
        qualified = self.rule.qualified_name(node)
        if not _under(qualified, self.prefixes):
            return True
        call = self._call_by_func.get(id(node))
        if call is not None and qualified is not None and qualified.endswith(".read_data_sets") and any(
            qualified == m + ".read_data_sets" for m in MODULES
        ):
            self.calls.append(call)
            return False
        raise _Unsupported(node, f"`{qualified}` is used for something other than calling read_data_sets")

    # calls
    def _bind(self, call: cst.Call) -> list[cst.Arg]:
        """The call's arguments as keywords (train_dir stays first), checked."""
        args: list[cst.Arg] = []
        for index, arg in enumerate(call.args):
            if arg.star:
                raise _Unsupported(call, "read_data_sets called with *args or **kwargs")
            name = arg.keyword.value if arg.keyword is not None else PARAMETERS[index] if index < len(PARAMETERS) else None
            if name not in PARAMETERS:
                raise _Unsupported(call, f"read_data_sets has no parameter `{name}`")
            if name == "fake_data":
                if not _is_false(arg.value):
                    raise _Unsupported(call, "`fake_data` (TF 1's fake images) has no TF 2 equivalent here")
                continue
            if name == "source_url":
                self.rule.report(call, "read_data_sets: `source_url` dropped (the data come from "
                                       "tf.keras.datasets.mnist)", kind="converted")
                continue
            if name != "train_dir":
                self.features.add(name)
            if name == "train_dir" and index == 0 and arg.keyword is None:
                args.append(arg)
            else:
                args.append(arg.with_changes(keyword=cst.Name(name), equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))))
        if not any(a.keyword is None or a.keyword.value == "train_dir" for a in args):
            raise _Unsupported(call, "read_data_sets called without train_dir")
        return args

    # seeds
    def _seeds(self) -> None:
        """``seed=`` for calls after ``tf.set_random_seed(...)`` (TF 1 seeded NumPy with it)."""
        if not self.seed_setters:
            return
        wanted = {id(c) for c in self.calls}
        setters = {id(c): c for c in self.seed_setters}
        found: dict[int, cst.BaseExpression] = {}
        module_seed = [None]

        def setter_of(stmt: cst.CSTNode) -> cst.BaseExpression | None:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Expr) and id(small.value) in setters:
                        call = small.value
                        if len(call.args) == 1 and not call.args[0].star:
                            return call.args[0].value
            return None

        def record(node: cst.CSTNode, seed: cst.BaseExpression | None) -> None:
            if seed is not None:
                for call in nodes_of(node, cst.Call, skip=(cst.FunctionDef, cst.ClassDef)):
                    if id(call) in wanted:
                        found[id(call)] = seed

        def block(body, seed):
            for stmt in body:
                setter = setter_of(stmt)
                if setter is not None:
                    seed = setter
                elif isinstance(stmt, cst.FunctionDef):
                    # Runs later: under the graph seed the module set (if it set one).
                    block(_body(stmt), module_seed[0])
                elif isinstance(stmt, cst.ClassDef):
                    block(_body(stmt), None)
                elif isinstance(stmt, cst.SimpleStatementLine):
                    record(stmt, seed)
                else:
                    compound(stmt, seed)

        def compound(node, seed):
            for child in node.children:
                if isinstance(child, cst.IndentedBlock):
                    block(child.body, seed)
                elif isinstance(getattr(child, "body", None), cst.BaseSuite):
                    compound(child, seed)  # else / elif / except / finally
                else:
                    record(child, seed)

        # The module-level seed a function body sees: the last one set at module level.
        for stmt in self.tree.body:
            setter = setter_of(stmt)
            if setter is not None:
                module_seed[0] = setter
        block(self.tree.body, None)
        for call in self.calls:
            if "seed" in {a.keyword.value for a in self.call_args[id(call)] if a.keyword is not None}:
                continue
            seed = found.get(id(call))
            if seed is None:
                self.rule.report(call, "this program sets a graph seed that TF 1 may have seeded NumPy with "
                                       "here (read_data_sets did); migrator could not tell which, so "
                                       "next_batch may shuffle differently", kind="converted")
                continue
            self.features.add("seed")
            self.call_args[id(call)].append(kwarg("seed", seed.deep_clone()))
            self.rule.report(call, "the graph seed is passed as `seed=`: TF 1's read_data_sets seeded "
                                   "NumPy with it", kind="converted")

    # -- the rewrite -------------------------------------------------------------
    def apply(self) -> cst.Module:
        calls = {id(c): c for c in self.calls}
        call_args = self.call_args
        plan = self

        class _Calls(cst.CSTTransformer):
            def leave_Call(self, original, updated):
                if id(original) not in calls:
                    return updated
                args = list(call_args[id(original)])
                if args:
                    args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args]
                    args = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                            for a in args[:-1]] + [args[-1]]
                    # Keep the original layout (commas) where the arguments are unchanged.
                    if len(args) == len(original.args) and all(
                        a.keyword is None or (o.keyword is not None and o.keyword.value == a.keyword.value)
                        for a, o in zip(args, original.args)
                    ):
                        args = list(updated.args)
                return updated.with_changes(func=cst.Name("read_data_sets"), args=args)

            def leave_IndentedBlock(self, original, updated):
                body, removed = plan._without_imports(original.body, updated.body, block=True)
                return updated.with_changes(body=body) if removed else updated

        tree = cst.ensure_type(transform(self.tree, _Calls()), cst.Module)
        new_body, removed_any = self._without_imports(self.tree.body, tree.body)
        for stmt in self.import_stmts.values():
            self.rule.report(stmt, "TF 1's MNIST input_data (not in TF 2) replaced by an inlined "
                                   "read_data_sets on tf.keras.datasets.mnist", kind="converted")
        if not self.calls:
            return tree.with_changes(body=new_body) if removed_any else tree
        return self._insert_helper(tree, new_body)

    def _without_imports(
        self, originals: Sequence[cst.BaseStatement], statements: Sequence[cst.BaseStatement], block: bool = False
    ) -> tuple[list[cst.BaseStatement], bool]:
        """``statements`` (the rewritten ``originals``) without the loader's imports; their
        comments move to the next statement, or to a `pass` when nothing follows (which an
        indented ``block`` needs anyway)."""
        kept: list[cst.BaseStatement] = []
        carry: list[cst.EmptyLine] = []
        removed_any = False
        for original, stmt in zip(originals, statements):
            if id(original) in self.import_stmts:
                assert isinstance(stmt, cst.SimpleStatementLine)
                stripped = self._strip_import(stmt)
                removed_any = True
                if stripped is None:
                    carry.extend(stmt.leading_lines)
                    continue
                stmt = stripped
            if carry:
                stmt = stmt.with_changes(leading_lines=[*carry, *stmt.leading_lines])
                carry = []
            kept.append(stmt)
        if carry or (block and removed_any and not kept):
            kept.append(cst.SimpleStatementLine([cst.Pass()], leading_lines=carry))
        return kept, removed_any

    def _strip_import(self, stmt: cst.SimpleStatementLine) -> cst.SimpleStatementLine | None:
        smalls = []
        for small in stmt.body:
            if isinstance(small, cst.Import):
                names = [a for a in small.names if not _ours(dotted_name(a.name) or "")]
                bare = [a for a in small.names if _ours(dotted_name(a.name) or "") and a.asname is None]
                if bare and not any((dotted_name(a.name) or "") == "tensorflow" for a in names):
                    # `import tensorflow.examples...input_data` bound `tensorflow`: keep that.
                    names.append(cst.ImportAlias(cst.Name("tensorflow")))
                if names:
                    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                    smalls.append(small.with_changes(names=names))
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar) and small.module is not None:
                module = dotted_name(small.module) or ""
                names = [a for a in small.names if not (_ours(module) or _ours(f"{module}.{dotted_name(a.name)}"))]
                if names:
                    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                    smalls.append(small.with_changes(names=names))
            else:
                smalls.append(small)
        if not smalls:
            return None
        smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return stmt.with_changes(body=smalls)

    def _insert_helper(self, tree: cst.Module, body: list[cst.BaseStatement]) -> cst.Module:
        # After the docstring and the imports the module opens with.
        position = after_imports(body, opening_only=True)
        early = _early_imports(body[:position])
        everywhere = _early_imports(body)
        new_imports: list[str] = []

        def alias(origins: tuple[str, ...], default: str) -> str:
            for origin in origins:
                for local, bound in early.items():
                    if bound == origin and local not in self.assigned:
                        return local
            local = default.rsplit(" ", 1)[-1]
            # `import tensorflow as tf` further down (after the MNIST lines) binds the
            # same module: importing it once more above the helper is harmless.
            same_later = everywhere.get(local) in origins
            if local in self.assigned or local in early or (local in self.import_names and not same_later):
                raise _Unsupported(self.calls[0], f"the module binds `{local}` to something else")
            new_imports.append(default)
            return local

        try:
            tf = alias(("tensorflow", "tensorflow.compat.v1"), "import tensorflow as tf")
            collections = alias(("collections",), "import collections")
            np = alias(("numpy",), "import numpy as np")
        except _Unsupported as exc:
            self.rule.report(exc.node, f"MNIST input_data left as it was: {exc.reason}")
            return self.tree
        source = _helper_source(tf, np, collections, self.features, self.next_batch_shuffle)
        parsed = cst.parse_module(source)
        helper = list(parsed.body)
        imports = [cst.parse_statement(line + "\n") for line in new_imports]
        # Two blank lines around the helper; its leading comment parses as the header.
        blank = cst.EmptyLine()
        helper[0] = helper[0].with_changes(leading_lines=[blank, blank, *parsed.header, *helper[0].leading_lines])
        return tree.with_changes(body=insert_definitions(body, position, [*imports, *helper]))


def _body(node: cst.CSTNode) -> list:
    inner = getattr(node, "body", None)
    if isinstance(inner, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        inner = inner.body
    return list(inner) if isinstance(inner, (list, tuple)) else []


def _early_imports(statements: list[cst.BaseStatement]) -> dict[str, str]:
    """Local name -> module for ``import x`` / ``import x as y`` among ``statements``."""
    bound: dict[str, str] = {}
    for stmt in statements:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    full = dotted_name(alias.name) or ""
                    if alias.asname is not None:
                        bound[alias.evaluated_alias] = full
                    else:
                        bound[full.split(".")[0]] = full.split(".")[0]
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    local = alias.evaluated_alias or alias.evaluated_name
                    module = "" if small.module is None else dotted_name(small.module) or ""
                    bound[local] = f"{module}.{alias.evaluated_name}"
    return bound


def _helper_source(tf: str, np: str, collections: str, features: set[str], shuffle_param: bool) -> str:
    """The inlined input_data, with only the parameters the module's calls pass."""
    if shuffle_param:
        signature, first, reshuffle = "batch_size, shuffle=True", " and shuffle", "if shuffle:\n                self._shuffle()"
    else:
        signature, first, reshuffle = "batch_size", "", "self._shuffle()"
    data_set = f'''\
# TF 2 has no tensorflow.examples.tutorials.mnist.input_data: the same data sets from
# tf.keras.datasets.mnist, with TF 1's DataSet (same next_batch shuffling).
class DataSet:
    def __init__(self, images, labels):
        self.images = images
        self.labels = labels
        self.num_examples = images.shape[0]
        self.epochs_completed = 0
        self._index_in_epoch = 0

    def next_batch(self, {signature}):
        start = self._index_in_epoch
        if self.epochs_completed == 0 and start == 0{first}:
            self._shuffle()
        if start + batch_size > self.num_examples:
            # The rest of this epoch, then the start of the next one.
            self.epochs_completed += 1
            rest_images, rest_labels = self.images[start:], self.labels[start:]
            {reshuffle}
            self._index_in_epoch = end = batch_size - (self.num_examples - start)
            return ({np}.concatenate((rest_images, self.images[:end]), axis=0),
                    {np}.concatenate((rest_labels, self.labels[:end]), axis=0))
        self._index_in_epoch = end = start + batch_size
        return self.images[start:end], self.labels[start:end]

    def _shuffle(self):
        perm = {np}.arange(self.num_examples)
        {np}.random.shuffle(perm)
        self.images = self.images[perm]
        self.labels = self.labels[perm]


Datasets = {collections}.namedtuple("Datasets", ["train", "validation", "test"])
'''
    params = ["train_dir"]
    defaults = {
        "one_hot": "one_hot=False", "dtype": f"dtype={tf}.float32", "reshape": "reshape=True",
        "validation_size": "validation_size=5000", "seed": "seed=None",
    }
    params += [defaults[name] for name in ("one_hot", "dtype", "reshape", "validation_size", "seed") if name in features]
    lines = [
        f"def read_data_sets({', '.join(params)}):",
        '    """TF 1\'s read_data_sets (train_dir is not used: Keras keeps MNIST in ~/.keras/datasets)."""',
        f"    (train_images, train_labels), (test_images, test_labels) = {tf}.keras.datasets.mnist.load_data()",
    ]
    if "validation_size" in features:
        lines += [
            "    if not 0 <= validation_size <= len(train_images):",
            '        raise ValueError("Validation size should be between 0 and {}. Received: {}."',
            "                         .format(len(train_images), validation_size))",
        ]
    if "dtype" in features:
        lines += [
            f"    dtype = {tf}.as_dtype(dtype).base_dtype",
            f"    if dtype not in ({tf}.uint8, {tf}.float32):",
            '        raise TypeError("Invalid image dtype %r, expected uint8 or float32" % dtype)',
        ]
    if "seed" in features:
        lines += [
            "    if seed is not None:",
            f"        {np}.random.seed(seed)  # as TF 1's DataSet did",
        ]
    shape = "(-1, 784) if reshape else (-1, 28, 28, 1)" if "reshape" in features else "-1, 784"
    lines += ["", "    def data_set(images, labels):"]
    if "dtype" in features:
        lines += [
            f"        images = images.reshape({shape})",
            f"        if dtype == {tf}.float32:",
            f"            images = {np}.multiply(images.astype({np}.float32), 1.0 / 255.0)",
        ]
    else:
        lines.append(f"        images = {np}.multiply(images.reshape({shape}).astype({np}.float32), 1.0 / 255.0)")
    if "one_hot" in features:
        lines += ["        if one_hot:", f"            labels = {np}.eye(10)[labels]"]
    lines += ["        return DataSet(images, labels)", ""]
    if "validation_size" in features:
        lines.append("    # The first validation_size training images are the validation set.")
        head, tail = ":validation_size", "validation_size:"
    else:
        lines.append("    # The first 5000 training images are the validation set.")
        head, tail = ":5000", "5000:"
    lines += [
        "    return Datasets(",
        f"        train=data_set(train_images[{tail}], train_labels[{tail}]),",
        f"        validation=data_set(train_images[{head}], train_labels[{head}]),",
        "        test=data_set(test_images, test_labels),",
        "    )",
    ]
    return data_set + "\n\n" + "\n".join(lines) + "\n"
