"""G101 feature: tf.data's TF 1 iterators -> Python iteration over the dataset.

TF 1 read a dataset through an iterator op: ``it = ds.make_one_shot_iterator()`` (or
``tf.data.make_one_shot_iterator(ds)``), ``ds.make_initializable_iterator()`` started by
``sess.run(it.initializer)`` (from the start again at each run), or
``tf.data.Iterator.from_structure(types, shapes)`` started on one dataset or another by
``sess.run(it.make_initializer(ds))``. ``element = it.get_next()`` is a tensor that each
``sess.run`` needing it advances once, until ``tf.errors.OutOfRangeError``.

In TF 2 the iterator is a Python iterator over the dataset, which is built eagerly as written:

* a one-shot iterator: ``it = iter(ds)`` where TF 1 created it;
* each initializer run: ``it = iter(ds)``, a new iterator from the first element;
* ``element = it.get_next()`` goes into the generated functions that need it as
  ``element = next(it)``, the iterator their parameter (``train_step(it)``): one element
  per call, in the same order, and at the end ``next`` inside a ``tf.function`` raises
  the same ``tf.errors.OutOfRangeError``, so the loops that catch it stay as they are.

TF 1's initializer rebuilt the dataset: a seeded shuffle started over in the same order
at every run, where a TF 2 dataset reshuffles for each new iterator. A dataset whose
definition shuffles and whose initializer may run more than once, or that reads
placeholders fed at its initializer run, is built by a generated ``make_<dataset>(...)``
(its definition, with those placeholders as parameters): ``it = iter(make_<dataset>(...))``.
Declined: feedable iterators (``string_handle``), iterators made or read anywhere but at
the graph's level, an element fetched without being named, an initializer run whose
value is used.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import libcst as cst

from codemods.analysis.graph import argument, calls_in, names_read, single_assignment
from codemods.analysis.names import FastVisitor
from codemods.graph.g101_session_to_function.feature import Feature
from codemods.graph.g101_session_to_function.model import CannotConvert, Function, Graph, Placeholder, Unit

# Calls that make a dataset, valid in TF 2 too (the dataset is built eagerly there).
DATASETS = ("data.Dataset.", "data.TFRecordDataset", "data.TextLineDataset", "data.FixedLengthRecordDataset")
ITERATOR_METHODS = {"make_one_shot_iterator": "one-shot", "make_initializable_iterator": "initializable"}
ITERATOR_FUNCTIONS = {"data.make_one_shot_iterator": "one-shot", "data.make_initializable_iterator": "initializable"}
STRUCTURE = "data.Iterator.from_structure"
# TF 1 iterator calls this feature follows only in the statements it reads.
ITERATOR_CALLS = {*ITERATOR_METHODS, "make_initializer", "string_handle"}
ITERATOR_SYMBOLS = {*ITERATOR_FUNCTIONS, STRUCTURE, "data.Iterator.from_string_handle", "data.Iterator"}


@dataclass
class Iterator:
    name: str  # its name in the converted code (a fresh one for `ds.make_one_shot_iterator().get_next()`)
    kind: str  # "one-shot", "initializable" or "structure"
    index: int  # the statement that creates it
    dataset: cst.BaseExpression | None  # what it iterates (none for a structure iterator)


@dataclass
class InitRun:
    """One run of an iterator's initializer: it starts ``iterator`` on ``dataset``."""

    call: cst.Call
    iterator: str
    dataset: cst.BaseExpression
    feed: dict[str, cst.BaseExpression]
    looped: bool


@dataclass
class Builder:
    """A dataset built anew at each initializer run: ``function(params)`` returns it."""

    dataset: str
    function: str
    statements: list[int]
    params: list[str] = field(default_factory=list)


class DataIterators(Feature):
    def __init__(self) -> None:
        self.datasets: dict[str, list[int]] = {}  # dataset name -> the statements assigning it
        self.iterators: dict[str, Iterator] = {}
        self.initializers: dict[str, tuple[str, cst.BaseExpression | None]] = {}  # op name -> (iterator, dataset)
        self.elements: dict[int, tuple[cst.Call, str]] = {}  # get_next statement -> (its call, the iterator)
        self.owned: set[int] = set()
        self.runs: dict[int, InitRun] = {}  # initializer run call id -> the run
        self.builders: dict[str, Builder] = {}  # dataset name -> its builder
        self.placeholder_datasets: set[int] = set()  # dataset statements reading placeholders
        self._standalone: set[int] | None = None

    # -- analysis ----------------------------------------------------------------------
    def exempt_calls(self, graph: Graph) -> set[int]:
        exempt: set[int] = set()
        for index, stmt in enumerate(graph.body):
            assignment = single_assignment(stmt)
            if assignment is None or not self._read_statement(graph, index, *assignment):
                continue
            exempt.update(id(call) for call in calls_in(stmt))
        followed = {id(call) for index in [*self.owned, *self.elements] for call in calls_in(graph.body[index])}
        for call in calls_in(graph.module):
            if id(call) in followed:
                continue
            func = call.func
            method = func.attr.value if isinstance(func, cst.Attribute) else None
            if method in ITERATOR_CALLS or graph.sym(func) in ITERATOR_SYMBOLS:
                raise CannotConvert(call, (
                    f"a tf.data iterator (`{graph.code(func)}`) made or read where this rule cannot follow it "
                    "(it follows those made and read by assignments at the graph's level)"
                ))
            if (
                isinstance(func, cst.Attribute) and method == "get_next"
                and isinstance(func.value, cst.Name) and func.value.value in self.iterators
            ):
                raise CannotConvert(call, "an iterator's next element used without a name (assign `x = it.get_next()` first)")
        return exempt

    def _read_statement(self, graph: Graph, index: int, names: list[str], value: cst.BaseExpression) -> bool:
        """Record a dataset, iterator, initializer or element statement; False for others."""
        if len(names) == 1 and self._is_dataset(graph, value):
            self.datasets.setdefault(names[0], []).append(index)
            self.owned.add(index)
            return True
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "get_next":
            receiver = value.func.value
            if isinstance(receiver, cst.Name) and receiver.value in self.iterators:
                self.elements[index] = (value, receiver.value)
                return True
            made = self._made_iterator(graph, receiver)
            if made is not None and made[0] == "one-shot":
                # `batch = ds.make_one_shot_iterator().get_next()`: the iterator gets a name.
                name = graph.fresh("iterator")
                self._add_iterator(graph, Iterator(name, "one-shot", index, made[1]), before=index - 1)
                self.elements[index] = (value, name)
                return True
            return False
        if len(names) != 1:
            return False
        name = names[0]
        made = self._made_iterator(graph, value)
        if made is not None:
            self._add_iterator(graph, Iterator(name, made[0], index, made[1]), before=index)
            self.owned.add(index)
            graph.edits.removed.add(index)
            return True
        if (
            isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "make_initializer"
            and isinstance(value.func.value, cst.Name) and value.func.value.value in self.iterators
        ):
            self.initializers[name] = (value.func.value.value, argument(value, 0, "dataset"))
        elif (
            isinstance(value, cst.Attribute) and value.attr.value == "initializer"
            and isinstance(value.value, cst.Name) and value.value.value in self.iterators
        ):
            iterator = self.iterators[value.value.value]
            self.initializers[name] = (iterator.name, iterator.dataset)
        else:
            return False
        self.owned.add(index)
        graph.edits.removed.add(index)
        return True

    def _add_iterator(self, graph: Graph, iterator: Iterator, before: int) -> None:
        """The iterator is a parameter of the functions that read its elements, which
        every call passes by its name (a placeholder whose default is itself)."""
        self.iterators[iterator.name] = iterator
        graph.add_placeholder(Placeholder(iterator.name, before, None, "None", iterator.name))

    def _is_dataset(self, graph: Graph, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            return expr.value in self.datasets
        if not isinstance(expr, cst.Call):
            return False
        symbol = graph.sym(expr.func)
        if symbol is not None:
            return symbol.startswith(DATASETS)
        func = expr.func
        return (
            isinstance(func, cst.Attribute) and func.attr.value not in ITERATOR_CALLS and func.attr.value != "get_next"
            and self._is_dataset(graph, func.value)
        )

    def _made_iterator(self, graph: Graph, value: cst.BaseExpression) -> tuple[str, cst.BaseExpression | None] | None:
        """(kind, dataset) when ``value`` makes a TF 1 iterator."""
        if not isinstance(value, cst.Call):
            return None
        func = value.func
        if isinstance(func, cst.Attribute) and func.attr.value in ITERATOR_METHODS and not value.args:
            return ITERATOR_METHODS[func.attr.value], func.value
        symbol = graph.sym(func)
        if symbol in ITERATOR_FUNCTIONS:
            dataset = argument(value, 0, "dataset")
            return (ITERATOR_FUNCTIONS[symbol], dataset) if dataset is not None else None
        if symbol == STRUCTURE:
            return "structure", None
        return None

    def owns_statement(self, graph: Graph, index: int) -> bool:
        return index in self.owned

    def classify_call(self, graph: Graph, index: int, names: list[str], call: cst.Call) -> bool:
        """``x, y = it.get_next()``: a unit reading the iterator (one element per run)."""
        if index not in self.elements or call is not self.elements[index][0]:
            return False
        unit = Unit(index, graph.body[index], names, {self.elements[index][1]}, structured=len(names) == 1)
        graph.units.append(unit)
        for name in names:
            graph.unit_by_name[name] = unit
        return True

    def check(self, graph: Graph) -> None:
        # A dataset built from placeholders exists only when its initializer runs with
        # their values: its definition goes into a builder (check_plan).
        for name, statements in self.datasets.items():
            for index in statements:
                if names_read(graph.body[index]) & set(graph.placeholders) - set(self.iterators):
                    self.placeholder_datasets.add(index)
                    graph.edits.removed.add(index)

    # -- sites -------------------------------------------------------------------------
    def claims_run(self, graph: Graph, call: cst.Call, looped: bool) -> list[cst.BaseExpression] | None:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "run" or not (self.iterators or self.initializers):
            return None
        receiver = func.value
        if isinstance(receiver, cst.Name) and receiver.value in graph.session_names():
            fetch, feed_node = argument(call, 0, "fetches"), argument(call, 1, "feed_dict")
        else:
            fetch, feed_node = receiver, argument(call, 0, "feed_dict")  # `it.initializer.run()`
        started: tuple[str, cst.BaseExpression] | None
        if isinstance(fetch, (cst.List, cst.Tuple)):
            started_all = [self._started(e.value) for e in fetch.elements]
            if not any(started_all):
                return None
            # `sess.run([it.initializer, tf.global_variables_initializer()])`: eager
            # variables are initialised when created, once (the initialisation stage sees this run too).
            others = [e.value for e, s in zip(fetch.elements, started_all) if s is None]
            if sum(s is not None for s in started_all) > 1 or not all(graph.is_init(e) for e in others):
                raise CannotConvert(call, "an iterator's initializer run together with other fetches")
            if others and looped:
                raise CannotConvert(call, "variables initialised again with an iterator, in a loop")
            started = next(s for s in started_all if s is not None)
        else:
            started = self._started(fetch) if fetch is not None else None
        if started is None:
            return None
        if id(call) not in self._standalone_calls(graph):
            raise CannotConvert(call, "an iterator's initializer run whose result is used")
        feed: dict[str, cst.BaseExpression] = {}
        if feed_node is not None:
            if not isinstance(feed_node, cst.Dict):
                raise CannotConvert(feed_node, "an initializer's feed_dict that is not a dict literal")
            for element in feed_node.elements:
                if not (
                    isinstance(element, cst.DictElement) and isinstance(element.key, cst.Name)
                    and element.key.value in graph.placeholders
                ):
                    raise CannotConvert(feed_node, "an initializer's feed_dict with a key that is not a placeholder")
                feed[element.key.value] = element.value
        self.runs[id(call)] = InitRun(call, *started, feed, looped)
        return list(feed.values())

    def _started(self, fetch: cst.BaseExpression) -> tuple[str, cst.BaseExpression] | None:
        """(iterator, dataset) an initializer fetch starts."""
        found: tuple[str, cst.BaseExpression | None] | None = None
        if isinstance(fetch, cst.Name) and fetch.value in self.initializers:
            found = self.initializers[fetch.value]
        elif isinstance(fetch, cst.Attribute) and fetch.attr.value == "initializer" and isinstance(fetch.value, cst.Name):
            iterator = self.iterators.get(fetch.value.value)
            if iterator is not None:
                found = (iterator.name, iterator.dataset)
        elif (
            isinstance(fetch, cst.Call) and isinstance(fetch.func, cst.Attribute) and fetch.func.attr.value == "make_initializer"
            and isinstance(fetch.func.value, cst.Name) and fetch.func.value.value in self.iterators
        ):
            found = (fetch.func.value.value, argument(fetch, 0, "dataset"))
        if found is None:
            return None
        if found[1] is None or self.iterators[found[0]].kind == "one-shot":
            raise CannotConvert(fetch, f"iterator `{found[0]}` initialised without a dataset")
        return found[0], found[1]

    def _standalone_calls(self, graph: Graph) -> set[int]:
        """Calls that are a statement of their own (their value is not used)."""
        if self._standalone is None:
            found: set[int] = set()

            class _Statements(FastVisitor):
                def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
                    if len(node.body) == 1 and isinstance(node.body[0], cst.Expr) and isinstance(node.body[0].value, cst.Call):
                        found.add(id(node.body[0].value))

            graph.module.visit(_Statements())
            self._standalone = found
        return self._standalone

    # -- planning ----------------------------------------------------------------------
    def fed_tensor(self, graph: Graph, unit: Unit, name: str, statement: int) -> str | None:
        """``{bx: test_x}`` for ``bx, by = it.get_next()``: the function takes the value in
        place of the element (the iterator does not advance), converted to the element's
        dtype, which the iterator knows once it is started."""
        element = self.elements.get(unit.index)
        if element is None:
            return None
        call, iterator = element
        stmt = graph.body[unit.index]
        target = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) else None
        names = target.targets[0].target if isinstance(target, cst.Assign) else None
        if isinstance(names, cst.Name):
            spec = f"{iterator}.element_spec"
        elif isinstance(names, (cst.Tuple, cst.List)) and all(
            isinstance(e, cst.Element) and isinstance(e.value, cst.Name) for e in names.elements
        ):
            spec = f"{iterator}.element_spec[{unit.defines.index(name)}]"
        else:
            return None
        if self.iterators[iterator].kind != "one-shot" and not any(
            run.iterator == iterator and _statement_of(graph, run.call) <= statement for run in self.runs.values()
        ):
            raise CannotConvert(call, f"`{name}` is fed before iterator `{iterator}` is started (its dtype comes from it)")
        return f"{spec}.dtype"

    def check_plan(self, graph: Graph, functions: list[Function]) -> None:
        """Which datasets are built anew at each initializer run; the one-shot iterators."""
        by_dataset: dict[str, list[InitRun]] = {}
        for run in self.runs.values():
            if isinstance(run.dataset, cst.Name) and run.dataset.value in self.datasets:
                by_dataset.setdefault(run.dataset.value, []).append(run)
            elif run.feed:
                raise CannotConvert(run.call, "an initializer fed with placeholders its dataset does not visibly read")
        for dataset, runs in by_dataset.items():
            first = min(self.iterators[r.iterator].index for r in runs)
            chain = self._chain(graph, dataset, first)
            again = len(runs) > 1 or any(r.looped for r in runs)
            if any(r.feed for r in runs) or set(chain) & self.placeholder_datasets or (again and self._shuffles(graph, chain)):
                self.builders[dataset] = self._builder(graph, dataset, chain, runs)
        unbuilt = self.placeholder_datasets - {i for b in self.builders.values() for i in b.statements}
        if unbuilt:
            index = min(unbuilt)
            raise CannotConvert(graph.body[index], "a dataset built from placeholders that no initializer run feeds")
        for iterator in self.iterators.values():
            if iterator.kind == "one-shot" and iterator.dataset is not None:
                graph.edits.inserted.setdefault(iterator.index, []).append(
                    f"{iterator.name} = iter({self._dataset_code(graph, iterator.dataset, {})})"
                )
        followed = {
            id(node) for place in [*(run.call for run in self.runs.values()), *(graph.body[i] for i in self.owned)]
            for node in _names(place, set(self.initializers))
        }
        for node in _names(graph.module, set(self.initializers)):
            if id(node) not in followed:
                raise CannotConvert(node, f"iterator initializer `{node.value}` used elsewhere than in a run")

    def _chain(self, graph: Graph, dataset: str, before: int) -> list[int]:
        """The statements defining ``dataset`` as it is at statement ``before``."""
        found: set[int] = set()
        todo = [(dataset, before)]
        while todo:
            name, limit = todo.pop()
            index = max((i for i in self.datasets.get(name, []) if i < limit), default=None)
            if index is None or index in found:
                continue
            found.add(index)
            todo.extend((read, index) for read in names_read(graph.body[index]) if read in self.datasets)
        return sorted(found)

    def _shuffles(self, graph: Graph, chain: list[int]) -> bool:
        return any(
            isinstance(call.func, cst.Attribute) and call.func.attr.value == "shuffle"
            for index in chain for call in calls_in(graph.body[index])
        )

    def _builder(self, graph: Graph, dataset: str, chain: list[int], runs: list[InitRun]) -> Builder:
        defined = {name for index in chain for name in (single_assignment(graph.body[index]) or ([], None))[0]}
        for index, stmt in enumerate(graph.body):
            if index in chain or index in self.owned:
                continue
            used = names_read(stmt) & defined
            if used:
                raise CannotConvert(stmt, (
                    f"dataset `{sorted(used)[0]}` is built anew at each initializer run (as TF 1 did) and used "
                    "elsewhere too"
                ))
        real = set(graph.placeholders) - set(self.iterators)
        params = sorted({n for index in chain for n in names_read(graph.body[index]) & real},
                        key=lambda n: graph.placeholders[n].index)
        for run in runs:
            missing = [p for p in params if p not in run.feed]
            extra = [f for f in run.feed if f not in params]
            if missing or extra:
                problem = f"`{missing[0]}` not fed" if missing else f"`{extra[0]}` fed, which the dataset does not read"
                raise CannotConvert(run.call, f"an initializer run of `{dataset}` with {problem}")
        builder = Builder(dataset, graph.fresh(f"make_{dataset}"), chain, params)
        gap = "\n\n" if graph.owner is None else "\n"  # a definition's blank lines, at module level or nested
        lines = [f"{gap}def {builder.function}({', '.join(params)}):\n"]
        if params:
            body = ["# Built at each initializer run from the values fed to it, as TF 1 did.\n"]
        else:
            body = ["# Built anew at each initializer run, as TF 1 did: its shuffle starts over in the same order.\n"]
        for param in params:
            dtype = graph.placeholders[param].dtype
            if dtype is not None:
                body.append(f"{param} = {graph.tf}.convert_to_tensor({param}, {dtype})  # the placeholder's dtype\n")
        # Their comments stay where the statements were (carried to the next kept line).
        body += [graph.code(graph.body[index].with_changes(leading_lines=[])) for index in chain]
        body.append(f"return {dataset}\n")
        lines.append(textwrap.indent("".join(body), graph.module.default_indent))
        for index in chain:
            graph.edits.removed.add(index)
        graph.edits.inserted.setdefault(chain[-1], []).append("".join(lines).rstrip("\n"))
        return builder

    def _dataset_code(self, graph: Graph, dataset: cst.BaseExpression, feed: dict[str, cst.BaseExpression]) -> str:
        if isinstance(dataset, cst.Name) and dataset.value in self.builders:
            builder = self.builders[dataset.value]
            if any(p not in feed for p in builder.params):
                raise CannotConvert(dataset, f"a one-shot iterator over `{dataset.value}`, which reads placeholders")
            return f"{builder.function}({', '.join(graph.code(feed[p]) for p in builder.params)})"
        return graph.code(dataset)

    # -- emission ----------------------------------------------------------------------
    def unit_code(self, graph: Graph, unit: Unit, node: cst.CSTNode) -> cst.CSTNode:
        element = self.elements.get(unit.index)
        if element is None:
            return node
        call, iterator = element

        class _Next(cst.CSTTransformer):
            def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
                if original_node is call:
                    return cst.parse_expression(f"next({iterator})")
                return updated_node

        rewritten = node.visit(_Next())
        assert isinstance(rewritten, cst.CSTNode), "a statement stays a statement"
        return rewritten

    def rewrite_statement(
        self, graph: Graph, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | None:
        small = original.body[0] if len(original.body) == 1 else None
        run = self.runs.get(id(small.value)) if isinstance(small, cst.Expr) else None
        if run is None:
            return None
        code = f"{run.iterator} = iter({self._dataset_code(graph, run.dataset, run.feed)})\n"
        return cst.parse_statement(code).with_changes(leading_lines=updated.leading_lines)


def _statement_of(graph: Graph, call: cst.Call) -> int:
    """The statement of the graph's block that holds ``call``."""
    return next(index for index, stmt in enumerate(graph.body) if any(c is call for c in calls_in(stmt)))


def _names(tree: cst.CSTNode, names: set[str]) -> list[cst.Name]:
    found: list[cst.Name] = []

    class _Collect(FastVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value in names:
                found.append(node)

    tree.visit(_Collect())
    return found
