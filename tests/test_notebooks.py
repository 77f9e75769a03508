"""Notebooks: code cells migrate as one program; magics, outputs and metadata stay."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from migrator import notebooks
from migrator.engine import migrate_source, select_rules
from tests.test_cli import run

G = select_rules(["G"])
GRAPH = "%matplotlib inline\n!pip list\nimport tensorflow as tf\n\nx = tf.placeholder(tf.float32)\ny = x * 2.0 + 1.0"
SESSION = "with tf.Session() as sess:\n    print(sess.run(y, feed_dict={x: 3.0}))"


def _notebook(path: Path, *sources: str, indent: int | None = None) -> bytes:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [new_markdown_cell("# TF 1 notebook")]
    for i, source in enumerate(sources):
        nb.cells.append(new_code_cell(source, execution_count=i + 1,
                                      outputs=[new_output("stream", name="stdout", text=f"out {i}\n")]))
    nb.cells.append(new_code_cell("%%bash\necho tf.placeholder"))
    text = nbformat.writes(nb) + "\n"
    if indent is not None:  # another editor's layout: key order kept, other indentation
        text = json.dumps(json.loads(text), indent=indent, ensure_ascii=False) + "\n"
    path.write_text(text)
    return path.read_bytes()


def test_cells_migrate_as_one_program_with_magics_outputs_and_metadata_kept(tmp_path: Path) -> None:
    original = _notebook(tmp_path / "tf1.ipynb", GRAPH, SESSION)
    result = run("migrate", ".", "--select", "G", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert b"1 files scanned (1 notebooks), 1 changed" in result.stderr
    before, after = json.loads(original), json.loads((tmp_path / "tf1.ipynb").read_bytes())
    cells = ["".join(c["source"]) for c in after["cells"]]
    assert cells[1].startswith("%matplotlib inline\n!pip list\nimport tensorflow as tf\n")
    assert "@tf.function" in cells[1] and "tf.placeholder" not in cells[1]
    assert "tf.Session" not in cells[2] and "print(" in cells[2], "the Session cell used the graph cell's names"
    assert cells[3] == "%%bash\necho tf.placeholder", "a cell magic's cell is not Python"
    # The program as a script migrates the same way (magics masked).
    script = migrate_source((GRAPH.replace("%matplotlib inline\n!pip list\n", "") + "\n" + SESSION + "\n").encode(),
                            "s.py", G).new_bytes.decode()
    assert "\n".join(cells[1:3]).replace("%matplotlib inline\n!pip list\n", "").split() == script.split()
    for old, new in zip(before["cells"], after["cells"]):
        assert {k: v for k, v in old.items() if k != "source"} == {k: v for k, v in new.items() if k != "source"}
    assert before["metadata"] == after["metadata"]
    again = run("migrate", ".", "--select", "G", "--check", cwd=tmp_path)
    assert again.returncode == 0


def test_an_unchanged_notebook_stays_byte_identical_in_any_layout(tmp_path: Path) -> None:
    for indent in (None, 2, 4):
        path = tmp_path / f"nb{indent}.ipynb"
        data = _notebook(path, "import tensorflow as tf\nx = tf.zeros([2])\nprint(x)")
        assert run("migrate", str(path), cwd=tmp_path).returncode == 0
        assert path.read_bytes() == data


def test_a_changed_notebook_keeps_its_layout_and_diff_applies_with_git(tmp_path: Path) -> None:
    original = _notebook(tmp_path / "nb.ipynb", GRAPH, SESSION, indent=2)
    diff = run("migrate", "nb.ipynb", "--diff", "--select", "G", cwd=tmp_path)
    assert diff.returncode == 1 and diff.stdout.startswith(b"--- a/nb.ipynb\n+++ b/nb.ipynb\n")
    assert b"--- nb.ipynb cell 2\n" in diff.stderr, "the per-cell view for people"
    changed = [line for line in diff.stdout.splitlines() if line[:1] in (b"+", b"-") and line[:3] not in (b"+++", b"---")]
    assert all(line[1:].startswith(b'        "') for line in changed), "only source lines change, indented by 2"
    subprocess.run(["git", "apply", "-"], input=diff.stdout, cwd=tmp_path, check=True)
    patched = (tmp_path / "nb.ipynb").read_bytes()
    (tmp_path / "nb.ipynb").write_bytes(original)
    assert run("migrate", "nb.ipynb", "--select", "G", cwd=tmp_path).returncode == 0
    assert (tmp_path / "nb.ipynb").read_bytes() == patched


def test_findings_name_the_cell_and_its_line(tmp_path: Path) -> None:
    _notebook(tmp_path / "nb.ipynb", "import tensorflow as tf", "x = 1\ny = tf.contrib.layers.layer_norm(x)")
    result = run("migrate", "nb.ipynb", "--check", "--select", "R", cwd=tmp_path)
    assert b"nb.ipynb:2:5: R001 remaining: cell 3: `tf.contrib.layers.layer_norm`" in result.stderr


def test_a_notebook_that_is_not_valid_json_is_named_and_untouched(tmp_path: Path) -> None:
    (tmp_path / "bad.ipynb").write_bytes(b'{"cells": [ tensorflow')
    result = run("migrate", "bad.ipynb", cwd=tmp_path)
    assert result.returncode == 2 and b"bad.ipynb: E000 error: not a notebook" in result.stderr
    assert (tmp_path / "bad.ipynb").read_bytes() == b'{"cells": [ tensorflow'


def test_a_notebook_becomes_a_script_for_verify(tmp_path: Path) -> None:
    data = _notebook(tmp_path / "nb.ipynb", GRAPH, SESSION)
    script = notebooks.to_script(data)
    compile(script, "nb.py", "exec")
    assert "pass  # IPython: %matplotlib inline" in script and "echo" not in script
    assert script.index("tf.placeholder") < script.index("tf.Session")


def test_standard_input_named_as_a_notebook_is_migrated_as_one(tmp_path: Path) -> None:
    data = _notebook(tmp_path / "nb.ipynb", GRAPH, SESSION)
    result = run("migrate", "-", "--stdin-filename", "nb.ipynb", "--select", "G", cwd=tmp_path, stdin=data)
    assert result.returncode == 0, result.stderr
    cells = ["".join(c["source"]) for c in json.loads(result.stdout)["cells"]]
    assert "@tf.function" in cells[1]


def test_verify_refuses_a_broken_notebook_clearly(tmp_path: Path) -> None:
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "b.py").write_text("print(1)\n")
    result = run("verify", "a.ipynb", "b.py", "--tf1-compat", cwd=tmp_path)
    assert result.returncode == 2 and b"not a valid notebook" in result.stderr


def test_help_requests_are_masked_and_a_cell_that_does_not_parse_is_named(tmp_path: Path) -> None:
    _notebook(tmp_path / "help.ipynb", GRAPH + "\ntf.placeholder?", SESSION)
    assert run("migrate", "help.ipynb", "--select", "G", cwd=tmp_path).returncode == 0
    assert "tf.placeholder?" in (tmp_path / "help.ipynb").read_text()
    _notebook(tmp_path / "bad.ipynb", "import tensorflow as tf", "x = (1,")
    result = run("migrate", "bad.ipynb", cwd=tmp_path)
    assert result.returncode == 2 and b"bad.ipynb: E000 error: cell 3, line 1: cannot parse" in result.stderr


def test_percent_and_bang_inside_a_statement_are_python_not_magics() -> None:
    nb = new_notebook()
    nb.cells = [new_code_cell('s = ("%d items"\n     % 3)\nt = """\n%not a magic\n"""\nok = (1\n      != 2)\n%time f()')]
    program = notebooks.Program(json.loads(nbformat.writes(nb)))
    assert program.magics == ["%time f()"]
    compile(program.text, "program", "exec")
