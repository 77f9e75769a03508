"""N101: NumPy 1 names and keywords NumPy 2 removed -> their exact NumPy 2 spelling.

TF1-era programs are NumPy-1-era programs, and the migrated program runs on NumPy 2,
which removed what they used all the time: the aliases of builtins (``np.float`` was
``float``, ``np.int`` was ``int``, ``np.bool`` was ``bool``, ``np.long`` was ``int``, ...:
``AttributeError`` since NumPy 1.24; ``np.bool`` and ``np.long`` came back in 2.0 as
NumPy scalar types, so they become the builtins they were), the ``np.float_``-style
scalar aliases, the ``np.NaN``/``np.Inf`` constants, ``np.product``, ``np.alltrue``,
``np.round_``, ``np.asscalar(a)`` (-> ``a.item()``), ``np.cast[t](a)`` (-> ``np.asarray(a)
.astype(t)``), ``np.in1d`` (-> ``np.isin(...).ravel()``), ``np.trapz``, the ``newshape=``
keyword of ``np.reshape``, ``np.random.random_integers(lo, hi)`` (-> ``randint(lo, hi +
1)``, the same draws), the binary mode of ``np.fromstring`` (-> ``np.frombuffer(...)
.copy()``) and ``ndarray.tostring()`` (-> ``tobytes()``). The replacements are the ones of
NumPy's 2.0 migration guide and Ruff's NPY001/NPY201, and each is what the old name
was, so the program computes the same numbers. ``from numpy import float`` (which
shadowed the builtin) is removed; ``from numpy import float_`` becomes ``from numpy
import float64 as float_``. Names NumPy 2 removed without an exact replacement
(``np.asfarray``, ``np.msort``, ``np.find_common_type``, ...) are reported, as is a
removed name the rule cannot spell (a builtin the module rebinds, ``np.asscalar``
passed as a value). ``.tostring()`` and ``np.fromstring`` rewrites assume a NumPy
array and bytes (reported as notes). An ``if`` testing NumPy's version (``np.__version__``,
``np.lib.NumpyVersion``) already picks what each version has: its branches are left as
they are, and a removed name there is no sign of NumPy 1 code. Records a caller zips
(``batch_iter(list(zip(x, y)))``, in the module or in a TF 1 / Keras 2 module importing it)
and a function makes one array of (``data = np.array(data)``): NumPy 1 made an object array
when the items' shapes differed, NumPy 2 raises ValueError; the call is tried as it was and,
where it raises, ``dtype=object`` makes NumPy 1's array (any other ``np.array`` is left
alone). A NumPy call making one array of the tuple a function of the module returns
(``np.nan_to_num(normalize_cols(x))``, the columns and their minima and maxima) gets that
tuple through a helper the rule writes into the module, ``ragged_as_objects``, which does
at run time what NumPy 1 did: where the values' first dimensions differ, the object array
of the values (NumPy 2 raises ValueError), else the values unchanged. Where the first
dimensions agree and later ones differ NumPy 2 raises, as NumPy 1 did for arrays (it made
a deeper object array of nested lists, which the helper does not). A call given a dtype
(``dtype=object`` is NumPy 2 code already) is left alone; in a module showing no sign of
NumPy 1, or without a numpy alias to spell the helper with, the call is reported. Independent
of the other rules.
"""

from __future__ import annotations

import re
import textwrap

import libcst as cst

from codemods.analysis.bindings import Bindings
from codemods.analysis.cst_tools import bind_arguments, code, insert_helper, nodes_of
from codemods.analysis.evidence import KERAS2, NUMPY1, TF1
from codemods.analysis.names import FastVisitor, transform, walk
from codemods.analysis.project import project_facts
from codemods.base import Example, Rule

# numpy.X -> the builtin it was an alias of (NumPy 1.20 deprecation, 1.24 removal).
BUILTINS = {
    "numpy.float": "float", "numpy.int": "int", "numpy.bool": "bool", "numpy.object": "object",
    "numpy.str": "str", "numpy.long": "int", "numpy.unicode": "str", "numpy.complex": "complex",
}

# ... of which NumPy 2.0 has these again (as NumPy scalar types): in NumPy 2 code they are
# not the removed aliases, so they are rewritten only in code that shows NumPy 1.
READDED = {"numpy.bool", "numpy.long"}

# numpy.X -> numpy.Y, the same object under its NumPy 2 name.
RENAMES = {
    "numpy.float_": "float64", "numpy.complex_": "complex128", "numpy.cfloat": "complex128",
    "numpy.singlecomplex": "complex64", "numpy.longfloat": "longdouble", "numpy.longcomplex": "clongdouble",
    "numpy.clongfloat": "clongdouble", "numpy.string_": "bytes_", "numpy.unicode_": "str_",
    "numpy.int0": "intp", "numpy.uint0": "uintp", "numpy.bool8": "bool_", "numpy.object0": "object_",
    "numpy.str0": "str_", "numpy.bytes0": "bytes_", "numpy.void0": "void",
    "numpy.NaN": "nan", "numpy.NAN": "nan", "numpy.Inf": "inf", "numpy.Infinity": "inf",
    "numpy.PINF": "inf", "numpy.infty": "inf",
    "numpy.product": "prod", "numpy.cumproduct": "cumprod", "numpy.alltrue": "all", "numpy.sometrue": "any",
    "numpy.round_": "round", "numpy.mat": "asmatrix", "numpy.rank": "ndim", "numpy.trapz": "trapezoid",
    "numpy.row_stack": "vstack",
}

# numpy.X -> an expression ({} is the spelling of numpy.inf).
EXPRESSIONS = {"numpy.NINF": "-{}", "numpy.NZERO": "-0.0", "numpy.PZERO": "0.0"}

# Removed names rewritten at their calls (leave_Call); anywhere else they are reported.
CALLS = {"numpy.asscalar", "numpy.cast", "numpy.in1d", "numpy.random.random_integers"}

# Removed in NumPy 2 with no exact one-for-one replacement: reported, left as they are.
DECLINED = {
    "numpy.asfarray": "use `np.asarray` with a floating dtype",
    "numpy.issubclass_": "use the builtin `issubclass` (which raises where `np.issubclass_` returned False)",
    "numpy.msort": "use `np.sort(a, axis=0)`",
    "numpy.find_common_type": "use `np.result_type` or `np.promote_types`",
    "numpy.set_string_function": "use `np.set_printoptions` with a formatter",
    "numpy.safe_eval": "use `ast.literal_eval`",
    "numpy.sctype2char": "use `np.dtype(obj).char`",
    "numpy.obj2sctype": "use `np.dtype(obj).type`",
    "numpy.issctype": "use `issubclass(rep, np.generic)`",
    "numpy.issubsctype": "use `np.issubdtype`",
    "numpy.maximum_sctype": "name the dtype explicitly",
    "numpy.sctypes": "name the dtypes explicitly",
    "numpy.deprecate": "use `warnings.warn(..., DeprecationWarning)`",
    "numpy.deprecate_with_doc": "use `warnings.warn(..., DeprecationWarning)`",
    "numpy.recfromcsv": "use `np.genfromtxt` with `delimiter=','`",
    "numpy.recfromtxt": "use `np.genfromtxt`",
    "numpy.byte_bounds": "use `np.lib.array_utils.byte_bounds`",
    "numpy.DataSource": "use `np.lib.npyio.DataSource`",
    "numpy.fastCopyAndTranspose": "use `a.T.copy()`",
    "numpy.geterrobj": "use `np.errstate`",
    "numpy.seterrobj": "use `np.errstate`",
    "numpy.lookfor": "search NumPy's documentation",
    "numpy.who": "use `locals()`",
    "numpy.source": "use `inspect.getsource`",
    "numpy.compare_chararrays": "use `np.char.compare_chararrays`",
    "numpy.format_parser": "use `np.rec.format_parser`",
    "numpy.add_newdoc": "use `np.lib.add_newdoc`",
    "numpy.add_docstring": "use `np.lib.add_docstring`",
    "numpy.nbytes": "use `np.dtype(t).itemsize`",
}

TABLES = (BUILTINS, RENAMES, EXPRESSIONS)

# NumPy functions that make one array of their first argument (np.asarray): given a
# tuple whose items have different shapes, NumPy 1 made an object array, NumPy 2 raises.
ARRAY_OF_ARGUMENT = {
    f"numpy.{name}" for name in (
        "array", "asarray", "asanyarray", "nan_to_num", "round", "around", "abs", "absolute", "clip", "exp",
        "log", "sqrt", "square", "mean", "sum", "max", "min", "amax", "amin", "std", "var", "isnan", "isfinite",
    )
}

# ... and the position of their dtype parameter, where it has one: a dtype given (object,
# or another NumPy 1 refused for ragged values as NumPy 2 does) leaves the call alone.
DTYPE_POSITION = {
    "numpy.array": 1, "numpy.asarray": 1, "numpy.asanyarray": 1,
    "numpy.mean": 2, "numpy.sum": 2, "numpy.std": 2, "numpy.var": 2,
}

# What NumPy 1 made of a tuple of values at run time ({name}, {np}: the module's spellings).
RAGGED_HELPER = '''\
def {name}(values):
    """``values`` as NumPy 1 made one array of them: where their first dimensions differ,
    the object array of the values (NumPy 2 raises ValueError), else the values unchanged."""
    if not isinstance(values, (list, tuple)):
        return values
    firsts = [
        (len(value),) if isinstance(value, (list, tuple)) else tuple({np}.shape(value)[:1])
        for value in values
    ]
    if all(first == firsts[0] for first in firsts):
        return values
    array = {np}.empty(len(values), dtype=object)
    for index, value in enumerate(values):
        array[index] = value
    return array
'''

# What a module must contain for the rule to have anything to do (cheap text tests):
# a removed name after a numpy alias, a numpy from-import, or a removed keyword/method.
_REMOVED = b"|".join(
    re.escape(name.rsplit(".", 1)[1].encode()) for table in (*TABLES, CALLS, DECLINED) for name in table
)
_ALIASES = re.compile(rb"\bnumpy[ \t]+as[ \t]+(\w+)")
_OTHER = re.compile(rb"^[ \t]*from[ \t]+numpy[\w.]*[ \t]+import\b|newshape|tostring|fromstring", re.MULTILINE)
# `np.nan_to_num(normalize_cols(` (a call's result made into an array), with the alias.
_ARRAY_OF_CALL = rb"\b(?:%s)\.(?:%s)\(\s*[A-Za-z_]\w*\("
# `data = np.array(data)`: a statement making one array of a name (records, maybe).
_ARRAY_OF_NAME = rb"^[ \t]*\w+[ \t]*=[ \t]*(?:%s)\.(?:array|asarray)\([ \t]*\w+[ \t]*\)"
_NUMPY_MODULES = ("numpy", "numpy.random")
# NumPy's version: an `if` testing it (`if np.__version__ < "2"`) already picks, per
# version, what to use; its branches are left as they are.
_VERSION = {
    "numpy.__version__", "numpy.version.version", "numpy.version.full_version", "numpy.version.short_version",
    "numpy.lib.NumpyVersion",
}
# `max(labels) + 1`, `np.max(y)+1`, `y.max() + 1`
_COUNT = re.compile(rb"max\([^)\n]*\)\s*\+\s*\d")
# `.reshape(-1, 1)`, `np.reshape(y, (-1, 1))`: a column array
_COLUMN = re.compile(rb"reshape\([^\n]*,\s*1\s*\)")
# A %-format conversion (not `%%`): its type character.
_CONVERSION = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")
# Expressions that take `.item()` or `+ 1` without parentheses.
_ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.List, cst.Dict, cst.Set, cst.Tuple)


def _atom(expr: cst.BaseExpression) -> str:
    text = code(expr)
    if isinstance(expr, _ATOMS) or expr.lpar:
        return text
    return f"({text})"


def _is_empty_string(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.SimpleString) and expr.evaluated_value in ("", b"")


class Numpy2(Rule):
    code = "N101"
    details = __doc__.split("\n\n", 1)[1].strip()

    @classmethod
    def applies_to(cls, data: bytes) -> bool:
        # The bare names ("float", "int", "str") are in every file: look for them as
        # attributes (np.float, but not tf.float32) or in a numpy from-import instead.
        if not super().applies_to(data):
            return False
        if _OTHER.search(data) or _COUNT.search(data) or _COLUMN.search(data):
            return True
        aliases = {b"numpy", *(match.group(1) for match in _ALIASES.finditer(data))}
        alias = b"|".join(re.escape(a) for a in aliases)
        if re.search(_ARRAY_OF_CALL % (alias, b"|".join(n[len("numpy."):].encode() for n in ARRAY_OF_ARGUMENT)), data):
            return True
        if re.search(_ARRAY_OF_NAME % alias, data, re.M):  # records a caller zipped (project facts)
            return True
        return re.search(rb"\b(?:%s)(?:\.random)?\.(?:%s)\b" % (alias, _REMOVED), data) is not None
    examples = (
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                import tensorflow as tf

                x = np.arange(6).astype(np.float)  # features
                y = np.zeros(3, dtype=np.int)
                total = np.asscalar(np.product(x.shape))
                image = np.reshape(x, newshape=(2, 3))
                missing = np.NaN if total > 5 else np.float_(0)
                """
            ),
            after=textwrap.dedent(
                """\
                import numpy as np
                import tensorflow as tf

                x = np.arange(6).astype(float)  # features
                y = np.zeros(3, dtype=int)
                total = np.prod(x.shape).item()
                image = np.reshape(x, (2, 3))
                missing = np.nan if total > 5 else np.float64(0)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import numpy
                from numpy import float, float_, asscalar
                import tensorflow as tf

                labels = numpy.random.random_integers(0, 9, size=10)
                scale = asscalar(labels.max()) / float(10)
                data = labels.astype(float_).tostring()
                """
            ),
            after=textwrap.dedent(
                """\
                import numpy
                from numpy import float64 as float_
                import tensorflow as tf

                labels = numpy.random.randint(0, 10, size=10)
                scale = labels.max().item() / float(10)
                data = labels.astype(float_).tobytes()
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                import tensorflow as tf

                def batch_iter(data, batch_size):
                    data = np.array(data)
                    for start in range(0, len(data), batch_size):
                        yield data[start:start + batch_size]

                x = tf.placeholder(tf.int32, [None, 5])
                for batch in batch_iter(list(zip(sentences, labels)), 64):
                    x_batch, y_batch = zip(*batch)
                """
            ),
            after=textwrap.dedent(
                """\
                import numpy as np
                import tensorflow as tf

                def batch_iter(data, batch_size):
                    try:
                        data = np.array(data)
                    except ValueError:
                        data = np.array(data, dtype=object)  # what NumPy 1 made of items of different shapes
                    for start in range(0, len(data), batch_size):
                        yield data[start:start + batch_size]

                x = tf.placeholder(tf.int32, [None, 5])
                for batch in batch_iter(list(zip(sentences, labels)), 64):
                    x_batch, y_batch = zip(*batch)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                import tensorflow as tf

                def normalize_cols(m):
                    low, high = m.min(axis=0), m.max(axis=0)
                    return (m - low) / (high - low), low, high

                x, low, high = np.nan_to_num(normalize_cols(np.random.rand(4, 2)))
                x_data = tf.placeholder(tf.float32, [None, 2])
                """
            ),
            after=textwrap.dedent(
                '''\
                import numpy as np
                import tensorflow as tf


                def ragged_as_objects(values):
                    """``values`` as NumPy 1 made one array of them: where their first dimensions differ,
                    the object array of the values (NumPy 2 raises ValueError), else the values unchanged."""
                    if not isinstance(values, (list, tuple)):
                        return values
                    firsts = [
                        (len(value),) if isinstance(value, (list, tuple)) else tuple(np.shape(value)[:1])
                        for value in values
                    ]
                    if all(first == firsts[0] for first in firsts):
                        return values
                    array = np.empty(len(values), dtype=object)
                    for index, value in enumerate(values):
                        array[index] = value
                    return array


                def normalize_cols(m):
                    low, high = m.min(axis=0), m.max(axis=0)
                    return (m - low) / (high - low), low, high

                x, low, high = np.nan_to_num(ragged_as_objects(normalize_cols(np.random.rand(4, 2))))
                x_data = tf.placeholder(tf.float32, [None, 2])
                '''
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                import tensorflow as tf

                def normalize_cols(m):
                    low, high = m.min(axis=0), m.max(axis=0)
                    return (m - low) / (high - low), low, high

                x, low, high = np.array(normalize_cols(np.random.rand(4, 2)), dtype=object)
                x_data = tf.placeholder(tf.float32, [None, 2])
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np
                import tensorflow as tf

                x = np.zeros(3, dtype=np.float32).astype(np.int64)
                config.float = np.bool_(True)
                flags = np.float16(np.inf), np.nan, np.prod(x.shape)
                """
            ),
        ),
        Example(
            before=textwrap.dedent(
                """\
                import numpy as np

                if np.lib.NumpyVersion(np.__version__) < "2.0.0":
                    float_ = np.float_
                else:
                    float_ = np.float64
                mask = np.zeros(3, dtype=np.bool)
                """
            ),
        ),
    )

    # -- running -----------------------------------------------------------------------
    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not any(self.resolver.imports_from(module) for module in _NUMPY_MODULES):
            return tree
        self._version_guards = self._ifs_testing_the_version(tree)
        self._numpy1_code, self._numpy1_why = self._numpy1_evidence(tree)
        self._call_funcs: set[int] = set()
        self._tight: set[int] = set()
        self._stored: set[int] = set()
        self._unconverted: set[str] = set()  # local names of from-imports some use still needs
        self._from_imports: list[cst.ImportFrom] = []
        self._tuple_returns = _tuple_returning_functions(tree)
        self._records = self._arrays_of_records(tree)
        self._sizes = self._counts_used_as_sizes(tree) if self._numpy1_code else set()
        self._rows = _RowsAsNumbers.of(tree, self) if self._numpy1_code else set()
        self._ragged: str | None = None  # the helper's name, once a call needs it
        new = self.transformed(tree)
        if self._from_imports:
            new = transform(new, _ImportFixer(self))
        if self._ragged is not None:
            numpy = self.resolver.alias_for("numpy")
            assert numpy is not None
            helper = cst.parse_statement(RAGGED_HELPER.format(name=self._ragged, np=numpy))
            new = insert_helper(new, helper, self._ragged)
        return new

    def _arrays_of_records(self, tree: cst.Module) -> dict[int, str]:
        """``data = np.array(data)`` statements (by id) whose name is a parameter of their
        function that a call gives zipped records (``batch_iter(list(zip(x, y)))``, in this
        module when it is NumPy 1 code or, for the first parameter, in a TF 1 / Keras 2 module
        importing this one):
        -> the evidence, in words."""
        done = {  # this rule's own rewrite: the call tried, the object array where it raises
            id(line) for node in nodes_of(tree, cst.Try)
            if any(isinstance(h.type, cst.Name) and h.type.value == "ValueError" for h in node.handlers)
            for line in node.body.body
        }
        statements = [
            (function, line) for function in nodes_of(tree, cst.FunctionDef)
            for line in nodes_of(function.body, cst.SimpleStatementLine)
            if id(line) not in done and self._array_of_name(line) is not None
        ]
        if not statements:
            return {}
        zipped: dict[tuple[str, int], str] = {}
        for call in nodes_of(tree, cst.Call) if self._numpy1_code else ():
            if isinstance(call.func, cst.Name):
                for position, arg in enumerate(call.args):
                    if arg.keyword is not None or arg.star:
                        break
                    if self._is_zip(arg.value):
                        zipped.setdefault((call.func.value, position), f"`{call.func.value}({code(arg.value)}, ...)`")
        facts = project_facts(self.context.scratch) if any(
            self._array_of_name(line) == _first_parameter(function) for function, line in statements
        ) else None
        for name in facts.zipped_arguments if facts is not None else ():
            zipped.setdefault((name, 0), f"a module importing this one calls `{name}` with zipped records")
        found = {}
        for function, line in statements:
            params = [p.name.value for p in function.params.params]
            name = self._array_of_name(line)
            if name in params and (function.name.value, params.index(name)) in zipped:
                found[id(line)] = zipped[(function.name.value, params.index(name))]
        return found

    def _is_builtin_call(self, expr: cst.BaseExpression, name: str) -> bool:
        return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == name and (
            self.qualified_name(expr.func) in (None, f"builtins.{name}")
        )

    def _is_zip(self, expr: cst.BaseExpression) -> bool:
        """``zip(a, b, ...)`` or ``list(zip(a, b, ...))``: records of two values or more."""
        if self._is_builtin_call(expr, "list") and len(expr.args) == 1:  # type: ignore[attr-defined]
            expr = expr.args[0].value  # type: ignore[attr-defined]
        return self._is_builtin_call(expr, "zip") and len(expr.args) > 1  # type: ignore[attr-defined]

    def _array_of_name(self, line: cst.SimpleStatementLine) -> str | None:
        """``x = np.array(name)`` (or ``np.asarray``), alone on its line: the name."""
        if len(line.body) != 1 or not isinstance(line.body[0], cst.Assign) or len(line.body[0].targets) != 1:
            return None
        assign = line.body[0]
        value = assign.value
        if not (isinstance(assign.targets[0].target, cst.Name) and isinstance(value, cst.Call)
                and self.qualified_name(value.func) in ("numpy.array", "numpy.asarray") and len(value.args) == 1):
            return None
        arg = value.args[0]
        return arg.value.value if arg.keyword is None and not arg.star and isinstance(arg.value, cst.Name) else None

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine):
        why = self._records.get(id(original_node))
        if why is None or updated_node is not original_node:
            return updated_node
        assign = updated_node.body[0]
        assert isinstance(assign, cst.Assign) and isinstance(assign.value, cst.Call)
        target, call = code(assign.targets[0].target), assign.value
        self.report(original_node, (
            f"`{code(assign)}` makes one array of records ({why}): NumPy 1 made an object array when their items' "
            "shapes differed, NumPy 2 raises ValueError (inhomogeneous shape) -> the same call, and where it raises, "
            "the object array NumPy 1 made (dtype=object)"
        ), kind="converted")
        objects = call.with_changes(args=[
            call.args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(keyword=cst.Name("dtype"), value=cst.Name("object"),
                    equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                          whitespace_after=cst.SimpleWhitespace(""))),
        ])
        fallback = cst.parse_statement(f"{target} = {code(objects)}  # what NumPy 1 made of items of different shapes\n")
        return cst.Try(
            body=cst.IndentedBlock(body=[updated_node.with_changes(leading_lines=[])]),
            handlers=[cst.ExceptHandler(body=cst.IndentedBlock(body=[fallback]), type=cst.Name("ValueError"))],
            leading_lines=updated_node.leading_lines,
        )

    def _ifs_testing_the_version(self, tree: cst.Module) -> list[cst.If]:
        return [
            node for node in nodes_of(tree, cst.If)
            if any(self.qualified_name(n) in _VERSION for n in nodes_of(node.test, (cst.Attribute, cst.Name)))
        ]

    def _numpy1_evidence(self, tree: cst.Module) -> tuple[bool, str]:
        """Is this NumPy 1 code? Only then are ``np.bool``/``np.long`` the builtins they were.
        (A removed name under a test of NumPy's version is no sign of it.)"""
        evidence = self.evidence
        names = evidence.numpy_names
        if self._version_guards:
            guarded = {id(n) for guard in self._version_guards for n in nodes_of(guard, (cst.Attribute, cst.Name))}
            names = frozenset(
                name for n in nodes_of(tree, (cst.Attribute, cst.Name))
                if id(n) not in guarded and (name := self.qualified_name(n) or "").startswith("numpy.")
            )
        removed = sorted(
            n for n in names if n not in READDED and any(n in table for table in (*TABLES, CALLS, DECLINED))
        )
        if removed:
            return True, f"uses `{removed[0].replace('numpy', 'np', 1)}`, which NumPy 2 removed"
        if evidence.tensorflow.world == TF1 or evidence.keras.world == KERAS2:
            return True, f"{evidence.tensorflow.world if evidence.tensorflow.world == TF1 else KERAS2} code"
        if evidence.numpy_pin.world == NUMPY1:
            return True, evidence.numpy_pin.reasons[0]
        return False, "no name NumPy 2 removed, no TF 1 or Keras 2 code, no numpy<2 pin"

    def _is_reduction(self, expr: cst.BaseExpression) -> bool:
        """``max(y)``, ``np.max(y)``, ``np.amax(y)``, ``y.max()``: a NumPy scalar of y's dtype."""
        if not isinstance(expr, cst.Call):
            return False
        func = expr.func
        if isinstance(func, cst.Name) and func.value == "max":
            return self.qualified_name(func) in (None, "builtins.max") and len(expr.args) == 1
        if self.qualified_name(func) in ("numpy.max", "numpy.amax"):
            return len(expr.args) == 1
        return isinstance(func, cst.Attribute) and func.attr.value == "max" and not expr.args and (
            self.qualified_name(func) is None
        )

    def _counts_used_as_sizes(self, tree: cst.Module) -> set[int]:
        """The ``max(labels) + 1`` values (by id) of names bound once in the module and used
        as a size in a TensorFlow call: a shape list's item or ``one_hot``'s depth."""
        scan = _SizeUses(self)
        walk(tree, scan)
        def is_count(value: cst.BaseExpression | None) -> bool:
            return isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add) and (
                self._is_reduction(value.left) and isinstance(value.right, cst.Integer)
            )

        named = {name: value for name, (value, times) in scan.bound.items() if times == 1 and is_count(value)}
        return {id(named[name]) for name in scan.sizes if name in named} | {id(v) for v in scan.inline if is_count(v)}

    def leave_BinaryOperation(self, original_node: cst.BinaryOperation, updated_node: cst.BinaryOperation):
        if id(original_node) not in self._sizes:
            return updated_node
        self.report(original_node, (
            f"`{code(original_node)}` is used as a TensorFlow size: NumPy 1 made a NumPy integer + 1 an int64, "
            "NumPy 2 keeps the array's dtype (uint8 for image labels), which TensorFlow refuses as a shape; "
            "-> int(...) + 1, NumPy 1's value"
        ), kind="converted")
        return updated_node.with_changes(
            left=cst.Call(func=cst.Name("int"), args=[cst.Arg(updated_node.left)])
        )

    def is_column(self, value: cst.BaseExpression | None) -> bool:
        """``x.reshape(-1, 1)``, ``x.reshape((n, 1))``, ``np.reshape(x, (-1, 1))``: two dimensions, the last 1."""
        if not isinstance(value, cst.Call):
            return False
        args = [a.value for a in value.args if a.keyword is None and not a.star]
        if self.qualified_name(value.func) == "numpy.reshape":
            args = args[1:]
        elif not (isinstance(value.func, cst.Attribute) and value.func.attr.value == "reshape"):
            return False
        if len(args) == 1 and isinstance(args[0], (cst.Tuple, cst.List)):
            args = [e.value for e in args[0].elements]
        return len(args) == 2 and isinstance(args[1], cst.Integer) and args[1].value == "1"

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript):
        if id(original_node) not in self._rows:
            return updated_node
        self.report(original_node, (
            f"`{code(original_node)}` is a one-element row of a column array, converted to a number: NumPy 1 did, "
            "NumPy 2 raises TypeError (only 0-dimensional arrays convert) -> .item(), the same number"
        ), kind="converted")
        return cst.Call(func=cst.Attribute(value=updated_node, attr=cst.Name("item")))

    # -- context -----------------------------------------------------------------------
    def visit_If(self, node: cst.If) -> bool:
        return not any(node is guard for guard in self._version_guards)

    def visit_Call(self, node: cst.Call) -> None:
        self._call_funcs.add(id(node.func))
        self._tight.add(id(node.func))
        if isinstance(node.func, cst.Subscript):
            self._call_funcs.add(id(node.func.value))  # np.cast[t](a)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._tight.add(id(node.value))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._tight.add(id(node.value))

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        self._tight.add(id(node.expression))

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Power):
            self._tight.add(id(node.left))

    # `np.float = float` (a NumPy 2 compatibility patch) assigns the name: left alone.
    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._stored.add(id(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._stored.add(id(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._stored.add(id(node.target))

    def visit_Del(self, node: cst.Del) -> None:
        self._stored.add(id(node.target))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self._from_imports.append(node)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    # -- names ---------------------------------------------------------------------------
    def _decline(self, node: cst.CSTNode, message: str) -> None:
        if isinstance(node, cst.Name):
            self._unconverted.add(node.value)
        self.report(node, message)

    def _spell(self, original: cst.BaseExpression, qualified: str, new: str) -> str | None:
        """How this module names ``<module of qualified>.new`` where ``original`` stands."""
        if isinstance(original, cst.Attribute):
            return code(original.value) + "." + new
        module = qualified.rsplit(".", 1)[0]
        alias = self.resolver.alias_for(module)
        if alias is None and module == "numpy.random":
            numpy = self.resolver.alias_for("numpy")
            alias = None if numpy is None else numpy + ".random"
        return None if alias is None else f"{alias}.{new}"

    def _scopes(self):
        return self.resolver._scopes.values()  # noqa: SLF001 - migrator's own resolver

    def _explicitly_imported(self, name: str) -> bool:
        """Bound by an import naming it (not only by `from numpy import *`)."""
        return any(name in scope.imports for scope in self._scopes())

    def _builtin_shadowed(self, name: str) -> bool:
        # Bound by the module itself, or imported from anywhere but numpy (whose
        # `from numpy import float` this rule removes).
        for scope in self._scopes():
            if name in scope.locals:
                return True
            origin = scope.imports.get(name)
            if origin is not None and not origin.startswith("numpy."):
                return True
        return False

    def _replace(self, original: cst.BaseExpression, updated: cst.BaseExpression):
        qualified = self.qualified_name(original)
        if qualified is None or not qualified.startswith("numpy.") or id(original) in self._stored:
            return updated
        short = qualified.rsplit(".", 1)[1]
        if qualified in BUILTINS:
            builtin = BUILTINS[qualified]
            if qualified in READDED and not self._numpy1_code:
                self._decline(original, f"`np.{short}` is NumPy 2's own `np.{short}` again, and this module shows "
                                        f"no sign of NumPy 1 ({self._numpy1_why}): could not tell, left as it was")
                return updated
            if self._builtin_shadowed(builtin):
                self._decline(original, f"`np.{short}` (removed in NumPy 1.24) was the builtin `{builtin}`, "
                                        f"which this module rebinds: left as it was")
                return updated
            return cst.Name(builtin, lpar=updated.lpar, rpar=updated.rpar)
        if qualified in RENAMES:
            if isinstance(original, cst.Name):
                if self._explicitly_imported(original.value):
                    return updated  # the `from numpy import` line is renamed instead
                return cst.Name(RENAMES[qualified], lpar=updated.lpar, rpar=updated.rpar)  # `from numpy import *`
            return updated.with_changes(attr=cst.Name(RENAMES[qualified]))
        if qualified in EXPRESSIONS:
            template = EXPRESSIONS[qualified]
            inf = self._spell(original, qualified, "inf") if "{}" in template else ""
            if inf is None:
                self._decline(original, f"`{short}` (removed in NumPy 2.0): no numpy module name to spell "
                                        f"`{template.format('np.inf')}` with; left as it was")
                return updated
            text = template.format(inf)
            if text.startswith("-") and (id(original) in self._tight or updated.lpar):
                text = f"({text})"
            return cst.parse_expression(text)
        if qualified in CALLS:
            if id(original) not in self._call_funcs:
                self._decline(original, f"`np.{short}` (removed from NumPy 2) used other than in a call: left as it was")
            return updated
        if qualified in DECLINED:
            if isinstance(original, cst.Attribute):
                self.report(original, f"`np.{short}` was removed in NumPy 2 with no exact replacement "
                                      f"({DECLINED[qualified]}): left as it was")
            return updated
        return updated

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        return self._replace(original_node, updated_node)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name):
        return self._replace(original_node, updated_node)

    # -- calls ---------------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        func = original_node.func
        if isinstance(func, cst.Subscript):
            if self.qualified_name(func.value) == "numpy.cast":
                return self._cast(original_node, updated_node)
            return updated_node
        qualified = self.qualified_name(func)
        if qualified is None:
            if isinstance(func, cst.Attribute) and func.attr.value == "tostring":
                return self._tostring(original_node, updated_node)
            return updated_node
        if qualified in ARRAY_OF_ARGUMENT:
            updated_node = self._array_of_tuple(original_node, updated_node, qualified)
        handler = {
            "numpy.asscalar": self._asscalar,
            "numpy.in1d": self._in1d,
            "numpy.random.random_integers": self._random_integers,
            "numpy.reshape": self._reshape,
            "numpy.fromstring": self._fromstring,
        }.get(qualified)
        if handler is None:
            return updated_node
        new = handler(original_node, updated_node)
        if new is None:
            short = qualified.split(".", 1)[1]
            self._decline(func, f"`np.{short}(...)` with these arguments has no exact NumPy 2 rewrite: left as it was")
            return updated_node
        return new.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

    def _array_of_tuple(self, call: cst.Call, updated: cst.Call, qualified: str) -> cst.Call:
        """``np.nan_to_num(normalize_cols(x))`` with ``normalize_cols`` returning a tuple: its
        values through the helper making NumPy 1's object array where their shapes differ."""
        first = call.args[0].value if call.args and call.args[0].keyword is None and not call.args[0].star else None
        if not (isinstance(first, cst.Call) and isinstance(first.func, cst.Name)) or self._dtype_given(call, qualified):
            return updated
        size = self._tuple_returns.get(first.func.value)
        if size is None:
            return updated
        short, function = qualified.split(".", 1)[1], first.func.value
        what = (
            f"`np.{short}({function}(...))` makes one array of the {size} values `{function}` returns: NumPy 1 made "
            f"an object array when their first dimensions differed (np.{short} then treated them as objects), "
            "NumPy 2 raises ValueError (inhomogeneous shape)"
        )
        numpy = self.resolver.alias_for("numpy")
        why = (
            f"this module shows no sign of NumPy 1 ({self._numpy1_why})" if not self._numpy1_code
            else "no `import numpy` to spell the helper doing what NumPy 1 did with" if numpy is None
            else "arguments unpacked with `*` may give a dtype" if any(arg.star for arg in call.args)
            else None
        )
        if why is not None:
            self.report(call, f"{what}, and {why}: left as it was; apply np.{short} to each value, or pass "
                              "np.array(..., dtype=object) where NumPy 1 made an object array")
            return updated
        if self._ragged is None:
            name = "ragged_as_objects"
            while self.resolver.is_bound_anywhere(name):
                name += "_"
            self._ragged = name
        self.report(call, (
            f"{what} -> `{self._ragged}({function}(...))`, a helper written into the module, which makes that object "
            "array where the first dimensions differ and otherwise passes the values on; where only later "
            "dimensions differ it leaves NumPy 2's ValueError (NumPy 1 raised too for arrays, but made a deeper "
            "object array of nested lists)"
        ), kind="converted")
        wrapped = cst.Call(func=cst.Name(self._ragged), args=[cst.Arg(updated.args[0].value)])
        return updated.with_changes(args=[updated.args[0].with_changes(value=wrapped), *updated.args[1:]])

    def _dtype_given(self, call: cst.Call, qualified: str) -> bool:
        """A dtype passed (by keyword, or in its place): the call already says what to make."""
        position = DTYPE_POSITION.get(qualified)
        for index, arg in enumerate(call.args):
            if not arg.star and (arg.keyword.value == "dtype" if arg.keyword is not None else index == position):
                return True
        return False

    def _asscalar(self, original: cst.Call, updated: cst.Call):
        bound = bind_arguments(updated.args, ("a",))
        if bound is None or len(bound) != 1:
            return None
        return cst.parse_expression(_atom(bound["a"].value) + ".item()")

    def _cast(self, original: cst.Call, updated: cst.Call):
        subscript = original.func
        asarray = self._spell(subscript.value, "numpy.cast", "asarray")
        if (
            asarray is None or len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index)
            or len(updated.args) != 1 or updated.args[0].keyword is not None or updated.args[0].star
        ):
            self._decline(subscript, "`np.cast[...]` (removed in NumPy 2.0) with these arguments: left as it was")
            return updated
        dtype = code(updated.func.slice[0].slice.value)
        return cst.parse_expression(f"{asarray}({code(updated.args[0].value)}).astype({dtype})").with_changes(
            lpar=updated.lpar, rpar=updated.rpar
        )

    def _in1d(self, original: cst.Call, updated: cst.Call):
        bound = bind_arguments(updated.args, ("ar1", "ar2", "assume_unique", "invert", "kind"))
        isin = self._spell(original.func, "numpy.in1d", "isin")
        if bound is None or isin is None:
            return None
        renames = {"ar1": "element", "ar2": "test_elements"}
        args = [
            arg.with_changes(keyword=cst.Name(renames[arg.keyword.value]))
            if arg.keyword is not None and arg.keyword.value in renames else arg
            for arg in updated.args
        ]
        call = updated.with_changes(func=cst.parse_expression(isin), args=args, lpar=[], rpar=[])
        return cst.Call(func=cst.Attribute(value=call, attr=cst.Name("ravel")))

    def _random_integers(self, original: cst.Call, updated: cst.Call):
        bound = bind_arguments(updated.args, ("low", "high", "size"))
        randint = self._spell(original.func, "numpy.random.random_integers", "randint")
        if bound is None or "low" not in bound or randint is None:
            return None
        values = {name: arg.value for name, arg in bound.items()}
        if "high" not in values or (isinstance(values["high"], cst.Name) and values["high"].value == "None"):
            low, high = "1", values["low"]
        else:
            low, high = code(values["low"]), values["high"]
        if isinstance(high, cst.Integer):
            high_text = str(int(high.value.replace("_", ""), 0) + 1)
        else:
            high_text = f"{_atom(high)} + 1"
        parts = [low, high_text]
        if "size" in values:
            parts.append(("size=" if bound["size"].keyword is not None else "") + code(values["size"]))
        return cst.parse_expression(f"{randint}({', '.join(parts)})")

    def _reshape(self, original: cst.Call, updated: cst.Call):
        args = list(updated.args)
        index = next((i for i, arg in enumerate(args) if arg.keyword is not None and arg.keyword.value == "newshape"), None)
        if index is None:
            return updated
        if any(arg.star for arg in args) or not args or args[0].keyword is not None or (
            len(args) > 1 and args[1].keyword is None
        ):
            return None
        moved = args[index].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
        commas = [arg.comma for arg in args]
        others = [arg for i, arg in enumerate(args) if i not in (0, index)]
        args = [arg.with_changes(comma=comma) for arg, comma in zip([args[0], moved, *others], commas)]
        return updated.with_changes(args=args)

    def _fromstring(self, original: cst.Call, updated: cst.Call):
        bound = bind_arguments(updated.args, ("string", "dtype", "count", "sep"))
        if bound is None:
            return None
        sep = bound.get("sep")
        if sep is not None and not _is_empty_string(sep.value):
            if isinstance(sep.value, (cst.SimpleString, cst.ConcatenatedString)):
                return updated  # text mode: still in NumPy 2
            return None
        frombuffer = self._spell(original.func, "numpy.fromstring", "frombuffer")
        if frombuffer is None or "string" not in bound:
            return None
        parts = []
        for name in ("string", "dtype", "count"):
            if name in bound:
                arg = bound[name]
                value = code(arg.value)
                if arg.keyword is None:
                    parts.append(value)
                else:
                    parts.append(f"{'buffer' if name == 'string' else name}={value}")
        self.report(original, "`np.fromstring(data)` (binary mode, removed in NumPy 2) -> "
                              "`np.frombuffer(data).copy()`: assumes `data` is bytes", kind="converted")
        return cst.parse_expression(f"{frombuffer}({', '.join(parts)}).copy()")

    def _tostring(self, original: cst.Call, updated: cst.Call):
        # ndarray.tostring(order='C'): no argument, or the order (`ET.tostring(element)`
        # and the like take an object, and are left alone).
        args = updated.args
        if len(args) > 1 or any(
            arg.star or (arg.keyword.value != "order" if arg.keyword is not None else not (
                isinstance(arg.value, cst.SimpleString) and arg.value.evaluated_value in ("C", "F", "A", "K")
            ))
            for arg in args
        ):
            return updated
        self.report(original, "`.tostring()` (removed from NumPy 2 arrays) -> `.tobytes()`: assumes a NumPy array",
                    kind="converted")
        return updated.with_changes(func=updated.func.with_changes(attr=cst.Name("tobytes")))


class _RowsAsNumbers(FastVisitor):
    """``col[i]`` converted to a number (``"%d" % col[i]``, ``int(col[i])``) where ``col`` is
    bound once in its scope to a column array (by the id of the subscript)."""

    def __init__(self, rule: Numpy2, bindings: Bindings) -> None:
        super().__init__()
        self.rule = rule
        self.bindings = bindings
        self.scopes: list[cst.CSTNode] = []
        self.rows: set[int] = set()

    @classmethod
    def of(cls, tree: cst.Module, rule: Numpy2) -> set[int]:
        scan = cls(rule, Bindings.of(tree))
        scan.scopes.append(tree)
        walk(tree, scan)
        return scan.rows

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def _row(self, expr: cst.BaseExpression) -> None:
        if (
            isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Name) and len(expr.slice) == 1
            and isinstance(expr.slice[0].slice, cst.Index)
            and self.rule.is_column(self.bindings.value(self.scopes, expr.value.value))
        ):
            self.rows.add(id(expr))

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if not (isinstance(node.operator, cst.Modulo) and isinstance(node.left, cst.SimpleString)):
            return
        text = node.left.evaluated_value
        kinds = [k for k in _CONVERSION.findall(text) if k != "%"] if isinstance(text, str) else []
        values = [e.value for e in node.right.elements] if isinstance(node.right, cst.Tuple) else [node.right]
        if len(kinds) == len(values):
            for kind, value in zip(kinds, values):
                if kind in "diouxXeEfFgGc":
                    self._row(value)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in ("int", "float") and len(node.args) == 1 and (
            self.rule.qualified_name(node.func) in (None, f"builtins.{node.func.value}")
        ):
            self._row(node.args[0].value)


class _SizeUses(FastVisitor):
    """How often each name is bound in the module (the value when assigned), and the names
    used as sizes in TensorFlow calls: items of a list or tuple argument, ``one_hot``'s depth."""

    def __init__(self, rule: Numpy2) -> None:
        super().__init__()
        self.rule = rule
        self.bound: dict[str, tuple[cst.BaseExpression | None, int]] = {}
        self.sizes: set[str] = set()
        self.inline: list[cst.BinaryOperation] = []  # expressions written in a size's place

    def _bind(self, name: str, value: cst.BaseExpression | None) -> None:
        self.bound[name] = (value, self.bound.get(name, (None, 0))[1] + 1)

    def visit_Assign(self, node: cst.Assign) -> None:
        single = len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
        for target in node.targets:
            for name in _target_names(target.target):
                self._bind(name, node.value if single else None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        for name in _target_names(node.target):
            self._bind(name, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        for name in _target_names(node.target):
            self._bind(name, None)

    def visit_For(self, node: cst.For) -> None:
        for name in _target_names(node.target):
            self._bind(name, None)

    def visit_Param(self, node: cst.Param) -> None:
        self._bind(node.name.value, None)

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.rule.qualified_name(node.func) or ""
        if not qualified.startswith("tensorflow."):
            return
        for position, arg in enumerate(node.args):
            if isinstance(arg.value, (cst.List, cst.Tuple)):
                for element in arg.value.elements:
                    self._size(element.value)
            elif qualified.endswith(".one_hot") and (
                (arg.keyword is None and position == 1) or (arg.keyword is not None and arg.keyword.value == "depth")
            ):
                self._size(arg.value)

    def _size(self, expr: cst.BaseExpression) -> None:
        if isinstance(expr, cst.Name):
            self.sizes.add(expr.value)
        elif isinstance(expr, cst.BinaryOperation):
            self.inline.append(expr)


def _first_parameter(function: cst.FunctionDef) -> str | None:
    params = function.params.params
    return params[0].name.value if params else None


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in _target_names(element.value)]
    return []


def _tuple_returning_functions(tree: cst.Module) -> dict[str, int]:
    """Functions defined once in the module whose every ``return`` gives a tuple of the
    same size (at least 2): name -> size."""
    sizes: dict[str, int | None] = {}

    class _Returns(FastVisitor):
        def __init__(self) -> None:
            self.stack: list[set[int | None]] = []

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.stack.append(set())

        def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
            returned = self.stack.pop()
            name = original_node.name.value
            size = next(iter(returned)) if len(returned) == 1 else None
            sizes[name] = size if name not in sizes else None

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Return(self, node: cst.Return) -> None:
            if self.stack:
                value = node.value
                self.stack[-1].add(len(value.elements) if isinstance(value, cst.Tuple) and len(value.elements) > 1
                                   and not any(isinstance(e, cst.StarredElement) for e in value.elements) else None)

    walk(tree, _Returns())
    return {name: size for name, size in sizes.items() if size is not None}


class _ImportFixer(cst.CSTTransformer):
    """Second pass: `from numpy import <removed>` lines, now that every use is known."""

    def __init__(self, rule: Numpy2) -> None:
        super().__init__()
        self.rule = rule
        # The first pass leaves import nodes as they are (the same objects in its output).
        self.originals = {id(node): node for node in rule._from_imports}

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom):
        original = self.originals.get(id(original_node))
        if original is None:  # a statement the first pass skipped (a suppression comment)
            return updated_node
        module = None if updated_node.relative or updated_node.module is None else code(updated_node.module)
        if module not in _NUMPY_MODULES or isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        kept: list[cst.ImportAlias] = []
        changed = False
        for alias, original_alias in zip(updated_node.names, original.names):
            name = code(alias.name)
            qualified = f"{module}.{name}"
            local = alias.asname.name.value if alias.asname is not None else name
            if qualified in RENAMES:
                new = RENAMES[qualified]
                asname = None if local == new else cst.AsName(name=cst.Name(local))
                kept.append(alias.with_changes(name=cst.Name(new), asname=asname))
                changed = True
            elif qualified in BUILTINS or qualified in EXPRESSIONS or qualified in CALLS:
                if local in self.rule._unconverted:
                    kept.append(alias)
                else:
                    changed = True
            else:
                if qualified in DECLINED:
                    self.rule.report(original_alias, f"`{name}` was removed in NumPy 2 with no exact replacement "
                                                     f"({DECLINED[qualified]}): left as it was")
                kept.append(alias)
        if not changed:
            return updated_node
        if not kept:
            return cst.RemovalSentinel.REMOVE
        if updated_node.lpar is None:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        elif original.names[-1].comma == cst.MaybeSentinel.DEFAULT:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=kept)
