"""The ``migrator`` command line."""

from __future__ import annotations

import signal
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from migrator import engine, reports
from migrator.diffs import InvalidPatch, unified_diff
from migrator.files import ConcurrentModification, discover, write_atomically

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Rewrite TensorFlow 1.x and standalone Keras code into native TensorFlow 2.",
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_PENDING, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    markdown = "markdown"


def _split_codes(values: Optional[List[str]]) -> list[str]:
    return [code.strip() for value in values or [] for code in value.split(",") if code.strip()]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"migrator: error: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


@app.command()
def migrate(
    paths: List[str] = typer.Argument(..., help="Files or folders to migrate; '-' reads standard input."),
    diff: bool = typer.Option(False, "--diff", help="Write nothing; print a unified diff of every change."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if anything would change."),
    stdin_filename: Optional[str] = typer.Option(None, help="The name of the file read from standard input."),
    select: Optional[List[str]] = typer.Option(None, help="Only these rule codes or prefixes (comma-separated)."),
    ignore: Optional[List[str]] = typer.Option(None, help="Skip these rule codes or prefixes (comma-separated)."),
    exclude: Optional[List[str]] = typer.Option(None, help="Glob of paths to leave out (repeatable)."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Parallel workers (default: all cores)."),
    output_format: ReportFormat = typer.Option(ReportFormat.text, "--format", help="How to report findings."),
    report_file: Optional[str] = typer.Option(None, help="Write the report there instead of the terminal."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary line."),
    max_file_size: float = typer.Option(
        engine.MAX_FILE_BYTES / 1024 / 1024, "--max-file-size", min=0.0,
        help="Refuse files larger than this many MB (LibCST needs ~1 GB of memory per MB of code).",
    ),
) -> None:
    """Migrate PATHS in place (or show the diff with --diff)."""
    if diff and check:
        raise _fail("--diff and --check cannot be combined")
    if "-" in paths and len(paths) > 1:
        raise _fail("'-' (standard input) cannot be combined with other paths")
    if stdin_filename is not None and paths != ["-"]:
        raise _fail("--stdin-filename only applies when the path is '-' (standard input)")
    select_codes, ignore_codes = _split_codes(select), _split_codes(ignore)
    known = {rule.code for rule in engine.PIPELINE}
    for code in select_codes + ignore_codes:
        if not any(k.startswith(code.upper()) for k in known):
            raise _fail(f"unknown rule code or prefix {code!r} (see `migrator rules`)")
    rules = engine.select_rules(select_codes, ignore_codes)
    max_bytes = int(max_file_size * 1024 * 1024)

    interrupted = False
    if paths == ["-"]:
        results = [_migrate_stdin(stdin_filename or "-", rules, diff, check, max_bytes)]
    else:
        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            results, interrupted = _migrate_paths(
                paths, rules, tuple(exclude or ()), jobs or engine.default_jobs(), diff, check, quiet, max_bytes
            )
        finally:
            signal.signal(signal.SIGTERM, previous)

    try:
        _report(results, output_format, report_file, stdout_taken=diff or paths == ["-"])
    except OSError as exc:
        raise _fail(f"cannot write the report to {report_file}: {exc.strerror or exc}") from None
    if not quiet:
        verb = "would change" if (diff or check) else "changed"
        typer.echo(reports.summary_line(results, verb), err=True)
    if interrupted:
        typer.echo("migrator: interrupted; every file is either as it was or fully migrated", err=True)
        raise typer.Exit(EXIT_INTERRUPTED)
    if any(r.status is engine.Status.FAILED for r in results):
        raise typer.Exit(EXIT_ERROR)
    if (diff or check) and any(r.changed for r in results):
        raise typer.Exit(EXIT_PENDING)
    raise typer.Exit(EXIT_OK)


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


def _migrate_stdin(name: str, rules, diff: bool, check: bool, max_bytes: int) -> engine.FileResult:
    result = engine.migrate_source(sys.stdin.buffer.read(), name, rules, max_bytes)
    if diff:
        if result.changed:
            _deliver(result, diff=True, check=False)
    elif not check:
        # On failure the input is echoed unchanged, so an editor never loses the buffer.
        sys.stdout.buffer.write(result.new_bytes if result.changed else result.old_bytes)
    sys.stdout.flush()
    return result


def _migrate_paths(paths, rules, exclude, jobs, diff, check, quiet, max_bytes) -> tuple[list[engine.FileResult], bool]:
    """Migrate and deliver file by file; returns the results and whether Ctrl-C stopped it."""
    results: list[engine.FileResult] = []
    progress = task = None
    try:
        targets = list(discover(paths, exclude))
        if sys.stderr.isatty() and not quiet and len(targets) > 1:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            progress = Progress(
                TextColumn("migrating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(file=sys.stderr), transient=True,
            )
            progress.start()
            task = progress.add_task("migrating", total=len(targets))
        advance = (lambda n: progress.advance(task, n)) if progress is not None else None
        for result in engine.migrate_targets(
            targets, rules, jobs, want_diff=diff, on_progress=advance, max_file_bytes=max_bytes
        ):
            if result.changed:
                _deliver(result, diff, check)
            # The bytes are not needed any more: a run over a big tree stays small.
            result.old_bytes = result.new_bytes = b""
            result.diff = None
            results.append(result)
    except KeyboardInterrupt:
        return results, True
    finally:
        if progress is not None:
            progress.stop()
    return results, False


def _deliver(result: engine.FileResult, diff: bool, check: bool) -> None:
    """Print or write one changed file; a failure turns the result into FAILED."""
    try:
        if diff:
            patch = result.diff if result.diff is not None else unified_diff(
                result.path, result.old_bytes, result.new_bytes
            )
            sys.stdout.buffer.write(patch)
            sys.stdout.flush()
        elif not check:
            write_atomically(Path(result.path), result.new_bytes, result.old_bytes)
    except ConcurrentModification:
        result.status = engine.Status.FAILED
        result.error = "changed on disk during the run; not overwritten"
    except InvalidPatch as exc:
        result.status = engine.Status.FAILED
        result.error = f"internal error: {exc}; file left unchanged"
    except FileNotFoundError:
        result.status = engine.Status.FAILED
        result.error = "cannot write: vanished during the run"
    except OSError as exc:
        result.status = engine.Status.FAILED
        result.error = f"cannot write: {exc.strerror or exc}; file left unchanged"


def _report(results, output_format: ReportFormat, report_file: Optional[str], stdout_taken: bool) -> None:
    text = reports.render(results, output_format.value)
    if report_file:
        with open(report_file, "w", encoding="utf-8") as handle:
            handle.write(text)
    elif output_format is ReportFormat.text or stdout_taken:
        sys.stderr.write(text)
        sys.stderr.flush()
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


@app.command()
def rules(
    output_format: str = typer.Option("text", "--format", help="text, json or markdown."),
) -> None:
    """List every rule: code, slug, summary and examples."""
    from migrator.ruledocs import render_rules

    try:
        typer.echo(render_rules(output_format), nl=False)
    except ValueError as exc:
        raise _fail(str(exc)) from None


from migrator.verify.cli import register as _register_verify  # noqa: E402

_register_verify(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
