"""``migrator verify`` and ``migrator legacy-env``: registered on the main typer app."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

if TYPE_CHECKING:  # pragma: no cover
    from migrator.verify.core import ProjectCommand

EXIT_EQUIVALENT, EXIT_NOT_EQUIVALENT, EXIT_USAGE = 0, 1, 2


def _usage_error(message: str) -> typer.Exit:
    typer.echo("migrator: error: %s" % message, err=True)
    return typer.Exit(EXIT_USAGE)


def register(app: typer.Typer) -> None:
    """Add the ``verify`` and ``legacy-env`` commands to ``app``."""

    @app.command("verify")
    def verify_command(
        before: Path = typer.Argument(..., help="The original TF1 / Keras 2 program, or project folder."),
        after: Path = typer.Argument(..., help="The migrated TF2 program, or project folder."),
        command: Optional[list[str]] = typer.Argument(
            None, metavar="[-- python SCRIPT|-m MODULE ARGS...]",
            help="For two folders: the project's own command, run in a scratch copy of each."),
        rtol: Optional[float] = typer.Option(
            None, "--rtol", help="Relative tolerance (default 1e-3 for steps, 5e-2 for final)."),
        atol: Optional[float] = typer.Option(
            None, "--atol", help="Absolute tolerance (default 1e-5 for steps, 1e-3 for final)."),
        compare: str = typer.Option(
            "steps", "--compare",
            help="steps: every printed number; final: the last value of each printed line/metric."),
        as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
        legacy_python: Optional[str] = typer.Option(
            None, "--legacy-python", metavar="PATH",
            help="Your own TF1 interpreter for BEFORE (default: migrator's cached legacy environment)."),
        timeout: float = typer.Option(300.0, "--timeout", help="Seconds each program may run."),
        tf1_compat: bool = typer.Option(
            False, "--tf1-compat",
            help="Run BEFORE on this interpreter's tensorflow.compat.v1 (the fallback) instead of TF 1.15."),
        program_args: Optional[list[str]] = typer.Option(
            None, "--arg", help="An argument passed to both programs (repeatable)."),
        sequential: bool = typer.Option(
            False, "--sequential", help="Run BEFORE, then AFTER (default: both at once)."),
    ) -> None:
        """Run BEFORE on TF 1.15 and AFTER on TF 2 and compare the numbers they print.

        Two folders: `migrator verify ORIGINAL_DIR MIGRATED_DIR -- python train.py ARGS...`
        runs the project's command in a scratch copy of each folder (`python` is the
        runtime's interpreter; `python -m package.module` works too).

        Exit status: 0 EQUIVALENT; 1 DIFFERENT, BEFORE FAILED or AFTER FAILED; 2 usage error.
        """
        from migrator.verify import compare as compare_module
        from migrator.verify import core, runtimes

        if compare not in compare_module.MODES:
            raise _usage_error("--compare must be one of: %s" % ", ".join(compare_module.MODES))
        project: Optional[core.ProjectCommand] = None
        if before.is_dir() or after.is_dir() or command:
            project = _project_command(before, after, command, program_args)
        else:
            for label, path in (("BEFORE", before), ("AFTER", after)):
                if not path.is_file():
                    raise _usage_error("%s program %s is not a file" % (label, path))
        for name, value in (("--rtol", rtol), ("--atol", atol)):
            if value is not None and not value >= 0:
                raise _usage_error("%s must be a number >= 0" % name)
        if timeout <= 0:
            raise _usage_error("--timeout must be positive")
        if tf1_compat and legacy_python:
            raise _usage_error("--tf1-compat and --legacy-python cannot be combined")
        # Hook: legacy-python from [tool.migrator] (migrator/config.py).
        from migrator.config import ConfigError, load_config

        try:
            legacy_python = legacy_python or (None if tf1_compat else load_config(before).legacy_python)
        except ConfigError as exc:
            raise _usage_error(str(exc)) from None
        # Hook: a notebook runs as the script of its code cells (migrator/notebooks.py).
        from migrator import notebooks

        scripts = tempfile.TemporaryDirectory(prefix="migrator-notebook-")
        try:
            before, after = (notebooks.as_script(p, Path(scripts.name) / label) for label, p in
                             (("before", before), ("after", after)))
        except notebooks.NotebookError as exc:
            raise _usage_error(str(exc)) from None
        try:
            if tf1_compat:
                legacy = runtimes.compat_runtime("--tf1-compat")
            else:
                legacy = runtimes.resolve_legacy_runtime(legacy_python)
        except runtimes.LegacyEnvError as exc:
            raise _usage_error(str(exc)) from None
        if legacy.name == "compat" and not tf1_compat:
            typer.echo("migrator: %s" % legacy.description, err=True)
        if project is not None:
            verdict = core.verify_tree(
                before, after, project, rtol=rtol, atol=atol, compare=compare, legacy_runtime=legacy,
                timeout=timeout, sequential=sequential,
            )
        else:
            verdict = core.verify(
                before, after, rtol=rtol, atol=atol, compare=compare, legacy_runtime=legacy,
                timeout=timeout, argv=program_args or (), sequential=sequential,
            )
        if as_json:
            typer.echo(verdict.to_json())
        else:
            typer.echo(verdict.render(), nl=False)
        scripts.cleanup()
        raise typer.Exit(verdict.exit_code)

    @app.command("legacy-env")
    def legacy_env_command(
        legacy_python: Optional[str] = typer.Option(
            None, "--legacy-python", metavar="PATH",
            help="A Python 3.7 to build the environment from, or a TF1 interpreter to check and use."),
        as_json: bool = typer.Option(False, "--json", help="Print what was found as JSON."),
    ) -> None:
        """Create (once) or reuse the legacy runtime: TensorFlow 1.15.5 + Keras 2.3.1 on Python 3.7.

        Prints the interpreter's path on standard output; progress goes to standard error.
        """
        import json

        from migrator.verify import runtimes

        info: dict = {}
        try:
            if legacy_python:
                runtime = runtimes.user_legacy_runtime(legacy_python)
                tf_version = _tensorflow_version(runtime.python)
                if tf_version and tf_version.startswith("1."):
                    python = runtime.python
                    info = {"interpreter": python, "origin": "--legacy-python", "tensorflow": tf_version}
                else:
                    # Not a TF1 interpreter: treat it as the Python 3.7 to build from.
                    python = str(runtimes.ensure_legacy_env(runtime.python))
                    info = {**(runtimes.legacy_env_info() or {}), "interpreter": python, "origin": "cache"}
            else:
                existed = runtimes.existing_legacy_env() is not None
                python = str(runtimes.ensure_legacy_env())
                info = {**(runtimes.legacy_env_info() or {}), "interpreter": python, "origin": "cache", "reused": existed}
        except runtimes.LegacyEnvError as exc:
            raise _usage_error(str(exc)) from None
        if as_json:
            typer.echo(json.dumps(info, indent=2))
        else:
            if info.get("origin") == "cache":
                typer.echo("migrator: legacy environment %s (TensorFlow %s, Keras %s, Python %s)" % (
                    "reused" if info.get("reused") else "ready", info.get("tensorflow"), info.get("keras"),
                    info.get("python")), err=True)
            typer.echo(python)


def _project_command(before: Path, after: Path, command: Optional[list[str]], program_args) -> "ProjectCommand":
    """The checked command for two project folders (usage errors otherwise)."""
    from migrator.verify import core

    for label, path in (("BEFORE", before), ("AFTER", after)):
        if not path.is_dir():
            raise _usage_error("%s %s is not a folder: a command runs in two project folders" % (label, path))
    if not command:
        raise _usage_error("two folders need the project's command: migrator verify %s %s -- python train.py ..."
                           % (before, after))
    if program_args:
        raise _usage_error("--arg applies to single programs; put a project's arguments in its command")
    try:
        project = core.parse_command(command)
    except ValueError as exc:
        raise _usage_error(str(exc)) from None
    if project.script is not None:
        for label, path in (("BEFORE", before), ("AFTER", after)):
            if not (path / project.script).is_file():
                raise _usage_error("%s project %s has no script %s" % (label, path, project.script))
    return project


def _tensorflow_version(python: str) -> Optional[str]:
    import os
    import subprocess

    try:
        probe = subprocess.run(
            [python, "-c", "import tensorflow as tf; print(tf.__version__)"],
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = probe.stdout.split()
    return lines[-1] if probe.returncode == 0 and lines else None


if __name__ == "__main__":  # pragma: no cover - `python -m migrator.verify.cli`
    _app = typer.Typer(add_completion=False, no_args_is_help=True)
    register(_app)
    _app(prog_name="migrator")
    sys.exit(0)
