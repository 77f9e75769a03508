"""Scripts converted together with the helper modules that build their graph.

A TF1 project often builds its graph with functions of one module (``ops.py``:
``fc_layer``, ``weight_variable``; ``model.py``: ``build_model``, a model class) and runs it
with a Session in a script that imports them. The graph rules read one module at a
time: alone, neither file can be converted (the script does not see the variables the
helpers create; the helper module runs no session).

The index (``codemods/analysis/project.py``) names each such ``Group``: a script and the
helper modules it imports names from. The engine converts a group as one module, as if
the helpers had been written in the script: the script with each helper module's code in
place of its ``from helper import ...`` statement, between two marker statements. The
rules up to G101 run on that module; each file's part is then cut out of every stage
(the script's import statement names what it now uses: ``from ops import FcLayer``) and
goes on through the rules after G101 alone, so each file gets its own diff, with
findings at its own lines.

A group is used only when it is proven to give each file a correct result:

* G101 converted the common module natively, the markers came back in place, every
  top-level statement of a helper module is still there (converted in place: a function
  became its ``tf.Module`` class), and no part reads a name it no longer has;
* the script binds no name the helper module binds (unless both import the same thing),
  imports it under its own names, by one statement, and star-imports nothing unknown;
* a helper module's part is the same in every group of its cluster (the groups sharing
  helper modules), or it is left as it would be alone, together with every group that
  needs it changed. A module of the tree that imports it outside any group counts as
  such a group: it needs the module as it is alone. When the groups only turned its
  functions into ``tf.Module`` classes, it keeps its functions as they are alone with each
  class beside its function (``_beside``): each importer finds what it uses.

Otherwise each file is migrated alone, and the script's G101 finding says why
(``ProjectFacts.together_note``). Nothing here imports TensorFlow.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import libcst as cst

from codemods.analysis.cst_tools import nodes_of, parse_source
from codemods.analysis.graph import ReadNamesVisitor, assigned_names, names_read
from codemods.analysis.graph_outcome import graph_outcome
from codemods.analysis.names import transform, walk
from codemods.analysis.project import Group, Helper, ProjectFacts, set_project_facts
from codemods.base import SCRATCH_HAS_SUPPRESSIONS
from codemods.finding import Finding
from migrator.diffs import SequenceMatcher
from migrator.stages import RuleFailure, apply_rules

if TYPE_CHECKING:
    from migrator.engine import RuleEntry

# The common module goes through the rules up to this one; each part through the rest.
LAST_GRAPH_RULE = "G101"
_BUILTINS = set(dir(builtins)) | {"__file__", "__name__", "__doc__", "__spec__", "__path__", "__package__"}


def split_rules(rules: Sequence[RuleEntry]) -> tuple[tuple[RuleEntry, ...], tuple[RuleEntry, ...]] | None:
    """(the rules the common module goes through, the rules after them); None when
    G101 is not selected (nothing converts a graph: nothing to do together)."""
    codes = [rule.code for rule in rules]
    if LAST_GRAPH_RULE not in codes:
        return None
    end = codes.index(LAST_GRAPH_RULE) + 1
    return tuple(rules[:end]), tuple(rules[end:])


@dataclass
class Start:
    """Where one file's migration starts: its part of the common module after each rule
    that changed it, the findings at lines of those stages, and the rules still to run."""

    source: bytes  # the file as it was read together with the others
    codes: list[str]
    rules: list[str]
    findings: list[tuple[int, list[Finding]]]  # (stage: 0 is the file as it was, findings)
    converted: bool
    rest: tuple[RuleEntry, ...]


@dataclass
class Decision:
    """For each file of a cluster: where its migration starts (absent: alone), and for
    a script migrated alone, why."""

    starts: dict[str, Start] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


class NotTogether(Exception):
    """Why a group cannot be converted as one module."""


# -- deciding a cluster ------------------------------------------------------------------


def decide(
    members: Sequence[str], facts: dict[str, ProjectFacts], sources: dict[str, bytes], rules: Sequence[RuleEntry],
) -> Decision:
    """Which files of the cluster ``members`` start from a group's common module."""
    split = split_rules(rules)
    groups = sorted((group for m in members if (group := facts[m].group) is not None), key=lambda g: g.script)
    decision = Decision()
    if split is None:
        return decision
    prefix, rest = split
    converted: dict[str, _Converted] = {}
    parsed: dict[str, cst.Module] = {}  # the groups of a cluster share helper modules
    for group in groups:
        try:
            converted[group.script] = _convert(group, sources, facts, prefix, parsed)
        except NotTogether as exc:
            decision.notes[group.script] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a bug here must not stop the run: each file alone
            decision.notes[group.script] = f"internal error reading them together ({type(exc).__name__}: {exc})"
    helpers = sorted({h.path for g in groups for h in g.helpers})
    alone: dict[str, _Alone] = {}
    for path in helpers:
        changed = {c.parts[path].final for c in converted.values() if path in c.parts}
        # A module no group changes needs no comparison with itself alone.
        if any(code != sources[path].decode("utf-8", "surrogateescape") for code in changed):
            alone[path] = _alone(path, sources[path], facts[path], prefix)
    beside: dict[str, _Beside] = {}
    # Groups that need a helper module other than as it is elsewhere are dropped, until
    # every helper module has one form.
    while True:
        dropped = False
        for path in helpers:
            if path not in alone:
                continue
            needs = {
                script: c.parts[path].final for script, c in converted.items() if path in c.parts
            }
            users = {g.script for g in groups if any(h.path == path for h in g.helpers)}
            # An importer that never reads the names it takes needs them only bound.
            unread = {i for i, names in facts[path].unread_by if all(_binds(code, names) for code in needs.values())}
            others = [i for i in facts[path].imported_by if i not in users and i not in unread]
            others += [s for s in users if s not in converted]
            forms = set(needs.values()) | ({alone[path].code} if others else set())
            beside.pop(path, None)
            if len(forms) <= 1:
                continue
            # The groups only turned functions into classes: the module keeps its functions
            # (as alone) with each class beside its function, for each importer what it uses.
            found = _beside(alone[path].code, [
                (needs[script], converted[script].parts[script].final) for script in sorted(needs)
            ])
            if found is not None:
                beside[path] = found
                continue
            for script in sorted(needs):
                if needs[script] == alone[path].code:
                    continue
                who = others[0] if others else next(s for s in sorted(needs) if needs[s] != needs[script])
                decision.notes[script] = (
                    f"{_name(path)} would change with it, but {_name(who)} imports it too and needs it otherwise"
                )
                del converted[script]
                dropped = True
        if not dropped:
            break
    for script, done in converted.items():
        decision.starts[script] = done.parts[script].start(sources[script], done.converted, rest)
    for path in helpers:
        owner = next((c for c in converted.values() if path in c.parts and c.parts[path].codes), None)
        if path in beside:
            decision.starts[path] = alone[path].beside(sources[path], beside[path], rest)
        elif owner is not None and path in alone and owner.parts[path].final != alone[path].code:
            decision.starts[path] = owner.parts[path].start(sources[path], owner.converted, rest)
    return decision


def _binds(code: str, names: Sequence[str]) -> bool:
    """The module ``code`` binds each of ``names`` at its top level."""
    try:
        bound = _top_bindings(cst.parse_module(code))
    except cst.ParserSyntaxError:
        return False
    return all(name in bound for name in names)


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass
class _Alone:
    """A helper module after the rules up to G101 when it is migrated on its own: its code,
    and the stages and findings on the way (as ``_Part``)."""

    code: str
    part: _Part | None = None

    def beside(self, source: bytes, found: _Beside, rest: tuple[RuleEntry, ...]) -> Start:
        """Where the module's migration starts when it keeps its functions and gets the
        groups' classes beside them: its stages alone, then that form (by G101)."""
        assert self.part is not None
        start = self.part.start(source, True, rest)
        start.codes.append(found.code)
        start.rules.append(LAST_GRAPH_RULE)
        start.findings.append((len(start.codes), found.findings))
        return start


@dataclass
class _Beside:
    code: str
    findings: list[Finding]


def _alone(path: str, source: bytes, facts: ProjectFacts, prefix: Sequence[RuleEntry]) -> _Alone:
    """The module after the rules up to G101 when it is migrated on its own."""
    try:
        module = parse_source(source)
        stages = [module]
        stage_rules: list[str] = []
        staged: list[tuple[int, list[Finding]]] = []
        scratch = _scratch(source, facts)
        apply_rules(stages, stage_rules, staged, [r for r in prefix if r.applies_to(source)], path, scratch, {})
    except Exception:  # noqa: BLE001 - then no group can agree with it
        return _Alone("<the module cannot be migrated alone>")
    part = _Part([stage.code for stage in stages[1:]], stage_rules, staged, stages[-1].code)
    return _Alone(stages[-1].code, part)


def _beside(alone: str, needed: Sequence[tuple[str, str]]) -> _Beside | None:
    """The module as it is alone with, after each function that a group's form of it has
    as a ``tf.Module`` class, that class (``needed``: each group's form of the module and
    its script's part). None when a form differs from the module alone otherwise, but in
    functions neither its script nor the classes use, or two give one function different classes."""
    try:
        base = cst.parse_module(alone)
        forms = [(cst.parse_module(code), cst.parse_module(script)) for code, script in needed]
    except cst.ParserSyntaxError:
        return None
    taken = set(_top_bindings(base))
    classes: dict[str, cst.ClassDef] = {}  # function name -> its class
    used: set[str] = set()  # names the scripts read
    unused: set[str] = set()  # functions a group changed otherwise: kept as alone if it does not use them
    for form, script in forms:
        used |= names_read(script)
        ours = [base.code_for_node(stmt) for stmt in base.body]
        theirs = [form.code_for_node(stmt) for stmt in form.body]
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes():
            if tag == "equal":
                continue
            if tag != "replace" or i2 - i1 != j2 - j1:
                return None
            for old, new in zip(base.body[i1:i2], form.body[j1:j2]):
                if isinstance(old, cst.FunctionDef) and isinstance(new, cst.FunctionDef) and old.name.value == new.name.value:
                    unused.add(old.name.value)
                    continue
                if not (isinstance(old, cst.FunctionDef) and isinstance(new, cst.ClassDef)):
                    return None
                name = old.name.value
                if name in classes and not classes[name].deep_equals(new) or new.name.value in taken - {name}:
                    return None
                classes[name] = new
    if not classes or unused & (used | {name for c in classes.values() for name in names_read(c)}):
        return None
    body: list[cst.BaseStatement] = []
    for stmt in base.body:
        body.append(stmt)
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in classes:
            body.append(classes[stmt.name.value])
    module = base.with_changes(body=body)
    code = module.code
    findings = []
    for name, new in classes.items():
        line = code[: code.index(f"class {new.name.value}(")].count("\n") + 1
        findings.append(Finding(LAST_GRAPH_RULE, line, 0, (
            f"`{name}` creates variables at each call: tf.Module class `{new.name.value}` added beside it for the "
            "script converted with this module (another module of the project still imports the function)"
        ), "converted"))
    return _Beside(code, findings)


def _scratch(source: bytes, facts: ProjectFacts | None) -> dict[str, object]:
    scratch: dict[str, object] = {SCRATCH_HAS_SUPPRESSIONS: any(word in source for word in (b"noqa", b"NOQA", b"migrator:"))}
    set_project_facts(scratch, facts)
    return scratch


# -- one group -------------------------------------------------------------------------


@dataclass
class _Part:
    """One file's part of a group's common module, stage by stage."""

    codes: list[str] = field(default_factory=list)  # after each rule that changed it
    rules: list[str] = field(default_factory=list)
    findings: list[tuple[int, list[Finding]]] = field(default_factory=list)
    final: str = ""

    def start(self, source: bytes, converted: bool, rest: tuple[RuleEntry, ...]) -> Start:
        return Start(source, list(self.codes), list(self.rules), list(self.findings), converted, rest)


@dataclass
class _Converted:
    parts: dict[str, _Part]
    converted: bool


def _convert(
    group: Group, sources: dict[str, bytes], facts: dict[str, ProjectFacts], prefix: Sequence[RuleEntry],
    parsed: dict[str, cst.Module],
) -> _Converted:
    """The group through ``prefix`` as one module, cut into its files' parts (``parsed``:
    the files parsed so far, by path)."""

    def parse(path: str) -> cst.Module:
        if path not in parsed:
            parsed[path] = parse_source(sources[path])
        return parsed[path]

    try:
        script = parse(group.script)
        helpers = [(helper, parse(helper.path)) for helper in group.helpers]
    except (cst.ParserSyntaxError, RecursionError) as exc:
        raise NotTogether(f"a file of the group does not parse ({exc})") from None
    layout = _Layout(group, script, helpers)
    merged = layout.merge()
    data = merged.code.encode(merged.encoding)
    stages = [merged]
    stage_rules: list[str] = []
    staged: list[tuple[int, list[Finding]]] = []
    scratch = _scratch(data, facts[group.script])
    try:
        apply_rules(stages, stage_rules, staged, [r for r in prefix if r.applies_to(data)], group.script, scratch, {})
    except RuleFailure as failure:
        raise NotTogether(f"rule {failure.code} failed on the modules read together") from None
    outcome = graph_outcome(scratch)
    if not outcome.converted:
        raise NotTogether(
            f"read together with {layout.helper_names()}, the program is still not converted"
            + (f": {outcome.reason}" if outcome.reason else "")
        )
    pieces = [layout.split(stage) for stage in stages]
    layout.check(pieces[-1])
    parts = {path: _Part() for path in layout.paths()}
    # Each stage of the common module: which stage of each file's part it is.
    stage_of: list[dict[str, int]] = []
    previous = pieces[0].codes()
    current = {path: 0 for path in parts}
    for index, piece in enumerate(pieces):
        codes = piece.codes()
        if index:
            for path, code in codes.items():
                if code != previous[path]:
                    parts[path].codes.append(code)
                    parts[path].rules.append(stage_rules[index - 1])
                    current[path] += 1
        stage_of.append(dict(current))
        previous = codes
    for index, findings in staged:
        by_file: dict[str, list[Finding]] = {}
        for finding in findings:
            path, line = pieces[index].locate(finding.line)
            by_file.setdefault(path, []).append(
                Finding(finding.rule, line, finding.col, finding.message, finding.kind)
            )
        for path, found in by_file.items():
            parts[path].findings.append((stage_of[index][path], found))
    for path, code in pieces[-1].codes().items():
        parts[path].final = code
    return _Converted(parts, outcome.converted)


def _marker(kind: str, index: int) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(f"__migrator_{kind}_{index}__"))], cst.Name("None"))])


def _marker_of(stmt: cst.CSTNode) -> tuple[str, int] | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        targets = stmt.body[0].targets
        if len(targets) == 1 and isinstance(targets[0].target, cst.Name):
            name = targets[0].target.value
            for kind in ("begin", "end"):
                prefix = f"__migrator_{kind}_"
                if name.startswith(prefix) and name.endswith("__") and name[len(prefix):-2].isdigit():
                    return kind, int(name[len(prefix):-2])
    return None


class _Layout:
    """How a group's files make one module, and how a stage of it is cut back into files."""

    def __init__(self, group: Group, script: cst.Module, helpers: list[tuple[Helper, cst.Module]]) -> None:
        self.group = group
        self.script = script
        self.helpers = helpers
        self.imports: list[int] = []  # the script's statement importing each helper
        self.names: list[list[str] | None] = []  # the names it imports (None: a star import or the module)
        for helper, module in helpers:
            self._read_import(helper)
            self._check_names(helper, module)

    def paths(self) -> list[str]:
        return [self.group.script, *(helper.path for helper, _ in self.helpers)]

    def helper_names(self) -> str:
        return ", ".join(_name(helper.path) for helper, _ in self.helpers)

    def _read_import(self, helper: Helper) -> None:
        found = [
            position for position, stmt in enumerate(self.script.body)
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and _imports_helper(stmt.body[0], helper)
        ]
        where = _name(helper.path)
        nested = sum(1 for node in nodes_of(self.script, (cst.Import, cst.ImportFrom)) if _imports_helper(node, helper, True))
        if len(found) != 1 or nested != 1:
            raise NotTogether(f"the script imports {where} in more than one statement, or in a function")
        statement = self.script.body[found[0]]
        node = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        names: list[str] | None = None
        if helper.alias:
            uses = _Uses(helper.alias)
            walk(self.script, uses)
            if uses.other:
                raise NotTogether(f"the script uses the module object {helper.alias} other than as `{helper.alias}.name`")
        elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            names = []
            for alias in node.names:
                if alias.asname is not None:
                    raise NotTogether(f"the script imports a name of {where} under another name")
                names.append(_dotted(alias.name))
        self.imports.append(found[0])
        self.names.append(names)

    def _check_names(self, helper: Helper, module: cst.Module) -> None:
        """Merged, the helper's top-level names are the script's: none may mean
        something else there (except the same import in both)."""
        where = _name(helper.path)
        mine = _top_bindings(module)
        if any(origin == "*" for origin in mine.values()):
            raise NotTogether(f"{where} star-imports another module")
        if self.group.foreign_stars:
            raise NotTogether(f"the script star-imports {self.group.foreign_stars[0]}, whose names are not known")
        theirs = _top_bindings(self.script, skip=self.imports[-1])
        if helper.alias:
            # Its names become the script's wherever the script reads them as `alias.name`:
            # the script may bind or read none of them itself.
            names = _Names()
            walk(self.script, names)
            taken = {
                name for name in (names.read | names.bound) & set(mine)
                if mine[name] is None or theirs.get(name) != mine[name]  # the same import in both is one thing
            }
            if taken:
                raise NotTogether(f"`{sorted(taken)[0]}` means one thing in {where} and another in the script")
        for name in self.group.star_names:
            theirs.setdefault(name, "star")
        for other, module_other in self.helpers:
            if other is not helper:
                for name, origin in _top_bindings(module_other).items():
                    theirs.setdefault(name, origin)
        for name, origin in mine.items():
            if name in theirs and (origin is None or origin != theirs[name]):
                raise NotTogether(f"`{name}` means one thing in {where} and another in the script")

    def merge(self) -> cst.Module:
        body: list[cst.BaseStatement] = []
        where = {position: k for k, position in enumerate(self.imports)}
        for position, stmt in enumerate(self.script.body):
            if position in where:
                k = where[position]
                body += [_marker("begin", k), *self.helpers[k][1].body, _marker("end", k)]
            else:
                unqualified: cst.BaseStatement = stmt
                for helper, _ in self.helpers:
                    if helper.alias:
                        unqualified = cast(cst.BaseStatement, transform(unqualified, _Unqualify(helper.alias)))
                body.append(unqualified)
        return self.script.with_changes(body=body)

    def split(self, module: cst.Module) -> _Pieces:
        """A stage of the common module cut into the files' parts (``NotTogether`` when
        the markers are not where they were put)."""
        body = list(module.body)
        seen: dict[tuple[str, int], int] = {}
        for position, stmt in enumerate(body):
            marker = _marker_of(stmt)
            if marker is not None:
                if marker in seen:
                    raise NotTogether("the conversion moved code between the modules")
                seen[marker] = position
        regions: dict[int, tuple[int, int]] = {}
        for k in range(len(self.helpers)):
            begin, end = seen.get(("begin", k)), seen.get(("end", k))
            if begin is None or end is None or end < begin:
                raise NotTogether("the conversion moved code between the modules")
            regions[k] = (begin, end)
        spans = sorted(regions.values())
        if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
            raise NotTogether("the conversion moved code between the modules")
        # (file, statement position in its part) of each statement of the stage.
        owners: list[tuple[str, int]] = []
        script_body: list[cst.BaseStatement] = []
        helper_bodies: list[list[cst.BaseStatement]] = [[] for _ in self.helpers]
        import_positions: dict[int, int] = {}
        inside: int | None = None
        carried: list[cst.EmptyLine] = []
        for stmt in body:
            marker = _marker_of(stmt)
            if marker is not None and marker[0] == "begin":
                inside = marker[1]
                import_stmt = self.script.body[self.imports[inside]]
                import_positions[inside] = len(script_body)
                script_body.append(import_stmt.with_changes(
                    leading_lines=[*stmt.leading_lines, *import_stmt.leading_lines]))
                owners.append((self.group.script, len(script_body) - 1))
            elif marker is not None:
                owners.append((self.group.script, len(script_body) - 1))
                inside = None
                carried = list(stmt.leading_lines)
            elif inside is not None:
                helper_bodies[inside].append(stmt)
                owners.append((self.helpers[inside][0].path, len(helper_bodies[inside]) - 1))
            else:
                if carried:
                    stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
                    carried = []
                script_body.append(stmt)
                owners.append((self.group.script, len(script_body) - 1))
        helper_modules = [
            original.with_changes(body=part) for (_, original), part in zip(self.helpers, helper_bodies)
        ]
        for k, part in enumerate(helper_modules):
            position = import_positions[k]
            importing = script_body[position]
            assert isinstance(importing, cst.SimpleStatementLine)
            where = _name(self.helpers[k][0].path)
            renamed, added = _align(self.helpers[k][1], part, where)
            provided = _top_bindings(part)
            free = _free([s for s in script_body if s is not importing]) - set(self.group.star_names)
            needed = [name for name in provided if name in free]
            if set(needed) & added:
                raise NotTogether(f"the conversion put code the script needs into {where}")
            alias = self.helpers[k][0].alias
            if alias:
                # What the script reads of the module's names is read through the module again.
                script_body = [
                    s if s is importing else cast(cst.BaseStatement, transform(s, _Qualify(alias, set(needed))))
                    for s in script_body
                ]
            else:
                script_body[position] = self._import(importing, k, needed, renamed, provided)
        return _Pieces(self, module, module.with_changes(body=script_body), helper_modules, owners)

    def _import(
        self, stmt: cst.SimpleStatementLine, k: int, needed: list[str], renamed: dict[str, str],
        provided: dict[str, str | None],
    ) -> cst.SimpleStatementLine:
        """The script's import of helper ``k``, naming what its part now needs of it."""
        node = stmt.body[0]
        assert isinstance(node, cst.ImportFrom)
        names = self.names[k]
        where = _name(self.helpers[k][0].path)
        if names is None:
            if "__all__" in provided or any(name.startswith("_") for name in needed):
                raise NotTogether(f"the star import of {where} would not bring what the script needs")
            return stmt
        listed: list[str] = []
        for name in names:
            new = name if name in provided else renamed.get(name)
            if new is not None and new in needed and new not in listed:
                listed.append(new)
        listed += [name for name in needed if name not in listed]
        if listed == names:
            return stmt
        if not listed:
            raise NotTogether(f"the script would import nothing of {where}")
        aliases = [cst.ImportAlias(cst.Name(name)) for name in listed]
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        aliases = [a.with_changes(comma=comma) for a in aliases[:-1]] + [aliases[-1]]
        return stmt.with_changes(body=[node.with_changes(names=aliases, lpar=None, rpar=None)])

    def check(self, pieces: _Pieces) -> None:
        """No part of the last stage reads a name it does not have."""
        for (helper, original), part in zip(self.helpers, pieces.helpers):
            new = _free(part.body) - _free(original.body)
            if new:
                raise NotTogether(f"the converted {_name(helper.path)} would read `{sorted(new)[0]}`, which it does not define")
        starred = {
            name for names, part in zip(self.names, pieces.helpers) if names is None
            for name in _top_bindings(part) if not name.startswith(("_", "*"))
        }
        new = _free(pieces.script.body) - _free(self.script.body) - starred
        if new:
            raise NotTogether(f"the converted script would read `{sorted(new)[0]}`, which it does not define or import")


class _Pieces:
    """One stage of the common module, cut into the files' parts."""

    def __init__(self, layout: _Layout, module: cst.Module, script: cst.Module, helpers: list[cst.Module],
                 owners: list[tuple[str, int]]) -> None:
        self.layout = layout
        self.module = module
        self.script = script
        self.helpers = helpers
        self.owners = owners

    def modules(self) -> dict[str, cst.Module]:
        return dict(zip(self.layout.paths(), [self.script, *self.helpers]))

    def codes(self) -> dict[str, str]:
        return {path: module.code for path, module in self.modules().items()}

    @functools.cached_property
    def _lines(self) -> dict[str, list[tuple[int, int]]]:
        """Where each top-level statement is, in the common module ("") and in each part."""
        lines = {path: _statement_lines(module) for path, module in self.modules().items()}
        lines[""] = _statement_lines(self.module)
        return lines

    def locate(self, line: int) -> tuple[str, int]:
        """The file and line of line ``line`` of the common module at this stage."""
        for index, (first, count) in enumerate(self._lines[""]):
            if first <= line < first + count:
                path, position = self.owners[index]
                start, length = self._lines[path][position]
                return path, start + min(line - first, max(length - 1, 0))
        return self.layout.group.script, min(line, max(self.script.code.count("\n"), 1))


def _statement_lines(module: cst.Module) -> list[tuple[int, int]]:
    """(first line, number of lines) of each top-level statement, leading lines included."""
    line = 1 + sum(module.code_for_node(empty).count("\n") for empty in module.header)
    found = []
    for stmt in module.body:
        count = module.code_for_node(stmt).count("\n")
        found.append((line, count))
        line += count
    return found


# -- names -------------------------------------------------------------------------------


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _imports_helper(node: cst.CSTNode, helper: Helper, any_form: bool = False) -> bool:
    """``node`` is the statement importing ``helper`` as the index found it (with
    ``any_form``: imports the module in any way)."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else None
            local = bound.value if isinstance(bound, cst.Name) else _dotted(alias.name)
            if _dotted(alias.name) == helper.module and (any_form or (len(node.names) == 1 and local == helper.alias)):
                return True
        return False
    if not isinstance(node, cst.ImportFrom) or len(node.relative) != helper.level:
        return False
    module = _dotted(node.module) if node.module is not None else ""
    submodule = not isinstance(node.names, cst.ImportStar) and any(
        _dotted(a.name) == helper.name for a in node.names
    )
    if helper.name:
        if module != helper.module or not submodule:
            return False
        if any_form:
            return True
        only = node.names[0] if not isinstance(node.names, cst.ImportStar) and len(node.names) == 1 else None
        bound = only.asname.name if only is not None and only.asname is not None else None
        local = bound.value if isinstance(bound, cst.Name) else helper.name
        return only is not None and local == helper.alias
    return module == helper.module and not helper.alias


class _Uses(ReadNamesVisitor):
    """Reads of ``alias`` other than ``alias.name``."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.other = False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Name) and node.value.value == self.alias:
            return False
        walk(node.value, self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.alias:
            self.other = True


class _Unqualify(cst.CSTTransformer):
    """``alias.name`` -> ``name``: the helper module's code is in the script."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        if isinstance(original_node.value, cst.Name) and original_node.value.value == self.alias:
            return cst.Name(original_node.attr.value, lpar=original_node.lpar, rpar=original_node.rpar)
        return updated_node


class _Qualify(cst.CSTTransformer):
    """``name`` -> ``alias.name`` where the script reads one of the helper module's names."""

    def __init__(self, alias: str, names: set[str]) -> None:
        self.alias = alias
        self.names = names

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return True

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if original_node.value in self.names:
            return cst.Attribute(cst.Name(self.alias), cst.Name(original_node.value), lpar=original_node.lpar,
                                 rpar=original_node.rpar)
        return updated_node


def _top_bindings(module: cst.Module, skip: int | None = None) -> dict[str, str | None]:
    """Names the module's top level binds: imports with what they import ("*" for a star
    import's module), anything else with None. ``skip``: a statement left out."""
    found: dict[str, str | None] = {}

    def bind(name: str, origin: str | None) -> None:
        if name in found and found[name] != origin:
            found[name] = None
        else:
            found[name] = origin

    def walk(statements: Sequence[cst.CSTNode]) -> None:
        for stmt in statements:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                bind(stmt.name.value, None)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Import):
                        for alias in small.names:
                            full = _dotted(alias.name)
                            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                                bind(alias.asname.name.value, f"import {full}")
                            else:
                                bind(full.split(".")[0], f"import {full.split('.')[0]}")
                    elif isinstance(small, cst.ImportFrom):
                        source = "." * len(small.relative) + (_dotted(small.module) if small.module else "")
                        if isinstance(small.names, cst.ImportStar):
                            bind(f"*{source}", "*")
                            continue
                        for alias in small.names:
                            name = _dotted(alias.name)
                            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                            bind(local, f"from {source} import {name}")
                    else:
                        for name in _bound_by(small):
                            bind(name, None)
            elif isinstance(stmt, cst.BaseCompoundStatement):
                for name in _bound_by_header(stmt):
                    bind(name, None)
                for block in _blocks(stmt):
                    walk(block)

    walk([s for i, s in enumerate(module.body) if i != skip])
    return found


def _blocks(stmt: cst.BaseCompoundStatement) -> list[Sequence[cst.CSTNode]]:
    """The statement lists of a compound statement's blocks (``elif`` / ``else`` /
    ``except`` / ``finally`` included)."""
    blocks: list[Sequence[cst.CSTNode]] = []
    for child in stmt.children:
        if isinstance(child, cst.IndentedBlock):
            blocks.append(child.body)
        elif isinstance(child, cst.If):
            blocks.extend(_blocks(child))
        elif isinstance(child, (cst.Else, cst.Finally, cst.ExceptHandler)) and isinstance(child.body, cst.IndentedBlock):
            blocks.append(child.body.body)
    return blocks


def _bound_by_header(stmt: cst.BaseCompoundStatement) -> list[str]:
    if isinstance(stmt, cst.For):
        return assigned_names(stmt.target)
    if isinstance(stmt, cst.With):
        return [n for item in stmt.items if item.asname is not None for n in assigned_names(item.asname.name)]
    return []


def _bound_by(small: cst.BaseSmallStatement) -> list[str]:
    if isinstance(small, cst.Assign):
        return [n for target in small.targets for n in assigned_names(target.target)]
    if isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        return assigned_names(small.target)
    return []


def _free(statements: Sequence[cst.CSTNode]) -> set[str]:
    """Names the statements read that nothing in them binds (builtins left out): what
    they need from elsewhere. Scopes are not told apart: a name bound anywhere counts."""
    collector = _Names()
    for stmt in statements:
        walk(stmt, collector)
    return collector.read - collector.bound - _BUILTINS


class _Names(ReadNamesVisitor):
    def __init__(self) -> None:
        self.read: set[str] = set()
        self.bound: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.read.add(node.value)

    def visit_Param(self, node: cst.Param) -> bool:
        self.bound.add(node.name.value)
        for part in (node.annotation, node.default):
            if part is not None:
                walk(part, self)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.bound.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.bound.add(node.name.value)

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            full = _dotted(alias.name)
            asname = alias.asname.name if alias.asname is not None else None
            self.bound.add(asname.value if isinstance(asname, cst.Name) else full.split(".")[0])
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                asname = alias.asname.name if alias.asname is not None else None
                self.bound.add(asname.value if isinstance(asname, cst.Name) else _dotted(alias.name))
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.bound.update(assigned_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.bound.update(assigned_names(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bound.update(assigned_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self.bound.update(assigned_names(node.target))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.bound.update(assigned_names(node.target))

    def visit_AsName(self, node: cst.AsName) -> None:
        self.bound.update(assigned_names(node.name) if isinstance(node.name, cst.BaseExpression) else [])

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bound.update(assigned_names(node.target))

    def visit_Global(self, node: cst.Global) -> bool:
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        return False


def _align(original: cst.Module, part: cst.Module, where: str) -> tuple[dict[str, str], set[str]]:
    """How the helper module's top level changed: its functions now named otherwise at the
    same place (``fc_layer`` -> its class ``FcLayer``), and the names of the definitions the
    conversion added (a TF1 RNN cell class). Statements changed in place are paired in
    order; only imports may go (unused once converted: ``tensorflow.contrib``)."""
    renamed: dict[str, str] = {}
    added: set[str] = set()
    keys = [[_key(original, stmt) for stmt in module.body] for module in (original, part)]
    matcher = SequenceMatcher(None, keys[0], keys[1], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        gone, new = list(original.body[i1:i2]), list(part.body[j1:j2])
        gone_defs = [s for s in gone if isinstance(s, (cst.FunctionDef, cst.ClassDef))]
        new_defs = [s for s in new if isinstance(s, (cst.FunctionDef, cst.ClassDef))]
        gone_rest = [s for s in gone if s not in gone_defs and not _is_import(s)]
        new_rest = [s for s in new if s not in new_defs]
        if len(gone_defs) > len(new_defs) or len(gone_rest) > len(new_rest):
            raise NotTogether(f"the conversion removed top-level code of {where}")
        # Definitions replaced in place are the last ones of the block: those added come first
        # (a class a rule inserts before the code that uses it).
        for old_def, new_def in zip(gone_defs, new_defs[len(new_defs) - len(gone_defs):]):
            if old_def.name.value != new_def.name.value:
                renamed[old_def.name.value] = new_def.name.value
        added |= {d.name.value for d in new_defs[: len(new_defs) - len(gone_defs)]}
        added |= {n for stmt in new_rest[len(gone_rest):] for n in _top_bindings(cst.Module(body=[stmt]))}
    return renamed, added


def _key(module: cst.Module, stmt: cst.CSTNode) -> str:
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return f"def {stmt.name.value}"
    return module.code_for_node(stmt).strip()


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)
