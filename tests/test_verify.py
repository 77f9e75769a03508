"""migrator verify: comparison, runtimes, the child bootstrap, and real verdicts.

The end-to-end tests run BEFORE programs on the real legacy runtime (TensorFlow 1.15.5 +
Keras 2.3.1 on Python 3.7) and AFTER programs on TensorFlow 2.21 + Keras 3. The legacy
runtime is found exactly as ``migrator verify`` finds it (``runtimes``); CI creates it
with ``migrator legacy-env`` before pytest. When it is missing those tests FAIL (they
never skip) and say how to create it.
"""

from __future__ import annotations

import ast
import json
import math
import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from migrator.verify import AFTER_FAILED, BEFORE_FAILED, DIFFERENT, EQUIVALENT, core, runtimes, verify
from migrator.verify import warm as verify_warm
from migrator.verify.cli import register
from migrator.verify.compare import (
    FINAL_RTOL,
    STEPS_ATOL,
    STEPS_RTOL,
    compare_outputs,
    extract_numbers,
    parse_output,
)

CASES = Path(__file__).parent / "verify_cases"



def _program(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


# ----------------------------------------------------------------------------------
# Comparison: no TensorFlow
# ----------------------------------------------------------------------------------


def test_extracts_ints_floats_scientific_and_specials():
    values = extract_numbers("step 3 loss 0.25 lr 1e-3 big 2.5E+04 neg -7 bad nan worse -inf plus +inf\n")
    assert values[:5] == [3, 0.25, 0.001, 25000.0, -7]
    assert math.isnan(values[5])
    assert values[6:] == [-math.inf, math.inf]


def test_numbers_inside_arrays_lists_and_tuples():
    text = "[[ 0.1  -2.  ]\n [ 3.5e-01  4.  ]]\n(1, 2.5)\n[0.5, 1.0]\narray([1., 2.], dtype=float32)\n"
    assert extract_numbers(text) == [0.1, -2.0, 0.35, 4.0, 1, 2.5, 0.5, 1.0, 1.0, 2.0]


def test_digits_inside_names_are_not_numbers():
    assert extract_numbers("dense_1 conv2d float32 v2 layer3 tf.Tensor x86_64 version 1.15.5\n") == []


def test_identical_output_is_equivalent_and_reports_counts():
    out = "epoch 1 loss 0.5\nepoch 2 loss 0.25\n"
    result = compare_outputs(out, out)
    assert result.equivalent and result.numbers_compared == 4 and result.max_abs_error == 0


def test_default_tolerances_pass_float32_drift_and_catch_real_changes():
    assert STEPS_RTOL == 1e-3 and STEPS_ATOL == 1e-5
    # ~2e-4 relative drift after 200 Adam steps (DESIGN.md) passes ...
    assert compare_outputs("loss 0.500000\n", "loss 0.500100\n").equivalent
    # ... a loss 0.5% away does not.
    result = compare_outputs("loss 0.500000\n", "loss 0.502500\n")
    assert not result.equivalent
    assert "0.500000 vs 0.502500" in result.differences[0].reason


def test_absolute_tolerance_near_zero():
    assert compare_outputs("mean 1e-07\n", "mean -2e-07\n").equivalent
    assert not compare_outputs("mean 0.0001\n", "mean -0.0001\n").equivalent
    assert compare_outputs("mean 0.0001\n", "mean -0.0001\n", atol=1e-3).equivalent


def test_rounding_at_the_printed_precision_is_accepted():
    # Both could be 0.07345 rounded differently: one unit in the last digit apart.
    assert compare_outputs("loss: 0.0734\n", "loss: 0.0735\n").equivalent
    assert not compare_outputs("loss: 0.0734\n", "loss: 0.0737\n").equivalent
    assert compare_outputs("lr 1.23e-05\n", "lr 1.24e-05\n").equivalent


def test_integers_must_match_exactly():
    result = compare_outputs("step 10 correct 9731\n", "step 10 correct 9732\n", rtol=0.5)
    assert not result.equivalent
    assert compare_outputs("correct 9731\n", "correct 9732\n", atol=1).equivalent


def test_nan_and_inf():
    assert compare_outputs("loss nan\n", "loss nan\n").equivalent
    assert not compare_outputs("loss nan\n", "loss 0.5\n").equivalent
    assert compare_outputs("x inf\n", "x inf\n").equivalent
    assert not compare_outputs("x inf\n", "x -inf\n").equivalent


def test_printing_a_tensor_instead_of_a_number_is_a_difference():
    result = compare_outputs("loss 0.5\n", "loss tf.Tensor(0.5, shape=(), dtype=float32)\n")
    assert not result.equivalent
    assert "tf.Tensor" in result.differences[0].reason


def test_numpy2_scalar_reprs_are_not_a_difference():
    before = "[0.5, 1.0, 3, True]\n"
    after = "[np.float32(0.5), np.float64(1.0), np.int64(3), np.True_]\n"
    assert compare_outputs(before, after).equivalent


def test_symbolic_tensors_are_compared_by_shape_and_dtype():
    # TF 1 printed a graph tensor; the migration prints its traced function's output.
    before = 'Tensor("Const_1:0", shape=(), dtype=float32) Tensor("add_2:0", shape=(?, 3), dtype=float32)\n'
    after = 'Tensor("Identity:0", shape=(), dtype=float32) Tensor("Identity:0", shape=(None, 3), dtype=float32)\n'
    assert compare_outputs(before, after).equivalent
    assert compare_outputs('Tensor("add_1:0", dtype=float32)\n', 'Tensor("Identity:0", dtype=float32)\n').equivalent
    assert not compare_outputs(before, after.replace("(None, 3)", "(None, 4)")).equivalent
    assert not compare_outputs(before, after.replace("float32)\n", "float64)\n")).equivalent
    # An eager tensor's value is not a description: printing it instead is a difference.
    assert not compare_outputs(before, 'tf.Tensor(4.0, shape=(), dtype=float32) ' + after.split(" ", 3)[3]).equivalent


def test_variables_are_compared_by_their_description():
    # TF 1 printed a variable's description; TF 2's eager variable adds its value.
    before = "<tf.Variable 'Variable:0' shape=(1, 1) dtype=float32_ref> 3\n"
    after = "<tf.Variable 'Variable:0' shape=(1, 1) dtype=float32, numpy=array([[0.58597755]], dtype=float32)> 3\n"
    assert compare_outputs(before, after).equivalent
    assert not compare_outputs(before, after.replace("(1, 1)", "(1, 2)")).equivalent
    assert not compare_outputs(before, after.replace("> 3", "> 4")).equivalent


def test_an_eager_variables_value_wrapped_over_lines_is_left_out_of_its_description():
    # print(W1, W5): TF 2 prints each value NumPy wraps over several lines.
    before = "<tf.Variable 'l1/W:0' shape=(3, 2) dtype=float32_ref> <tf.Variable 'l5/W:0' shape=(2, 1) dtype=float32_ref>\nend 1\n"
    after = (
        "<tf.Variable 'l1/W:0' shape=(3, 2) dtype=float32, numpy=\narray([[ 0.06,  0.04],\n       [ 0.02, -0.01],\n"
        "       [ 0.05,  0.07]], dtype=float32)> <tf.Variable 'l5/W:0' shape=(2, 1) dtype=float32, numpy=\n"
        "array([[-0.02],\n       [ 0.10]], dtype=float32)>\nend 1\n"
    )
    assert compare_outputs(before, after).equivalent
    assert not compare_outputs(before, after.replace("'l5/W:0'", "'l6/W:0'")).equivalent
    assert not compare_outputs(before, after.replace("end 1", "end 2")).equivalent


def test_unknown_dimensions_printed_as_question_marks_are_none():
    assert compare_outputs("(?, 1) (?, 784)\n", "(None, 1) (None, 784)\n").equivalent
    assert not compare_outputs("(?, 1)\n", "(None, 2)\n").equivalent


def test_wrapping_and_spacing_of_arrays_do_not_matter():
    before = "W [[ 0.1  0.2  0.3]\n   [-0.4  0.5  0.6]]\n"
    after = "W [[0.1 0.2 0.3] [-0.4 0.5 0.6]]\n"
    assert compare_outputs(before, after).equivalent
    assert not compare_outputs(before, after.replace("0.6", "0.7")).equivalent


def test_blank_rule_and_address_lines_are_ignored_or_masked():
    before = "start\n\n=====\n<Model object at 0x7f00aa>\nend 1\n"
    after = "start\n------\n<Model object at 0x55bb11>\n\nend 1\n"
    assert compare_outputs(before, after).equivalent


def test_wall_clock_times_are_masked():
    before = "2016-02-11T10:21:05.985701: step 29, loss 1.30103, acc 0.5\n10:21:06 done\n"
    after = "2026-12-07T18:34:15.816453: step 29, loss 1.30103, acc 0.5\n18:34:16 done\n"
    assert compare_outputs(before, after).equivalent
    assert not compare_outputs(before, after.replace("acc 0.5", "acc 0.6")).equivalent


def test_a_missing_or_extra_line_is_located():
    before = "step 1 loss 0.9\nstep 2 loss 0.8\nstep 3 loss 0.7\nfinal 0.7\n"
    after = "step 1 loss 0.9\nstep 3 loss 0.7\nfinal 0.7\n"
    result = compare_outputs(before, after)
    assert not result.equivalent
    [diff] = result.differences
    assert diff.reason == "only in BEFORE" and diff.before_line == 2 and diff.before == "step 2 loss 0.8"
    result = compare_outputs(after, before)
    assert result.differences[0].reason == "only in AFTER"


def test_text_difference_is_reported_with_both_lines():
    result = compare_outputs("accuracy 0.9\n", "acc 0.9\n")
    [diff] = result.differences
    assert diff.reason == "text differs" and (diff.before, diff.after) == ("accuracy 0.9", "acc 0.9")


def test_final_mode_compares_the_last_value_of_each_line_loosely():
    before = "".join("step %d loss %.4f\n" % (i, 1.0 / (i + 1)) for i in range(5)) + "acc 0.90\n"
    noisy = "".join("step %d loss %.4f\n" % (i, 1.03 / (i + 1)) for i in range(5)) + "acc 0.91\n"
    assert not compare_outputs(before, noisy).equivalent
    final = compare_outputs(before, noisy, mode="final")
    assert final.equivalent and final.rtol == FINAL_RTOL
    far = "".join("step %d loss %.4f\n" % (i, 1.5 / (i + 1)) for i in range(5)) + "acc 0.90\n"
    assert not compare_outputs(before, far, mode="final").equivalent
    fewer = "".join("step %d loss %.4f\n" % (i, 1.0 / (i + 1)) for i in range(4)) + "acc 0.90\n"
    result = compare_outputs(before, fewer, mode="final")
    assert not result.equivalent and "printed 5 times by BEFORE, 4 times by AFTER" in result.differences[0].reason


def _captured(name: str) -> str:
    # Real output of tests/verify_cases/outputs/*.py (read as bytes: it holds \r and \b).
    return (CASES / "outputs" / name).read_bytes().decode("utf-8")


def test_keras2_and_keras3_display_output_reduce_to_the_same_records():
    keras2, keras3 = _captured("keras2_verbose.txt"), _captured("keras3_verbose.txt")
    assert "\x1b[" in keras3 and "\b" in keras3 and "━" in keras3  # really Keras 3's progress bar
    records2, records3 = parse_output(keras2), parse_output(keras3)
    assert [r.kind for r in records2] == [r.kind for r in records3]
    epochs = [r for r in records2 if r.kind == "epoch"]
    assert [r.text.split(" | ")[0] for r in epochs] == ["Epoch 1/2", "Epoch 2/2"]
    assert sorted(epochs[0].metrics) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    [summary] = [r for r in records3 if r.kind == "summary"]
    assert [n.value for n in summary.numbers] == [50890, 0]  # optimizer params not counted
    result = compare_outputs(keras2, keras3)
    assert result.equivalent, result.differences


def test_a_changed_keras_metric_is_reported_by_name():
    keras2, keras3 = _captured("keras2_verbose.txt"), _captured("keras3_verbose.txt")
    value = re.search(r"val_loss: (\d\.\d{4})", keras3).group(1)
    bumped = "%.4f" % (float(value) + 0.1)
    changed = keras3.replace("val_loss: " + value, "val_loss: " + bumped, 1)
    result = compare_outputs(keras2, changed)
    assert not result.equivalent
    assert "val_loss: %s vs %s" % (value, bumped) in result.differences[0].reason


def test_model_summary_parameter_counts_are_compared():
    keras2, keras3 = _captured("keras2_verbose.txt"), _captured("keras3_verbose.txt")
    changed = keras3.replace("Trainable params: 50,890", "Trainable params: 50,900")
    assert not compare_outputs(keras2, changed).equivalent


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_output_is_equivalent_to_itself(text):
    assert compare_outputs(text, text).equivalent


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6).filter(lambda v: abs(v) > 1e-2), min_size=1, max_size=20))
def test_tolerance_property(values):
    before = "".join("value %r\n" % v for v in values)
    close = "".join("value %r\n" % (v * (1 + 1e-4)) for v in values)
    far = "".join("value %r\n" % (v * (1 + 1e-2)) for v in values)
    assert compare_outputs(before, close).equivalent
    assert not compare_outputs(before, far).equivalent


# ----------------------------------------------------------------------------------
# Runtimes: no TensorFlow
# ----------------------------------------------------------------------------------


def test_cache_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("MIGRATOR_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert runtimes.cache_dir() == tmp_path / "xdg" / "migrator"
    monkeypatch.setenv("MIGRATOR_CACHE", str(tmp_path / "mine"))
    assert runtimes.cache_dir() == tmp_path / "mine"
    assert runtimes.legacy_env_dir() == tmp_path / "mine" / "legacy-py37-tf1.15.5"


def _fake_python(path: Path, version: str, works: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "echo %s" % version if works else "echo 'pyenv: python3.7: command not found' >&2; exit 127"
    path.write_text("#!/bin/sh\n%s\n" % body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_find_python37_skips_dead_pyenv_shims(monkeypatch, tmp_path):
    shim = _fake_python(tmp_path / "shims" / "python3.7", "3.7", works=False)
    real = _fake_python(tmp_path / "pyenv" / "versions" / "3.7.16" / "bin" / "python3.7", "3.7")
    _fake_python(tmp_path / "pyenv" / "versions" / "3.7.2" / "bin" / "python3.7", "3.7")
    monkeypatch.setenv("PATH", str(shim.parent))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    candidates = runtimes.python37_candidates()
    assert candidates[0] == str(shim) and candidates[1] == str(real)  # PATH first, newest pyenv next
    assert runtimes.find_python37() == str(real)


def test_half_finished_legacy_env_is_not_used(monkeypatch, tmp_path):
    monkeypatch.setenv("MIGRATOR_CACHE", str(tmp_path))
    monkeypatch.delenv(runtimes.LEGACY_PYTHON_ENV_VAR, raising=False)
    env = runtimes.legacy_env_dir()
    _fake_python(env / "bin" / "python", "3.7")
    assert runtimes.existing_legacy_env() is None  # no completion marker
    (env / runtimes.MARKER_NAME).write_text(json.dumps({"requirements": list(runtimes.LEGACY_REQUIREMENTS)}))
    assert runtimes.existing_legacy_env() == env / "bin" / "python"
    (env / runtimes.MARKER_NAME).write_text(json.dumps({"requirements": ["tensorflow==1.14.0"]}))
    assert runtimes.existing_legacy_env() is None  # built for other requirements


def test_missing_legacy_env_falls_back_or_fails_clearly(monkeypatch, tmp_path):
    monkeypatch.setenv("MIGRATOR_CACHE", str(tmp_path))
    monkeypatch.delenv(runtimes.LEGACY_PYTHON_ENV_VAR, raising=False)
    fallback = runtimes.resolve_legacy_runtime(create=False)
    assert fallback.name == "compat" and fallback.python == sys.executable
    with pytest.raises(runtimes.LegacyEnvError, match="migrator legacy-env"):
        runtimes.resolve_legacy_runtime(create=False, allow_fallback=False)
    with pytest.raises(runtimes.LegacyEnvError, match="migrator legacy-env"):
        runtimes.require_legacy_runtime()
    monkeypatch.setattr(runtimes, "find_python37", lambda: None)
    with pytest.raises(runtimes.LegacyEnvError, match="no Python 3.7 found"):
        runtimes.ensure_legacy_env(log=lambda message: None)


def test_user_legacy_python_wins(monkeypatch, tmp_path):
    fake = _fake_python(tmp_path / "tf1" / "python", "3.7")
    runtime = runtimes.resolve_legacy_runtime(str(fake))
    assert (runtime.name, runtime.python, runtime.origin) == ("legacy", str(fake), "--legacy-python")
    monkeypatch.setenv(runtimes.LEGACY_PYTHON_ENV_VAR, str(fake))
    assert runtimes.resolve_legacy_runtime().python == str(fake)
    with pytest.raises(runtimes.LegacyEnvError, match="does not exist"):
        runtimes.resolve_legacy_runtime(str(tmp_path / "nowhere" / "python"))


def test_importing_verify_is_cheap_and_never_imports_tensorflow():
    code = (
        "import sys, migrator.verify, migrator.verify.cli, migrator.verify.compare;"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'numpy')];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_child_files_are_python37_syntax():
    for path in sorted((Path(runtimes.CHILD_DIR)).glob("*.py")):
        ast.parse(path.read_text(), str(path), feature_version=(3, 7))


# ----------------------------------------------------------------------------------
# The child bootstrap, on the modern interpreter, without TensorFlow
# ----------------------------------------------------------------------------------


def test_program_runs_as_main_with_its_folder_argv_and_a_scratch_cwd(tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 41\n")
    program = _program(tmp_path, "prog.py", """
        import os, sys, random
        import helper
        print(__name__, sys.argv[1:], helper.VALUE + 1)
        print(sys.path[0] == os.path.dirname(os.path.abspath(__file__)))
        print(os.getcwd() != os.path.dirname(os.path.abspath(__file__)))
        print(os.environ["MPLBACKEND"], os.environ["PYTHONHASHSEED"], repr(os.environ["CUDA_VISIBLE_DEVICES"]))
        print(random.random())
    """)
    result = core.run_program(program, runtimes.modern_runtime(), argv=["--flag", "x"])
    assert result.ok, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:4] == ["__main__ ['--flag', 'x'] 42", "True", "True", "Agg 0 ''"]
    again = core.run_program(program, runtimes.modern_runtime(), argv=["--flag", "x"])
    assert again.stdout == result.stdout  # Python's random is seeded
    assert not any(tmp_path.glob("__pycache__"))  # nothing written next to the program


def test_exit_status_and_traceback_of_the_program(tmp_path):
    exits = _program(tmp_path, "exits.py", "import sys\nprint('partial')\nsys.exit(3)\n")
    result = core.run_program(exits, runtimes.modern_runtime())
    assert (result.returncode, result.stdout, result.ok) == (3, "partial\n", False)
    raises = _program(tmp_path, "raises.py", "def f():\n    raise ValueError('boom')\nf()\n")
    result = core.run_program(raises, runtimes.modern_runtime())
    assert result.returncode == 1
    assert "ValueError: boom" in result.failure()
    assert "raises.py" in result.stderr and "runpy" not in result.stderr and "bootstrap" not in result.stderr


def test_timeout_kills_the_program(tmp_path):
    sleeper = _program(tmp_path, "sleeper.py", "import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    result = core.run_program(sleeper, runtimes.modern_runtime(), timeout=2)
    assert result.timed_out and not result.ok and result.stdout == "started\n"
    assert result.failure().startswith("timed out after")


@pytest.mark.parametrize("program, runtime_name", [("before.py", "legacy"), ("after.py", "modern")])
def test_a_warm_child_prints_what_a_fresh_interpreter_prints(program, runtime_name, legacy_runtime, monkeypatch):
    path = CASES / "keras_dropout" / program
    runtime = legacy_runtime if runtime_name == "legacy" else runtimes.modern_runtime()
    warm = core.run_program(path, runtime)
    monkeypatch.setenv(verify_warm.FRESH_ENV_VAR, "1")
    fresh = core.run_program(path, runtime)
    assert warm.ok, warm.stderr
    def untimed(text: str) -> str:  # Keras prints how long each step took
        return re.sub(r"\b\d+m?s\b", "T", text)

    assert (warm.returncode, untimed(warm.stdout)) == (fresh.returncode, untimed(fresh.stdout))
    assert warm.report == fresh.report  # the same versions, patches and random-op counts


def test_a_program_whose_own_module_shadows_a_loaded_library_runs_fresh(tmp_path):
    (tmp_path / "absl.py").write_text("VALUE = 'the program own absl'\n")  # TensorFlow imports absl
    program = _program(tmp_path, "prog.py", "import absl\nprint(absl.VALUE)\n")
    result = core.run_program(program, runtimes.modern_runtime())
    assert (result.returncode, result.stdout) == (0, "the program own absl\n"), result.stderr


# ----------------------------------------------------------------------------------
# Real verdicts: TF 1.15.5 + Keras 2.3.1 (legacy) vs TF 2.21 + Keras 3 (modern)
# ----------------------------------------------------------------------------------


def _verify(case: str, after: str, legacy: runtimes.Runtime, **options) -> core.Verdict:
    return verify(CASES / case / "before.py", CASES / case / after, legacy_runtime=legacy, **options)


def test_tf1_adam_mlp_matches_its_tf2_twin(legacy_runtime):
    verdict = _verify("adam_mlp", "after.py", legacy_runtime)
    assert verdict.status == EQUIVALENT, verdict.render()
    assert verdict.before.report["tensorflow"] == "1.15.5" and verdict.before.report["python"].startswith("3.7")
    assert verdict.after.report["tensorflow"].startswith("2.") and verdict.after.report["keras"].startswith("3.")
    assert verdict.agreement == "strict"
    assert verdict.comparison.numbers_compared >= 40
    assert verdict.comparison.max_rel_error < 2e-4
    assert verdict.exit_code == 0


def test_tf1_adam_mlp_with_another_learning_rate_is_different(legacy_runtime):
    verdict = _verify("adam_mlp", "after_lr.py", legacy_runtime)
    assert verdict.status == DIFFERENT and verdict.exit_code == 1
    first = verdict.comparison.differences[0]
    assert first.before.startswith("step ") and first.reason.startswith("numbers differ")
    assert "first disagreeing lines" in verdict.render()


@pytest.mark.parametrize(
    "after, status",
    [("after.py", EQUIVALENT), ("after_axis.py", DIFFERENT), ("after_dropped_step.py", DIFFERENT)],
)
def test_softmax_regression_and_its_mutants(legacy_runtime, after, status):
    verdict = _verify("softmax_regression", after, legacy_runtime)
    assert verdict.status == status, verdict.render()


def test_standalone_keras_sgd_mlp_matches_tf_keras(legacy_runtime):
    verdict = _verify("keras_sgd", "after.py", legacy_runtime)
    assert verdict.status == EQUIVALENT, verdict.render()
    assert verdict.before.report["keras"] == "2.3.1"
    # The per-epoch losses printed from History agree to 1e-4 and better.
    assert verdict.comparison.max_rel_error < 1e-4
    assert verdict.agreement == "strict"


def test_standalone_keras_with_another_learning_rate_is_different(legacy_runtime):
    verdict = _verify("keras_sgd", "after_lr.py", legacy_runtime)
    assert verdict.status == DIFFERENT


def test_standalone_keras_adam_steps_are_ordered_and_match_keras3(legacy_runtime):
    verdict = _verify("keras_adam", "after.py", legacy_runtime)
    assert verdict.status == EQUIVALENT, verdict.render()
    # Adam's first step moves every bias with a gradient by lr (0.05): t=1, not t=2.
    first = extract_numbers(verdict.before.stdout.split("step 0")[0])
    assert all(abs(v) < 1e-9 or 0.0499 < abs(v) <= 0.05 for v in first), first


def test_keras_dropout_masks_are_the_same_in_both_runtimes(legacy_runtime):
    # Keras 2.3.1's and Keras 3's Dropout draw from one stateless source per layer and step.
    verdict = _verify("keras_dropout", "after.py", legacy_runtime)
    assert verdict.status == EQUIVALENT, verdict.render()
    assert verdict.agreement == "strict"
    assert "keras.layers.core" in verdict.before.report["patched"]
    assert "keras.src.backend.tensorflow.random" in verdict.after.report["patched"]


def test_keras_dropout_with_another_learning_rate_is_different_even_in_final_mode(legacy_runtime):
    changed = _verify("keras_dropout", "after_lr.py", legacy_runtime, compare="final")
    assert changed.status == DIFFERENT


@pytest.mark.parametrize("case", ["random_ops", "keras_init"])
def test_random_draws_are_identical_in_both_runtimes(legacy_runtime, case):
    verdict = _verify(case, "after.py", legacy_runtime)
    assert verdict.status == EQUIVALENT, verdict.render()
    assert verdict.comparison.max_abs_error == 0.0  # bit for bit, not just within tolerance


def test_dataset_stand_ins_are_identical_in_both_runtimes(legacy_runtime):
    verdict = _verify("datasets", "after.py", legacy_runtime)
    assert verdict.status == EQUIVALENT, verdict.render()
    assert "keras.datasets.mnist" in verdict.before.report["patched"]


def test_before_failed(legacy_runtime):
    # TF2 code does not run on TF 1.15 (GradientTape over graph-mode variables).
    verdict = verify(CASES / "adam_mlp" / "after.py", CASES / "adam_mlp" / "after.py", legacy_runtime=legacy_runtime)
    assert verdict.status == BEFORE_FAILED and verdict.exit_code == 1
    assert "AttributeError" in verdict.before.failure()
    assert verdict.render().startswith("BEFORE FAILED")


def test_after_failed(legacy_runtime):
    # The TF1 program itself does not run on TF 2 (what tf_upgrade_v2 leaves you with).
    verdict = verify(CASES / "adam_mlp" / "before.py", CASES / "adam_mlp" / "before.py", legacy_runtime=legacy_runtime)
    assert verdict.status == AFTER_FAILED
    assert "placeholder" in verdict.after.failure()
    assert verdict.to_dict()["status"] == "AFTER FAILED"


def test_after_timing_out_fails(legacy_runtime, tmp_path):
    before = _program(tmp_path, "before.py", "print(1)\n")
    after = _program(tmp_path, "after.py", "import time\nprint(1)\ntime.sleep(60)\n")
    verdict = verify(before, after, legacy_runtime=legacy_runtime, timeout=3)
    assert verdict.status == AFTER_FAILED and verdict.after.timed_out


def test_legacy_runtime_runs_the_child_files_on_python37(legacy_runtime):
    out = subprocess.run(
        [legacy_runtime.python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
    )
    assert out.stdout.strip() == "(3, 7)"


def test_fallback_runtime_runs_tf1_graph_code_and_says_so():
    verdict = verify(
        CASES / "adam_mlp" / "before.py", CASES / "adam_mlp" / "after.py",
        legacy_runtime=runtimes.compat_runtime("test"),
    )
    assert verdict.status == EQUIVALENT, verdict.render()
    assert verdict.before.runtime.name == "compat"
    assert any("fallback" in note for note in verdict.notes)
    assert "fallback" in verdict.render()


# ----------------------------------------------------------------------------------
# The command line
# ----------------------------------------------------------------------------------


@pytest.fixture()
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_cli_usage_errors_exit_2(cli, tmp_path):
    runner = CliRunner()
    existing = _program(tmp_path, "a.py", "print(1)\n")
    result = runner.invoke(cli, ["verify", str(existing), str(tmp_path / "missing.py")])
    assert result.exit_code == 2 and "is not a file" in result.output
    result = runner.invoke(cli, ["verify", str(existing), str(existing), "--compare", "everything"])
    assert result.exit_code == 2 and "--compare" in result.output
    result = runner.invoke(cli, ["verify", str(existing), str(existing), "--rtol", "-1"])
    assert result.exit_code == 2


def test_cli_equivalent_exits_0_with_json(cli, legacy_runtime):
    runner = CliRunner()
    result = runner.invoke(cli, [
        "verify", str(CASES / "random_ops" / "before.py"), str(CASES / "random_ops" / "after.py"),
        "--json", "--legacy-python", legacy_runtime.python,
    ])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "EQUIVALENT" and data["agreement"] == "strict"
    assert data["before"]["versions"]["tensorflow"] == "1.15.5"


def test_cli_different_exits_1_and_shows_lines_side_by_side(cli, legacy_runtime):
    runner = CliRunner()
    result = runner.invoke(cli, [
        "verify", str(CASES / "softmax_regression" / "before.py"),
        str(CASES / "softmax_regression" / "after_axis.py"), "--legacy-python", legacy_runtime.python,
        "--rtol", "1e-4", "--atol", "1e-6",
    ])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("DIFFERENT")
    assert "step 0 loss" in result.output and " | " in result.output
    assert "rtol 0.0001, atol 1e-06" in result.output


def test_cli_legacy_env_reuses_the_environment(cli, legacy_runtime):
    if legacy_runtime.origin != "cache":
        pytest.fail("this test checks the cached environment; unset %s" % runtimes.LEGACY_PYTHON_ENV_VAR)
    result = CliRunner().invoke(cli, ["legacy-env", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["interpreter"] == legacy_runtime.python and data["reused"] is True
    assert data["tensorflow"] == "1.15.5" and data["keras"] == "2.3.1"


def test_migrator_cli_has_the_verify_commands():
    out = subprocess.run([sys.executable, "-m", "migrator", "--help"], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "200"})
    assert "verify" in out.stdout and "legacy-env" in out.stdout


def test_a_caller_that_imported_tensorflow_2_does_not_turn_the_legacy_child_eager(monkeypatch) -> None:
    # Importing TF 2 sets TF2_BEHAVIOR=1 in the caller; TF 1.15 would then run eagerly.
    from migrator.verify import core

    monkeypatch.setenv("TF2_BEHAVIOR", "1")
    assert "TF2_BEHAVIOR" not in core.child_environment("/tmp")
