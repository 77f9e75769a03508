"""Jupyter notebooks (``.ipynb``): their code cells migrate as one program.

A TF 1 notebook builds its graph in one cell and runs a Session in another, so the
code cells are joined into one module (a marker comment before each), migrated once,
and split back at the markers. IPython syntax is masked first and restored after:
a line magic (``%matplotlib inline``), a shell escape (``!pip install``) or an assignment
from one (``files = !ls``) becomes ``pass  # <marker>`` at its indentation; a cell magic
(``%%bash``) cell is left out whole. Outputs, metadata and markdown cells are never
touched. The notebook is read with nbformat (which validates it) and written back only
when a cell changed, with whichever writer reproduces the file's own bytes (nbformat's,
or the file's key order and indentation), so an unchanged notebook stays byte-identical.
"""

from __future__ import annotations

import difflib
import io
import json
import re
import tokenize
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

SUFFIX = ".ipynb"
# A line magic or shell escape (also assigned: ``files = !ls``), or a help request
# (``tf.nn.conv2d?``): IPython syntax, not Python.
_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?:(?:[A-Za-z_][\w.]*\s*=\s*)?[!%]|\??[A-Za-z_][\w.]*\?{1,2}[ \t]*$)")
_CELL_MARKER = "# >>> migrator cell {} <<<"
_CELL_LINE = re.compile(r"^# >>> migrator cell (\d+) <<<$")
_MAGIC_MARKER = "pass  # >>> migrator magic {} <<<"
_MAGIC_LINE = re.compile(r"^([ \t]*)pass  # >>> migrator magic (\d+) <<<$")


class NotebookError(Exception):
    """A notebook that cannot be read, or whose migration cannot be split back."""


def is_notebook(path: str) -> bool:
    return path.endswith(SUFFIX)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _code_cells(notebook: dict) -> list[int]:
    """Indices of the code cells migrator may change (cell-magic cells are left out)."""
    return [
        i for i, cell in enumerate(notebook.get("cells", []))
        if cell.get("cell_type") == "code" and not _source(cell).lstrip().startswith("%%")
    ]


def parse(data: bytes) -> dict:
    """The notebook as plain JSON (key order kept), validated by nbformat."""
    import nbformat

    try:
        text = data.decode("utf-8")
        notebook = json.loads(text)
        nbformat.validate(nbformat.reads(text, as_version=nbformat.NO_CONVERT))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotebookError(f"not a notebook: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - nbformat's validation and reader errors
        raise NotebookError(f"not a valid notebook ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    if not isinstance(notebook, dict) or notebook.get("nbformat", 0) < 4:
        raise NotebookError("only nbformat 4 notebooks are migrated (open and save it in Jupyter to upgrade it)")
    return notebook


# -- one program from the cells -------------------------------------------------------


class Program:
    """The code cells of a notebook joined into one module, and the way back."""

    def __init__(self, notebook: dict) -> None:
        self.cells = _code_cells(notebook)
        self.magics: list[str] = []
        parts = []
        for index in self.cells:
            lines = _source(notebook["cells"][index]).split("\n")
            parts.append(_CELL_MARKER.format(index))
            continued = _continuation_lines(lines)
            parts.extend(line if n in continued else self._mask(line) for n, line in enumerate(lines, 1))
        self.text = "\n".join(parts) + "\n"
        self.starts = _starts(self.text)

    def _mask(self, line: str) -> str:
        found = _MAGIC.match(line)
        if found is None:
            return line
        self.magics.append(line)
        return found.group("indent") + _MAGIC_MARKER.format(len(self.magics) - 1)

    def split(self, text: str) -> dict[int, str]:
        """Cell index -> its new source; NotebookError when the markers did not survive."""
        sources: dict[int, list[str]] = {}
        current: list[str] | None = None
        restored = 0
        for line in text.split("\n"):
            marker = _CELL_LINE.match(line)
            if marker:
                current = sources.setdefault(int(marker.group(1)), [])
                continue
            magic = _MAGIC_LINE.match(line)
            if magic:
                line = self.magics[int(magic.group(2))]
                restored += 1
            if current is None:
                raise NotebookError("the migration moved code above the first cell; notebook left unchanged")
            current.append(line)
        order = [index for index in self.cells if index in sources]
        if list(sources) != order or restored != len(self.magics):
            raise NotebookError(
                "the migration moved code across cells or around an IPython magic; notebook left unchanged "
                "(convert it to a script with `jupyter nbconvert --to script` to migrate it)"
            )
        # A cell whose every statement the migration removed (dead graph code, a
        # graph-mode switch) lost its marker with them: it is left empty.
        last = order[-1] if order else None
        return {
            index: "\n".join(lines[:-1] if lines and index == last else lines)
            for index, lines in ((i, sources.get(i, [])) for i in self.cells)
        }

    def where(self, line: int) -> tuple[int, int]:
        """(cell number as Jupyter shows it, 1-based; line in the cell) of a program line."""
        return _where(self.starts, self.cells, line)


def _continuation_lines(lines: list[str]) -> set[int]:
    """Lines (1-based) that continue a statement (inside brackets or a multi-line string,
    or after a backslash): a ``%`` or ``!`` there is Python, not IPython syntax."""
    continued: set[int] = set()
    depth = 0
    seen: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            line = token.start[0]
            if line not in seen and token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                seen.add(line)
                if depth > 0 or (line > 1 and lines[line - 2].rstrip().endswith("\\")):
                    continued.add(line)
            if token.start[0] != token.end[0]:  # a multi-line string
                continued.update(range(token.start[0] + 1, token.end[0] + 1))
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(depth - 1, 0)
    except (tokenize.TokenError, SyntaxError):
        pass  # what was read so far still counts
    return continued


def _starts(text: str) -> list[int]:
    """Program line of each cell's first line."""
    return [i + 2 for i, line in enumerate(text.split("\n")) if _CELL_LINE.match(line)]


def _where(starts: list[int], cells: list[int], line: int) -> tuple[int, int]:
    position = 0
    for k, start in enumerate(starts):
        if start - 1 <= line:
            position = k
    if not starts:
        return 0, line
    return cells[position] + 1, max(1, line - starts[position] + 1)


# -- writing back ----------------------------------------------------------------------


def _writers(data: bytes) -> list[Callable[[dict], str]]:
    import nbformat

    indent = re.match(rb"\{\r?\n([ \t]*)\"", data)
    width = len(indent.group(1)) if indent else 1
    newline = "\n" if data.endswith(b"\n") else ""

    def with_nbformat(notebook: dict) -> str:
        return nbformat.writes(nbformat.from_dict(notebook), version=nbformat.NO_CONVERT) + newline

    def keeping_order(notebook: dict) -> str:
        return json.dumps(notebook, indent=width, ensure_ascii=False) + newline

    return [with_nbformat, keeping_order]


def render(original: bytes, notebook: dict, sources: dict[int, str]) -> bytes:
    """The notebook's bytes with the new cell sources, in the file's own format."""
    old = json.loads(original.decode("utf-8"))
    writer = next((w for w in _writers(original) if w(old).encode("utf-8") == original), None)
    writer = writer or _writers(original)[0]  # nbformat's own layout when no writer matches
    for index, source in sources.items():
        cell = notebook["cells"][index]
        if isinstance(cell.get("source"), list):
            cell["source"] = source.splitlines(keepends=True)
        else:
            cell["source"] = source
    return writer(notebook).encode("utf-8")


# -- the engine's hook --------------------------------------------------------------


def migrate(data: bytes, migrate_source: Callable[[bytes], object]):
    """Migrate a notebook's bytes with ``migrate_source`` (the engine's, for one module);
    returns its result turned into the notebook's: bytes of the notebook, findings at
    (cell, line). Raises NotebookError for a notebook that cannot be read or split back."""
    notebook = parse(data)
    program = Program(notebook)
    result = migrate_source(program.text.encode("utf-8"))
    result.old_bytes = data
    result.findings = [_in_cell(f, program.starts, program.cells) for f in result.findings]
    if result.line:  # a cell that does not parse: say which
        cell, line = program.where(result.line)
        result.error = f"cell {cell}, line {line}: {result.error}"
        result.line = result.col = 0
    if not result.changed:
        result.new_bytes = data
        result.new_findings = None
        return result
    new_text = result.new_bytes.decode("utf-8")
    sources = program.split(new_text)
    sources = {i: _same_ending(s, _source(notebook["cells"][i])) for i, s in sources.items()}
    changed = {i: s for i, s in sources.items() if s != _source(notebook["cells"][i])}
    result.new_bytes = render(data, notebook, changed) if changed else data
    if result.new_findings is not None:
        starts = _starts(new_text)
        result.new_findings = [_in_cell(f, starts, program.cells) for f in result.new_findings]
    return result


def _same_ending(new: str, old: str) -> str:
    """The blank lines the joined program put between cells are not the cell's."""
    return new.rstrip("\n") + "\n" * (len(old) - len(old.rstrip("\n")))


def _in_cell(finding, starts: list[int], cells: list[int]):
    cell, line = _where(starts, cells, finding.line)
    return replace(finding, line=line, cell=cell)


def cell_diff(path: str, old: bytes, new: bytes) -> str:
    """A per-cell view of a notebook's changes, for people (the patch is for git)."""
    before, after = json.loads(old), json.loads(new)
    out = []
    for index, (a, b) in enumerate(zip(before.get("cells", []), after.get("cells", []))):
        old_source, new_source = _source(a), _source(b)
        if old_source != new_source:
            out.extend(
                difflib.unified_diff(
                    old_source.splitlines(keepends=True), new_source.splitlines(keepends=True),
                    f"{path} cell {index + 1}", f"{path} cell {index + 1} (migrated)",
                )
            )
            if out and not out[-1].endswith("\n"):
                out[-1] += "\n"
    return "".join(out)


def as_script(path: Path, folder: Path) -> Path:
    """``path`` itself, or for a notebook its code cells as a script written in ``folder``."""
    if not is_notebook(str(path)):
        return path
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / (path.stem + ".py")
    script.write_text(to_script(path.read_bytes()), encoding="utf-8")
    return script


def to_script(data: bytes) -> str:
    """The code cells as one Python script, IPython magics and shell escapes dropped
    (what ``migrator verify`` runs for a notebook)."""
    notebook = parse(data)
    parts = []
    for index in _code_cells(notebook):
        lines = []
        source = _source(notebook["cells"][index]).split("\n")
        continued = _continuation_lines(source)
        for n, line in enumerate(source, 1):
            found = None if n in continued else _MAGIC.match(line)
            lines.append(found.group("indent") + "pass  # IPython: " + line.strip() if found else line)
        parts.append(f"# cell {index + 1}\n" + "\n".join(lines))
    return "\n\n".join(parts) + "\n"
