"""codemods.RULES, the rules as plain data, is where each rule's slug, summary and text gate
are written (the rule classes receive them); and the rules load only when a file gives them
a reason (imports observed in a fresh interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codemods import PIPELINE, RULES

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("spec", RULES, ids=[spec.code for spec in RULES])
def test_each_registry_entry_names_its_rule_class(spec) -> None:
    rule = spec.load()
    assert rule.code == spec.code and rule.__name__ == spec.class_name
    # the class receives the prose and gate its entry holds (restating them is refused, below)
    assert (rule.slug, rule.summary, rule.triggers, rule.requires) == (spec.slug, spec.summary, spec.triggers,
                                                                         spec.requires)


def test_a_pipeline_rule_restating_its_summary_is_refused() -> None:
    from codemods.base import Rule

    with pytest.raises(TypeError, match="K303 restates summary: write it once, in its codemods.RULES entry"):
        class Restated(Rule):
            code = "K303"
            summary = "a second wording"

    class Outside(Rule):  # a rule outside the pipeline writes its own
        code, slug, summary, triggers = "X999", "outside", "its own words", ("x",)

    assert (Outside.summary, Outside.DESCRIPTION) == ("its own words", "its own words")


def test_each_rule_has_its_own_test_module() -> None:
    missing = [spec.code for spec in RULES
               if not (ROOT / "tests" / "codemods" / f"test_{spec.module.rsplit('.', 1)[1]}.py").is_file()]
    assert missing == [], "tests/codemods/test_<rule module>.py: what the rule's examples cannot say"


def test_pipeline_is_the_registry_order() -> None:
    assert [rule.code for rule in PIPELINE] == [spec.code for spec in RULES]
    assert len({spec.code for spec in RULES}) == len(RULES)


def test_the_text_gate_decides_before_the_rule_is_imported() -> None:
    spec = next(spec for spec in RULES if spec.code == "K303")
    assert not spec.applies_to(b"import keras\nmodel.predict(x)\n")
    assert spec.applies_to(b"import keras\nmodel.predict_classes(x)\n")


def _modules_after(code: str, stdin: bytes = b"") -> set[str]:
    script = code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    run = subprocess.run(
        [sys.executable, "-c", script], input=stdin, capture_output=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode in (0, 1), run.stderr.decode()
    return set(run.stderr.decode().split())


def _rule_modules(modules: set[str]) -> set[str]:
    return {name for name in modules if name.split(".")[0] == "libcst" or name in {s.module for s in RULES}}


def test_cli_start_up_imports_no_rule_and_no_libcst() -> None:
    assert _rule_modules(_modules_after("import migrator.cli")) == set()


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["migrate", "--help"]])
def test_version_and_help_import_no_rule_and_no_libcst(argv) -> None:
    code = (
        "import sys\nfrom migrator.cli import app\n"
        f"try:\n    app({argv!r}, prog_name='migrator')\nexcept SystemExit:\n    pass"
    )
    assert _rule_modules(_modules_after(code)) == set()
    if argv == ["--version"]:
        run = subprocess.run([sys.executable, "-m", "migrator", "--version"], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        from migrator import __version__

        assert (run.returncode, run.stdout) == (0, f"migrator {__version__}\n")


def test_rules_with_a_code_imports_that_rule_only() -> None:
    code = (
        "from migrator.cli import app\n"
        "try:\n    app(['rules', 'k303'], prog_name='migrator')\nexcept SystemExit:\n    pass"
    )
    modules = _rule_modules(_modules_after(code))
    assert {name for name in modules if not name.startswith("libcst")} == {"codemods.keras.k303_predict_classes"}


def _migrate_stdin_modules(source: bytes) -> set[str]:
    code = (
        "import sys\nfrom migrator.engine import migrate_source\n"
        "result = migrate_source(sys.stdin.buffer.read(), 'x.py')\n"
        "assert not result.changed, result"
    )
    return _rule_modules(_modules_after(code, source))


def test_a_file_without_tensorflow_or_keras_loads_no_rule_and_no_libcst() -> None:
    assert _migrate_stdin_modules(b"import numpy as np\nprint(np.zeros(3))\n") == set()


def test_only_the_rules_whose_gate_a_file_passes_are_imported() -> None:
    source = b"# a note about keras, nothing else\nx = 1\n"
    gated = {spec.module for spec in RULES if spec.applies_to(source)}
    assert gated and len(gated) < len(RULES)
    loaded = _migrate_stdin_modules(source)
    assert {name for name in loaded if not name.startswith("libcst")} == gated
