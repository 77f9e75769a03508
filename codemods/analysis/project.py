"""A cheap project-level view of a tree: its modules, who imports whom, its entry scripts.

The engine indexes a tree once per run, before any file is rewritten (``index_project``),
and hands each file's ``ProjectFacts`` to the rules through the scratch of the LibCST
``CodemodContext`` (``set_project_facts`` / ``project_facts``); the result cache keys a
file's result by them too (``ProjectFacts.cache_key``). Rules use it where a file's right rewrite
depends on the others: a module that other modules import must never switch the whole
process to graph mode (``tf.compat.v1.disable_v2_behavior()``); its entry scripts do.

Indexing reads every Python file once with regular expressions (no parser): imports at any depth
(``import pkg.mod``, ``from pkg import mod``, ``from . import x``, ``from ..a import b``)
are resolved against the tree's own files; the rest (the standard library, TensorFlow)
are ignored. Entry scripts: a ``__main__`` guard, the files the caller names (the
command's script, notebooks), and modules nothing imports whose top level runs code.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

SCRATCH_KEY = "project.facts"
CONSULTED_KEY = "project.consulted"  # a rule read the facts: the result depends on all of them


@dataclass(frozen=True)
class ProjectFacts:
    """What one file is in its tree (paths are the tree's own spelling of them)."""

    path: str
    # Modules of the tree that import this one (directly).
    imported_by: tuple[str, ...] = ()
    # Modules of the tree this one imports (directly).
    imports: tuple[str, ...] = ()
    # Importers that take names from this module (``from text_cnn import TextCNN``) and
    # never read them, with those names: only the names must stay (eval.py importing the
    # model class it restores from a checkpoint instead).
    unread_by: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Run as a program: ``if __name__ == "__main__":``, code at the top level of a module no
    # other module imports (a tutorial's script), a notebook, or named by the project's command.
    entry_point: bool = False
    # Entry scripts of the tree that import this module, directly or through others.
    entry_points: tuple[str, ...] = ()
    # Modules this entry script imports (directly or not) that were kept on tf.compat.v1
    # in graph mode, each with the reason: the script must switch the process to graph mode.
    graph_mode_imports: tuple[tuple[str, str], ...] = ()
    # The files converted together with this one (its cluster: scripts running a graph
    # that helper modules of the tree build, and those modules, ``groups``), and a digest
    # of their text and of how they import each other: what this file's result depends on.
    together: tuple[str, ...] = ()
    together_key: str = ""
    # Why this script was not converted together with the modules it imports (derived
    # from the cluster, by the engine: not part of the cache key, which ``together_key`` covers).
    together_note: str = ""
    # For a script of a group: the helper modules converted with it.
    group: Group | None = None
    # This module's functions that another module of the tree, written for TF 1 or Keras 2
    # (a NumPy 1 program), calls with zipped records as their first argument
    # (``data_helpers.batch_iter(list(zip(x, y)), ...)``): items that are tuples of values
    # whose shapes may differ (NumPy 1 made an object array of them, NumPy 2 raises).
    zipped_arguments: tuple[str, ...] = ()

    @property
    def is_library(self) -> bool:
        """Imported by other modules of the tree: a process-wide switch has no place here."""
        return bool(self.imported_by)

    @property
    def waits_for_imports(self) -> bool:
        """An entry script importing the tree's modules: migrated once they are, because
        whether it must switch to graph mode depends on how they were migrated."""
        return self.entry_point and not self.is_library and bool(self.imports)

    def cache_key(self, consulted: bool) -> str:
        """What a file's result depended on, for the result cache (a cached result goes
        stale when another file changes it): every fact when a rule read them
        (``consulted``: who imports it, the entry scripts reaching it), else what the
        engine itself decides by (whether the script waits for its imports, and which of
        them were kept in graph mode)."""
        if consulted:
            # dataclasses.astuple(replace(self, together_note="")), without its deep copies
            # (a call per file, twice, on every run; the text must stay the same).
            values = tuple(
                "" if f.name == "together_note" else
                dataclasses.astuple(value) if dataclasses.is_dataclass(value := getattr(self, f.name)) else value
                for f in dataclasses.fields(self)
            )
            return "facts " + repr(values)
        return "entry " + repr((self.waits_for_imports, self.graph_mode_imports, self.together_key))


def set_project_facts(scratch: dict, facts: ProjectFacts | None) -> None:
    if facts is not None:
        scratch[SCRATCH_KEY] = facts


def project_facts(scratch: dict) -> ProjectFacts | None:
    """This file's facts (from the rule context's scratch), or None when it was migrated
    on its own (standard input, an editor: no tree around it)."""
    scratch[CONSULTED_KEY] = True
    facts = scratch.get(SCRATCH_KEY)
    return facts if isinstance(facts, ProjectFacts) else None


# -- indexing ----------------------------------------------------------------------------


# Import statements at the start of a line (any indentation: imports inside functions
# count), read with a regular expression: ``ast`` on every file of a 442-file tree took
# seconds, this takes milliseconds. A docstring line that looks like an import can only
# add an edge to a file of the tree that really exists.
_IMPORT = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|(?:[^\n#;\\]|\\\n)+)"
    rb"|import[ \t]+((?:[^\n#;\\]|\\\n)+))",
    re.M,
)
_MAIN_GUARD = re.compile(
    rb"^if[ \t(]+(?:__name__[ \t]*==[ \t]*[\'\"]__main__[\'\"]|[\'\"]__main__[\'\"][ \t]*==[ \t]*__name__)", re.M
)
# A statement at a module's top level that runs something: a call, a loop, a `with`.
_RUNS_AT_TOP = re.compile(rb"^(?:(?:for|while|with|try)\b|[A-Za-z_][\w.]*[ \t]*\()", re.M)
_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _imports(source: bytes) -> list[tuple[int, str, tuple[str, ...]]]:
    """Each import statement: (relative level, module, names imported from it)."""
    imports: list[tuple[int, str, tuple[str, ...]]] = []
    for match in _IMPORT.finditer(source):
        dots, module, names, plain = (g.decode("utf-8", "replace") if g is not None else None for g in match.groups())
        if plain is not None:
            for part in plain.replace("\\\n", " ").split(","):
                name = part.split(" as ")[0].strip()
                if _NAME.fullmatch(name):
                    imports.append((0, name, ()))
        else:
            listed = (names or "").strip("()").replace("\\\n", " ")
            imported = tuple(
                word for word in (part.split(" as ")[0].strip() for part in listed.split(",")) if _NAME.fullmatch(word)
            )
            imports.append((len(dots or ""), module or "", imported))
    return imports


def _never_read(source: bytes, names: tuple[str, ...]) -> bool:
    """``from module import names`` (no alias, no star) whose names the file never
    mentions outside its import statements."""
    if "*" in names:
        return False
    statements, rest = _split_imports(source)
    for statement in statements:
        if any(re.search(rb"\b%s\s+as\b" % re.escape(name.encode()), statement) for name in names):
            return False  # read under its alias
    return not any(re.search(rb"\b%s\b" % re.escape(name.encode()), rest) for name in names)


@functools.lru_cache(maxsize=8)
def _split_imports(source: bytes) -> tuple[list[bytes], bytes]:
    """A file's import statements, and its text without them (asked once per import of the file)."""
    return [match.group(0) for match in _IMPORT.finditer(source)], _IMPORT.sub(b"", source)


class _Tree:
    """Where each module name can point, for one set of files."""

    def __init__(self, files: Iterable[str]):
        self.files = {os.path.normpath(os.path.abspath(f)): f for f in files}

    def module_file(self, folder: str, dotted: str) -> str | None:
        """The tree's file for ``dotted`` looked up under ``folder`` (module or package)."""
        base = os.path.join(folder, *dotted.split(".")) if dotted else folder
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if candidate in self.files:
                return candidate
        return None


def _folders(tree: _Tree, path: str, top: str, level: int) -> tuple[str, ...]:
    """Where an import statement in ``path`` looks for modules, in order."""
    if level:
        folder = os.path.dirname(path)
        for _ in range(level - 1):
            folder = os.path.dirname(folder)
        return (folder,)
    # The script's own folder (first on sys.path when it runs), then the tree's top
    # folder and each one below it down to the script's (a source folder on sys.path).
    here = os.path.dirname(path)
    above = [here]
    while above[-1] != top and above[-1].startswith(os.path.join(top, "")):
        above.append(os.path.dirname(above[-1]))
    # A tree that is a package itself imports its modules by the package's name.
    while os.path.join(above[-1], "__init__.py") in tree.files:
        above.append(os.path.dirname(above[-1]))
    return tuple(dict.fromkeys([here, *reversed(above)]))


def _resolve(tree: _Tree, path: str, top: str, level: int, module: str, names: tuple[str, ...]) -> set[str]:
    """The tree's files an import statement in ``path`` loads."""
    found: set[str] = set()
    for folder in _folders(tree, path, top, level):
        target = tree.module_file(folder, module)
        hits: set[str] = set()
        if target is not None:
            hits.add(target)
            parts = module.split(".") if module else []
            # ``import a.b.c`` also runs a/__init__.py and a/b/__init__.py.
            for i in range(1, len(parts)):
                parent = tree.module_file(folder, ".".join(parts[:i]))
                if parent is not None:
                    hits.add(parent)
            if target.endswith("__init__.py"):
                package = os.path.dirname(target)
                for name in names:
                    sub = tree.module_file(package, name)
                    if sub is not None:
                        hits.add(sub)
        elif not module:
            for name in names:  # ``from . import x`` in a folder without __init__.py
                sub = tree.module_file(folder, name)
                if sub is not None:
                    hits.add(sub)
        if hits:
            found |= hits
            break
    return found


def index_project(
    sources: Mapping[str, bytes], entry_scripts: Iterable[str] = ()
) -> dict[str, ProjectFacts]:
    """Facts for every file of ``sources`` (path -> bytes), keyed by the given path.

    ``entry_scripts``: files a command runs (besides those with a ``__main__`` guard).
    """
    tree = _Tree(sources)
    absolute = {os.path.normpath(os.path.abspath(p)): p for p in sources}
    commanded = {os.path.normpath(os.path.abspath(p)) for p in entry_scripts}
    top = os.path.commonpath([os.path.dirname(p) for p in absolute]) if absolute else ""
    imports: dict[str, set[str]] = {}
    entries: set[str] = set()
    resolved: dict[tuple, frozenset[str]] = {}  # files of one folder share their lookups
    unread: dict[str, dict[str, set[str]]] = {}  # module -> importer -> names it imports and never reads
    for path, original in absolute.items():
        found: set[str] = set()
        read: set[str] = set()
        names_of: dict[str, set[str]] = {}
        for level, module, names in _imports(sources[original]):
            key = (os.path.dirname(path), level, module, names)
            if key not in resolved:
                resolved[key] = frozenset(_resolve(tree, path, top, level, module, names))
            found |= resolved[key]
            if names and resolved[key] and _never_read(sources[original], names):
                for target in resolved[key]:
                    names_of.setdefault(target, set()).update(names)
            else:
                read |= resolved[key]
        found.discard(path)
        imports[path] = found
        for target, names in names_of.items():
            if target not in read and target != path:
                unread.setdefault(target, {})[path] = names
        if _MAIN_GUARD.search(sources[original]) is not None or path in commanded:
            entries.add(path)
    entries |= commanded & set(absolute)
    imported_by: dict[str, set[str]] = {p: set() for p in absolute}
    for path, targets in imports.items():
        for target in targets:
            imported_by[target].add(path)
    # A script without a guard: code that runs at its top level, in a module nothing imports.
    entries |= {
        path for path in absolute
        if not imported_by[path] and os.path.basename(path) != "__init__.py"
        and _RUNS_AT_TOP.search(sources[absolute[path]]) is not None
    }
    reached_from: dict[str, set[str]] = {p: set() for p in absolute}
    for entry in entries:
        seen: set[str] = set()
        stack = list(imports[entry])
        while stack:
            module = stack.pop()
            if module in seen or module == entry:
                continue
            seen.add(module)
            stack.extend(imports[module])
        for module in seen:
            reached_from[module].add(entry)

    def names(paths: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(absolute[p] for p in paths))

    facts = {
        original: ProjectFacts(
            path=original,
            imported_by=names(imported_by[path]),
            imports=names(imports[path]),
            unread_by=tuple(sorted((absolute[i], tuple(sorted(n))) for i, n in unread.get(path, {}).items())),
            entry_point=path in entries,
            entry_points=names(reached_from[path]),
        )
        for path, original in absolute.items()
    }
    scans: dict[str, _ImporterScan] = {}  # each importer's text is scanned once, not once per module it imports

    def scan(importer: str) -> _ImporterScan:
        if importer not in scans:
            scans[importer] = _ImporterScan(sources[absolute[importer]])
        return scans[importer]

    for path, importers in imported_by.items():
        zipped = _zipped_arguments(path, [scan(i) for i in sorted(importers)], sources[absolute[path]])
        if zipped:
            facts[absolute[path]] = dataclasses.replace(facts[absolute[path]], zipped_arguments=zipped)
    builders: dict[str, bool] = {}  # helper candidates' texts, read once for all scripts
    groups = [
        group for path in absolute
        if not imported_by[path] and path.endswith(".py") and _RUNS_SESSION.search(sources[absolute[path]]) is not None
        for group in [_group(tree, path, top, sources, absolute, builders)] if group is not None
    ]
    for members, digest in _clusters(groups, sources, {f.path: f.imported_by for f in facts.values()}):
        for member in members:
            facts[member] = dataclasses.replace(facts[member], together=members, together_key=digest)
    for group in groups:
        facts[group.script] = dataclasses.replace(facts[group.script], group=group)
    return facts


# Signs of a TF 1 or Keras 2 program (a NumPy 1 program, then), read from its text.
_LEGACY = re.compile(rb"\b(?:Session|InteractiveSession|placeholder)[ \t]*\(|\bcontrib\.|^[ \t]*(?:from|import)[ \t]+keras\b", re.M)
# `name(list(zip(` or `name(zip(`: a call whose first argument is zipped records.
_ZIPPED_CALL = rb"(?<![\w.])%s\(\s*(?:list\(\s*)?zip\("


_ZIPPED_ATTRIBUTE_CALL = re.compile(_ZIPPED_CALL % rb"(\w+)\.(\w+)")
_ZIPPED_NAME_CALL = re.compile(_ZIPPED_CALL % rb"(\w+)")
_WORD = re.compile(rb"\w+")


class _ImporterScan:
    """What ``_zipped_arguments`` reads of an importer's text, whichever module it asks about."""

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.legacy = b"zip(" in text and _LEGACY.search(text) is not None
        if self.legacy:
            # `alias.f(zip(`: (alias, f) pairs; `f(zip(`: f.
            self.attribute_calls: dict[bytes, set[str]] = {}
            for alias, function in _ZIPPED_ATTRIBUTE_CALL.findall(text):
                self.attribute_calls.setdefault(alias, set()).add(function.decode())
            self.name_calls = {m.decode() for m in _ZIPPED_NAME_CALL.findall(text)}
            self.imports = _imports(text)

    def calls_through(self, alias: bytes) -> set[str]:
        """``f`` of each ``alias.f(zip(`` / ``alias.f(list(zip(``."""
        if _WORD.fullmatch(alias):
            return self.attribute_calls.get(alias, set())
        return {m.decode() for m in re.findall(_ZIPPED_CALL % (re.escape(alias) + rb"\.(\w+)"), self.text)}


def _zipped_arguments(path: str, importers: list[_ImporterScan], source: bytes) -> tuple[str, ...]:
    """The module's top-level functions that its TF 1 or Keras 2 importers call with zipped
    records as their first argument, as ``module.f(list(zip(...)))`` (``module`` its name or
    an alias of it) or ``f(zip(...))`` after ``from ... module import f``."""
    if not importers:
        return ()
    defined = {m.decode() for m in _DEFINED.findall(source)}
    if not defined:
        return ()
    name = os.path.splitext(os.path.basename(path))[0]
    if name == "__init__":
        name = os.path.basename(os.path.dirname(path))
    found: set[str] = set()
    for scan in importers:
        if not scan.legacy:
            continue
        aliases = {name.encode()} | set(re.findall(rb"\b%s[ \t]+as[ \t]+(\w+)" % re.escape(name.encode()), scan.text))
        for alias in aliases:
            found |= scan.calls_through(alias)
        named = {
            imported for _, module, names in scan.imports if module.rsplit(".", 1)[-1] == name
            for imported in names
        }
        found |= scan.name_calls & named
    return tuple(sorted(found & defined))


# -- modules converted together ------------------------------------------------------------


@dataclass(frozen=True)
class Helper:
    """A module of the tree that builds parts of a script's graph, and how the script
    imports it at its top level: names of it (``from <level dots><module> import names``),
    or the module object under ``alias`` (``import <module> [as alias]``, or ``from <level
    dots><module> import <name> [as alias]`` when ``name`` is a module of that package),
    used as ``alias.function(...)``."""

    path: str
    level: int
    module: str
    alias: str = ""
    name: str = ""


@dataclass(frozen=True)
class Group:
    """A script that opens a Session (nothing of the tree imports it) and the helper
    modules it imports whose functions or classes build its graph (create placeholders,
    variables or layers): converted as one module, each file keeping its own part
    (``migrator/together.py``)."""

    script: str
    helpers: tuple[Helper, ...]
    # Names the script's other star imports may bind (``from utils import *`` of a module
    # of the tree, read from its text), and the modules outside the tree it star-imports
    # (what they bind is not known).
    star_names: tuple[str, ...] = ()
    foreign_stars: tuple[str, ...] = ()


_RUNS_SESSION = re.compile(rb"\b(?:Session|InteractiveSession)[ \t]*\(")
# What a graph-building helper calls (TF1's names: a rule decides with the module parsed).
_BUILDS_GRAPH = re.compile(
    rb"\b(?:placeholder|placeholder_with_default|Variable|get_variable|variable_scope|dynamic_rnn|static_rnn"
    rb"|bidirectional_dynamic_rnn|fully_connected)[ \t]*\("
    rb"|\blayers\.[a-z_0-9]+[ \t]*\(|\w+Cell[ \t]*\("
)
_DEFINED = re.compile(rb"^(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_]\w*)", re.M)
_ASSIGNED = re.compile(rb"^([A-Za-z_]\w*)[ \t]*(?::|=(?!=))", re.M)
_TOP_IMPORT = re.compile(rb"^import[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?)[ \t]*(?:#.*)?$", re.M)
_TOP_FROM_IMPORT = re.compile(
    rb"^from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|(?:[^\n#;\\]|\\\n)+)", re.M
)


def _group(
    tree: _Tree, path: str, top: str, sources: Mapping[str, bytes], absolute: Mapping[str, str],
    builders: dict[str, bool] | None = None,
) -> Group | None:
    """``path``'s helper modules: those it imports at its top level (names of them, or the
    module object) that define a function or class it uses and call TF1's graph-building
    functions, without opening a Session themselves."""
    source = sources[absolute[path]]
    helpers: list[Helper] = []
    stars: list[tuple[str, str | None]] = []  # (spelling, the tree's file) of each star import

    def find(level: int, module: str) -> str | None:
        return next(
            (found for folder in _folders(tree, path, top, level)
             if (found := tree.module_file(folder, module)) is not None),
            None,
        )

    def helper(target: str | None, used: Callable[[set[str]], bool]) -> bool:
        """Whether ``target`` builds the script's graph."""
        if target is None or target == path or any(h.path == absolute[target] for h in helpers):
            return False
        text = sources[absolute[target]]
        builds = None if builders is None else builders.get(target)
        if builds is None:
            builds = _BUILDS_GRAPH.search(text) is not None and _RUNS_SESSION.search(text) is None
            if builders is not None:
                builders[target] = builds
        if not builds:
            return False
        return used({name.decode() for name in _DEFINED.findall(text)})

    def through(alias: str) -> Callable[[set[str]], bool]:
        """The script uses a definition as ``alias.name``."""
        return lambda defined: bool(defined & {m.decode() for m in re.findall(rb"\b%s\.(\w+)" % alias.encode(), source)})

    for match in _TOP_FROM_IMPORT.finditer(source):
        dots, module, listed = (g.decode("utf-8", "replace") for g in match.groups())
        parts = [part.split() for part in listed.strip("()").replace("\\\n", " ").split(",") if part.strip()]
        level = len(dots)
        if len(parts) == 1 and len(parts[0]) in (1, 3) and parts[0][0] != "*":
            # `from pkg import model [as m]`, where `model` is a module: its object.
            name, alias = parts[0][0], parts[0][-1]
            target = find(level, f"{module}.{name}" if module else name)
            if target is not None:
                if helper(target, through(alias)):
                    helpers.append(Helper(absolute[target], level, module, alias, name))
                continue
        if not module:
            continue
        target = find(level, module)
        star = parts == [["*"]]
        if star:
            stars.append((dots + module, target))
            used: Callable[[set[str]], bool] = lambda defined: any(
                re.search(rb"\b%s\b" % name.encode(), source) for name in defined
            )
        else:
            imported = {part[0] for part in parts if not _never_read(source, (part[0],))}
            used = lambda defined: bool(defined & imported)
        if helper(target, used):
            assert target is not None
            helpers.append(Helper(absolute[target], level, module))
    for match in _TOP_IMPORT.finditer(source):
        parts = match.group(1).decode("utf-8", "replace").split()
        if len(parts) == 1 and "." not in parts[0] or len(parts) == 3 and parts[1] == "as":
            target = find(0, parts[0])
            if helper(target, through(parts[-1])):
                assert target is not None
                helpers.append(Helper(absolute[target], 0, parts[0], parts[-1]))
    if not helpers:
        return None
    merged = {h.path for h in helpers}
    star_names = sorted({
        name for _, target in stars if target is not None and absolute[target] not in merged
        for name in _top_level_names(sources[absolute[target]])
    })
    foreign = tuple(spelling for spelling, target in stars if target is None)
    return Group(absolute[path], tuple(helpers), tuple(star_names), foreign)


def _top_level_names(source: bytes) -> set[str]:
    """What ``from module import *`` may bind, read from the module's text: its top-level
    definitions, assignments and imports."""
    names = {m.decode() for pattern in (_DEFINED, _ASSIGNED) for m in pattern.findall(source)}
    for match in _IMPORT.finditer(source):
        listed = (match.group(3) or match.group(4) or b"").decode("utf-8", "replace")
        for part in listed.strip("()").replace("\\\n", " ").split(","):
            words = part.split()
            if words:
                names.add(words[-1] if len(words) == 3 and words[1] == "as" else words[0].split(".")[0])
    return names


def _clusters(
    groups: list[Group], sources: Mapping[str, bytes], importers: Mapping[str, tuple[str, ...]]
) -> list[tuple[tuple[str, ...], str]]:
    """Groups sharing a helper module decide together: each cluster's files (the
    tree's spelling of their paths), and a digest of what the decision reads: their
    text, the groups, and who else imports them."""
    parent: dict[str, str] = {}

    def root(path: str) -> str:
        while parent.setdefault(path, path) != path:
            path = parent[path]
        return path

    for group in groups:
        for helper in group.helpers:
            parent[root(helper.path)] = root(group.script)
    members: dict[str, set[str]] = {}
    for path in list(parent):
        members.setdefault(root(path), set()).add(path)
    clusters = []
    for paths in members.values():
        digest = hashlib.blake2b(digest_size=16)
        for path in sorted(paths):
            digest.update(path.encode("utf-8", "surrogateescape") + b"\0" + sources[path] + b"\0")
            digest.update(repr(importers[path]).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(repr(sorted((g.script, g.helpers) for g in groups if g.script in paths)).encode())
        clusters.append((tuple(sorted(paths)), digest.hexdigest()))
    return clusters
