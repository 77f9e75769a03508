"""The to-do report: what still ties code to TF 1 after migration, and the CI gate on it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from codemods import PIPELINE
from codemods.api.r001_remaining_legacy import RemainingLegacy
from migrator.diffs import patch_name
from migrator.engine import migrate_source
from tests.test_cli import ROOT, run

COMPAT = b"""import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
x = tf.placeholder(tf.float32, [None])
norm = tf.contrib.layers.layer_norm(x)
"""


def _todo(source: bytes) -> list[tuple[int, int, str, str]]:
    result = migrate_source(source, "m.py", [RemainingLegacy])
    assert result.new_bytes == source, "R001 only reports"
    return [(f.line, f.col, f.kind, f.message) for f in result.findings]


def test_every_use_of_compat_v1_contrib_and_the_v2_switch_is_reported_in_line_order() -> None:
    found = _todo(COMPAT)
    assert [(line, col, kind) for line, col, kind, _ in found] == [
        (3, 0, "process-wide"), (4, 4, "remaining"), (4, 19, "remaining"), (5, 7, "remaining")
    ]
    messages = [m for *_, m in found]
    assert "switches the whole process to TF 1 graph mode" in messages[0]
    assert messages[1].startswith("`tf.compat.v1.placeholder` still uses TF 1") and "G101" in messages[1]
    assert "tf.keras.layers.LayerNormalization" in messages[3] and "1e-12" in messages[3]


def test_names_are_resolved_through_imports_not_spelling() -> None:
    assert _todo(b"import tensorflow as tf\ntf = {'placeholder': 1}\nx = tf['placeholder']\n") == []
    assert _todo(b"import tensorflow as tf\nx = tf.zeros([3])\n") == [], "native TF 2 is not work left"
    aliased = _todo(b"from tensorflow.compat import v1 as legacy\nimport tensorflow\ns = legacy.Session()\n")
    assert [(line, kind) for line, _, kind, _ in aliased] == [(3, "remaining")]
    estimator = _todo(b"import tensorflow as tf\nest = tf.estimator.Estimator(model_fn)\n")
    assert "tf.estimator is gone" in estimator[0][3]


def test_after_migrating_in_place_check_fail_on_remaining_lists_what_is_left_at_its_new_position(
    tmp_path: Path,
) -> None:
    source = b"import tensorflow as tf\nfrom keras.layers import Dense\n\n" + COMPAT.split(b"\n", 1)[1].replace(
        b"tf.disable", b"tf.compat.v1.disable"
    ).replace(b"tf.placeholder", b"tf.compat.v1.placeholder")
    (tmp_path / "m.py").write_bytes(source)
    first = run("migrate", ".", "--format", "json", "--report-file", "report.json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    after = (tmp_path / "m.py").read_bytes().decode().splitlines()
    report = json.loads((tmp_path / "report.json").read_text())
    findings = report["files"][0]["findings"]
    assert findings and [f["line"] for f in findings] == sorted(f["line"] for f in findings)
    for finding in findings:  # each naming code names what is at its line of the rewritten file
        quoted = re.search(r"`([^`(]+)", finding["message"]).group(1)
        if re.fullmatch(r"[A-Za-z_][\w.]*", quoted):  # not `pip install tf-slim` (G103's note)
            assert quoted.split(".")[-1] in after[finding["line"] - 1], (finding, after)

    gate = run("migrate", ".", "--check", "--fail-on", "remaining", cwd=tmp_path)
    assert gate.returncode == 1
    lines = gate.stderr.decode().splitlines()
    assert lines[0].startswith("warning: 1 call(s) switch the whole process to TF 1 graph mode")
    compat_lines = [i + 1 for i, text in enumerate(after) if "compat.v1" in text]
    assert compat_lines and all(f"m.py:{n}:" in gate.stderr.decode() for n in compat_lines)
    assert "[docs/rules.md#r001]" in gate.stderr.decode()
    assert run("migrate", ".", "--check", cwd=tmp_path).returncode == 0, "without --fail-on: only changes count"

    (tmp_path / "m.py").write_bytes(b"import tensorflow as tf\nx = tf.zeros([2])\n")
    done = run("migrate", ".", "--check", "--fail-on", "remaining", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr.startswith(b"1 files scanned")


def test_a_report_that_cannot_be_written_fails_before_any_file_is_touched(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(COMPAT)
    result = run("migrate", ".", "--report-file", "missing/report.json", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2 and b"no such folder missing" in result.stderr
    assert (tmp_path / "m.py").read_bytes() == COMPAT


def test_every_rule_code_a_message_or_document_names_exists() -> None:
    codes = {rule.code for rule in PIPELINE}
    families = {code[:2] for code in codes}
    letters = "".join(sorted({code[0] for code in codes}))
    texts = [p for folder in ("codemods", "migrator", "docs") for p in (ROOT / folder).rglob("*.py")]
    texts += [*(ROOT / "docs").glob("*.md"), ROOT / "README.md"]
    named = {}
    for path in texts:
        for code in re.findall(rf"\b[{letters}][0-9][0-9x]{{2}}\b", path.read_text()):
            named.setdefault(code, path.name)
    assert named, "the scan finds the codes rules name"
    for code, where in named.items():
        if code.endswith("xx"):
            assert code[:2] in families, f"{where} names rule family {code}, which has no rule"
        else:
            assert code in codes, f"{where} names rule {code}, which does not exist"


def test_rule_docs_page_is_generated_from_the_rules() -> None:
    from migrator.ruledocs import render_rules

    assert (ROOT / "docs" / "rules.md").read_text() == render_rules("markdown"), (
        "docs/rules.md is stale: migrator rules --format markdown > docs/rules.md"
    )
    assert '<a id="r001"></a>' in render_rules("markdown")


def test_patch_names_that_git_apply_accepts() -> None:
    assert patch_name("../x.py") == "x.py"
    assert patch_name("/abs/path/x.py") == "x.py"
    assert patch_name("pkg/./sub/x.py") == "pkg/sub/x.py"
    assert patch_name("pkg\\x.py") == "pkg/x.py"
