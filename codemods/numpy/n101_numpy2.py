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
array and bytes (reported as notes). Independent of the other rules.
"""

from __future__ import annotations

import re
import textwrap

import libcst as cst

from codemods.analysis.cst_tools import bind_arguments, code
from codemods.analysis.evidence import KERAS2, NUMPY1, TF1
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

# What a module must contain for the rule to have anything to do (cheap text tests):
# a removed name after a numpy alias, a numpy from-import, or a removed keyword/method.
_REMOVED = b"|".join(
    re.escape(name.rsplit(".", 1)[1].encode()) for table in (*TABLES, CALLS, DECLINED) for name in table
)
_ALIASES = re.compile(rb"\bnumpy[ \t]+as[ \t]+(\w+)")
_OTHER = re.compile(rb"^[ \t]*from[ \t]+numpy[\w.]*[ \t]+import\b|newshape|tostring|fromstring", re.MULTILINE)
_NUMPY_MODULES = ("numpy", "numpy.random")
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
        if _OTHER.search(data):
            return True
        aliases = {b"numpy", *(match.group(1) for match in _ALIASES.finditer(data))}
        alias = b"|".join(re.escape(a) for a in aliases)
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

                x = np.zeros(3, dtype=np.float32).astype(np.int64)
                config.float = np.bool_(True)
                flags = np.float16(np.inf), np.nan, np.prod(x.shape)
                """
            ),
        ),
    )

    # -- running -----------------------------------------------------------------------
    def rewrite(self, tree: cst.Module) -> cst.Module:
        if not any(self.resolver.imports_from(module) for module in _NUMPY_MODULES):
            return tree
        self._numpy1_code, self._numpy1_why = self._numpy1_evidence()
        self._call_funcs: set[int] = set()
        self._tight: set[int] = set()
        self._stored: set[int] = set()
        self._unconverted: set[str] = set()  # local names of from-imports some use still needs
        self._from_imports: list[cst.ImportFrom] = []
        new = tree.visit(self)
        if self._from_imports:
            new = new.visit(_ImportFixer(self))
        return new

    def _numpy1_evidence(self) -> tuple[bool, str]:
        """Is this NumPy 1 code? Only then are ``np.bool``/``np.long`` the builtins they were."""
        evidence = self.evidence
        removed = sorted(
            n for n in evidence.numpy_names if n not in READDED and any(n in table for table in (*TABLES, CALLS, DECLINED))
        )
        if removed:
            return True, f"uses `{removed[0].replace('numpy', 'np', 1)}`, which NumPy 2 removed"
        if evidence.tensorflow.world == TF1 or evidence.keras.world == KERAS2:
            return True, f"{evidence.tensorflow.world if evidence.tensorflow.world == TF1 else KERAS2} code"
        if evidence.numpy_pin.world == NUMPY1:
            return True, evidence.numpy_pin.reasons[0]
        return False, "no name NumPy 2 removed, no TF 1 or Keras 2 code, no numpy<2 pin"

    # -- context -----------------------------------------------------------------------
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


class _ImportFixer(cst.CSTTransformer):
    """Second pass: `from numpy import <removed>` lines, now that every use is known."""

    def __init__(self, rule: Numpy2) -> None:
        super().__init__()
        self.rule = rule
        self.originals = iter(rule._from_imports)

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom):
        original = next(self.originals)
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
