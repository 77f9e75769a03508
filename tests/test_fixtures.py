"""Every fixture: ``fixtures/**/before.py`` with its expected ``after.py`` beside it.

For each fixture folder:

* migrating ``before.py`` gives ``after.py`` byte for byte;
* migrating ``after.py`` changes nothing (running migrator twice changes nothing);
* ``after.py`` parses;
* ``migrator verify before.py after.py`` is EQUIVALENT: ``before.py`` on the real legacy
  runtime (TensorFlow 1.15.5 + Keras 2.3.1, Python 3.7), ``after.py`` on TensorFlow 2.21 +
  Keras 3.  The legacy runtime must exist (``make legacy-env``): if it does not, these
  tests fail and say so; they never skip.

A project fixture (``fixtures/projects/<name>/``) is a folder ``before/`` of modules with
the folder ``after/`` it migrates to (as one tree, as ``migrator migrate before/`` does),
and a ``fixture.toml`` naming the command that runs it (``command = "python main.py"``):
the same checks, file by file, and ``migrator verify before after -- python main.py``.

An optional ``fixture.toml`` in the folder tunes the fixture::

    rtol = 1e-3            # verify tolerances (default: compare.py's for the mode)
    atol = 1e-5
    compare = "final"      # "steps" (default) or "final"
    timeout = 120          # seconds per program (default 300)
    args = ["--epochs", "2"]   # command-line arguments for both programs
    notes = "why this fixture needs looser settings"
    command = "python main.py"  # a project fixture's command (required there)
    expect_fallback = true # true: the engine must decline something (a "declined"
                           # finding, the code kept on tf.compat.v1); false: nothing
                           # may be declined; absent: not checked

Each check is its own test, so pytest-xdist spreads them over workers; nothing is cached
in the repository (the verify children run in temporary folders, without bytecode).
"""

from __future__ import annotations

import ast
import difflib
from pathlib import Path

import pytest

from migrator.verify import EQUIVALENT, runtimes, verify

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FIXTURE_DIRS = sorted(path.parent for path in FIXTURES.glob("**/before.py"))
IDS = [str(path.relative_to(FIXTURES)) for path in FIXTURE_DIRS]
KNOWN_KEYS = {"rtol", "atol", "compare", "timeout", "args", "notes", "expect_fallback", "command"}
PROJECT_DIRS = sorted(path.parent for path in FIXTURES.glob("projects/*/before") if path.is_dir())
PROJECT_IDS = [str(path.relative_to(FIXTURES)) for path in PROJECT_DIRS]

parametrize = pytest.mark.parametrize("fixture_dir", FIXTURE_DIRS, ids=IDS)
parametrize_projects = pytest.mark.parametrize("project_dir", PROJECT_DIRS, ids=PROJECT_IDS)


def _config(fixture_dir: Path) -> dict:
    path = fixture_dir / "fixture.toml"
    if not path.exists():
        return {}
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        pytest.fail("reading %s needs Python 3.11+ (tomllib)" % path, pytrace=False)
    with open(path, "rb") as handle:
        config = tomllib.load(handle)
    unknown = set(config) - KNOWN_KEYS
    if unknown:
        pytest.fail("%s: unknown keys %s (known: %s)" % (path, sorted(unknown), sorted(KNOWN_KEYS)), pytrace=False)
    return config


def _migrate(path: Path, data: bytes):
    from migrator.engine import migrate_source

    return migrate_source(data, str(path))


def _diff(expected: bytes, actual: bytes, name: str) -> str:
    lines = difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(keepends=True),
        actual.decode("utf-8", "replace").splitlines(keepends=True),
        "expected/" + name, "migrated/" + name,
    )
    return "".join(lines)


def _findings(result) -> str:
    return "\n".join(
        "  %s %d:%d [%s] %s" % (f.rule, f.line, f.col, f.kind, f.message) for f in getattr(result, "findings", [])
    )


@parametrize
def test_before_migrates_to_after(fixture_dir: Path):
    config = _config(fixture_dir)
    before = fixture_dir / "before.py"
    expected = (fixture_dir / "after.py").read_bytes()
    result = _migrate(before, before.read_bytes())
    assert getattr(result, "error", None) is None, "migration failed: %s" % result.error
    assert result.new_bytes == expected, (
        "migrating %s does not give after.py:\n%s\nfindings:\n%s"
        % (before.relative_to(ROOT), _diff(expected, result.new_bytes, "after.py"), _findings(result))
    )
    if "expect_fallback" in config:
        declined = [f for f in result.findings if f.kind == "declined"]
        if config["expect_fallback"]:
            assert declined, "fixture.toml expects a declined conversion, none reported"
        else:
            assert not declined, "nothing should be declined, got:\n" + _findings(result)


@parametrize
def test_migrating_after_changes_nothing(fixture_dir: Path):
    after = fixture_dir / "after.py"
    data = after.read_bytes()
    result = _migrate(after, data)
    assert result.new_bytes == data, "a second migration changes after.py:\n" + _diff(data, result.new_bytes, "after.py")


@parametrize
def test_after_parses(fixture_dir: Path):
    after = fixture_dir / "after.py"
    ast.parse(after.read_bytes(), str(after))



@parametrize
def test_before_and_after_are_equivalent(fixture_dir: Path, legacy_runtime: runtimes.Runtime):
    config = _config(fixture_dir)
    verdict = verify(
        fixture_dir / "before.py",
        fixture_dir / "after.py",
        rtol=config.get("rtol"),
        atol=config.get("atol"),
        compare=config.get("compare", "steps"),
        timeout=float(config.get("timeout", 300)),
        argv=[str(arg) for arg in config.get("args", [])],
        legacy_runtime=legacy_runtime,
    )
    assert verdict.status == EQUIVALENT, verdict.render(width=160)


# -- project fixtures: several modules migrated as one tree --------------------------------


def _migrate_tree(folder: Path, command: str) -> dict:
    """Each module of ``folder`` (by its path inside it) -> its result, the folder migrated
    as one tree with ``command``'s script as its entry script."""
    from migrator.engine import index_targets, migrate_targets
    from migrator.files import Target

    targets = [Target(path, path.relative_to(folder).as_posix()) for path in sorted(folder.rglob("*.py"))]
    script = command.split()[1]
    results = migrate_targets(targets, project=index_targets(targets, [script]))
    return {target.display: result for target, result in zip(targets, results)}


def _project_files(folder: Path) -> set:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


@parametrize_projects
def test_project_migrates_to_after(project_dir: Path):
    config = _config(project_dir)
    before, after = project_dir / "before", project_dir / "after"
    assert _project_files(before) == _project_files(after), "before/ and after/ must hold the same files"
    results = _migrate_tree(before, config["command"])
    for name, result in results.items():
        assert getattr(result, "error", None) is None, "%s: migration failed: %s" % (name, result.error)
        expected = (after / name).read_bytes()
        assert result.new_bytes == expected, "migrating %s does not give after/%s:\n%s\nfindings:\n%s" % (
            name, name, _diff(expected, result.new_bytes, name), _findings(result)
        )
    if "expect_fallback" in config:
        declined = [f for r in results.values() for f in r.findings if f.kind == "declined"]
        assert bool(declined) == config["expect_fallback"], "\n".join(
            _findings(r) for r in results.values()
        )


@parametrize_projects
def test_migrating_project_after_changes_nothing(project_dir: Path):
    after = project_dir / "after"
    for name, result in _migrate_tree(after, _config(project_dir)["command"]).items():
        data = (after / name).read_bytes()
        assert result.new_bytes == data, "a second migration changes after/%s:\n%s" % (
            name, _diff(data, result.new_bytes, name)
        )


@parametrize_projects
def test_project_before_and_after_are_equivalent(project_dir: Path, legacy_runtime: runtimes.Runtime):
    from migrator.verify import verify_tree

    config = _config(project_dir)
    verdict = verify_tree(
        project_dir / "before",
        project_dir / "after",
        config["command"].split() + [str(arg) for arg in config.get("args", [])],
        rtol=config.get("rtol"),
        atol=config.get("atol"),
        compare=config.get("compare", "steps"),
        timeout=float(config.get("timeout", 300)),
        legacy_runtime=legacy_runtime,
    )
    assert verdict.status == EQUIVALENT, verdict.render(width=160)
