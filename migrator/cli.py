"""The ``migrator`` command line.

Start-up is part of the editor use (one file through stdin): this module imports only
typer and the engine, whose rules load when a file gives them a reason; the verify
runtimes, the cache, the progress bar and the worker pool load when they are used.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from migrator import engine, notebooks, reports
from migrator.config import Config, ConfigError, load_config
from migrator.diffs import InvalidPatch, patch_name, unified_diff
from migrator.files import ConcurrentModification, Missing, discover, write_atomically
from migrator.gitignore import drop_ignored

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Rewrite TensorFlow 1.x and standalone Keras code into native TensorFlow 2.",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
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


def _print_version(value: bool) -> None:
    if value:
        from migrator import __version__

        typer.echo(f"migrator {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print migrator's version and exit."
    ),
) -> None:
    pass


def _parse_shard(value: str) -> tuple[int, int]:
    index, _, count = value.partition("/")
    try:
        shard = int(index), int(count)
    except ValueError:
        shard = (0, 0)
    if not 1 <= shard[0] <= shard[1]:
        raise _fail(f"--shard takes I/N with 1 <= I <= N (e.g. 2/4), not {value!r}")
    return shard


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
    fail_on: Optional[str] = typer.Option(
        None, "--fail-on", help="'remaining': exit 1 while TF 1 work remains (a to-do finding or a declined rewrite)."
    ),
    output_dir: Optional[str] = typer.Option(
        None, "--output-dir", help="Write the migrated tree there (every file scanned), leaving PATHS as they are."
    ),
    respect_gitignore: Optional[bool] = typer.Option(
        None, "--respect-gitignore/--no-respect-gitignore", help="Leave out files git ignores (default: yes)."
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache of results."),
    cache_dir: Optional[str] = typer.Option(
        None, "--cache-dir", metavar="DIR",
        help="Where results are cached (default: $MIGRATOR_CACHE_DIR, else .migrator_cache in the working folder).",
    ),
    shard: Optional[str] = typer.Option(
        None, "--shard", metavar="I/N",
        help="Only the files of shard I of N (1-based; by a stable hash of each file's path under its folder), "
        "for N parallel CI jobs whose patches together are the whole run's.",
    ),
    max_file_size: float = typer.Option(
        engine.MAX_FILE_BYTES / 1024 / 1024, "--max-file-size", min=0.0,
        help="Refuse files larger than this many MB (LibCST needs ~1 GB of memory per MB of code).",
    ),
    verify_with: Optional[str] = typer.Option(
        None, "--verify-with", metavar="CMD",
        help="Then prove it: run CMD (e.g. 'python train.py --steps 2') in the original folder (TF 1.15) and "
        "the migrated one (TF 2) and compare what they print; the verdict goes into the report.",
    ),
    sequential: bool = typer.Option(False, "--sequential", help="With --verify-with: one run after the other."),
) -> None:
    """Migrate PATHS in place (or show the diff with --diff)."""
    engine.collect_garbage_less_often()
    if diff and check:
        raise _fail("--diff and --check cannot be combined")
    command = _verify_command(verify_with, paths, diff or check, output_dir) if verify_with is not None else None
    if "-" in paths and len(paths) > 1:
        raise _fail("'-' (standard input) cannot be combined with other paths")
    if stdin_filename is not None and paths != ["-"]:
        raise _fail("--stdin-filename only applies when the path is '-' (standard input)")
    if output_dir is not None and (diff or check or paths == ["-"]):
        raise _fail("--output-dir writes files: it cannot be combined with --diff, --check or '-'")
    shard_range = _parse_shard(shard) if shard is not None else None
    if shard_range is not None and paths == ["-"]:
        raise _fail("--shard does not apply to standard input")
    # Hook: [tool.migrator] in the nearest pyproject.toml; command-line options win.
    try:
        config = load_config(Path(stdin_filename or ".") if paths == ["-"] else Path(paths[0]))
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    select_codes = _split_codes(select) or config.select
    ignore_codes = _split_codes(ignore) or config.ignore
    known = {rule.code for rule in engine.RULES}
    per_file = [c for codes in config.per_file_ignores.values() for c in codes]
    for code in select_codes + ignore_codes + per_file:
        if not any(k.startswith(code.upper()) for k in known):
            where = f" in {config.path}" if code not in _split_codes(select) + _split_codes(ignore) else ""
            raise _fail(f"unknown rule code or prefix {code!r}{where} (see `migrator rules`)")
    rules = engine.select_rules(select_codes, ignore_codes)
    max_bytes = int(max_file_size * 1024 * 1024)
    exclude = list(exclude or config.exclude_patterns())
    if output_dir is not None:
        exclude.append(os.path.relpath(output_dir))
    gitignore = config.respect_gitignore if respect_gitignore is None else respect_gitignore
    if fail_on not in (None, "remaining"):
        raise _fail(f"--fail-on takes 'remaining', not {fail_on!r}")
    if report_file:
        # Checked before any file is written: a report that cannot be written would
        # otherwise be lost after an in-place run, and could not be produced again.
        problem = reports.unwritable(report_file)
        if problem:
            raise _fail(f"cannot write the report to {report_file}: {problem}")

    interrupted = False
    verdict = None
    if paths == ["-"]:
        name = stdin_filename or "-"
        results = [_migrate_stdin(name, _without(rules, config.ignored_for(name)), diff, check, max_bytes)]
    else:
        previous = signal.signal(signal.SIGTERM, _terminate)
        pristine = _pristine_copy(Path(paths[0])) if command is not None else None
        try:
            cache = None if no_cache else _open_cache(cache_dir, rules, config, max_bytes)
            # The command's script is an entry point of the project, guard or not.
            entry_scripts = [Path(paths[0]) / command.script] if command is not None and command.script else []
            results, interrupted = _migrate_paths(
                paths, rules, tuple(exclude or ()), jobs or engine.default_jobs(), diff, check, quiet,
                shard_range, cache, max_bytes, config=config, gitignore=gitignore, output_dir=output_dir,
                entry_scripts=entry_scripts,
            )
            if pristine is not None and not interrupted:
                verdict = _verify_tree(pristine, Path(output_dir or paths[0]), command, sequential, config)
        finally:
            signal.signal(signal.SIGTERM, previous)
            if pristine is not None:
                shutil.rmtree(pristine.parent, ignore_errors=True)

    try:
        _report(
            results, output_format, report_file, stdout_taken=diff or paths == ["-"], verb=verb_for(diff, check),
            verdict=verdict,
        )
    except OSError as exc:
        raise _fail(f"cannot write the report to {report_file}: {exc.strerror or exc}") from None
    if not quiet:
        typer.echo(reports.summary_line(results, verb_for(diff, check)), err=True)
    remaining = fail_on == "remaining" and reports.has_remaining(results)
    if interrupted:
        typer.echo("migrator: interrupted; every file is either as it was or fully migrated", err=True)
        raise typer.Exit(EXIT_INTERRUPTED)
    if any(r.status is engine.Status.FAILED for r in results):
        raise typer.Exit(EXIT_ERROR)
    if ((diff or check) and any(r.changed for r in results)) or remaining:
        raise typer.Exit(EXIT_PENDING)
    if verdict is not None and not verdict.equivalent:
        raise typer.Exit(EXIT_PENDING)
    raise typer.Exit(EXIT_OK)


def _verify_command(command: str, paths: list[str], writes_nothing: bool, output_dir: Optional[str]):
    """The checked ``--verify-with`` command (a usage error otherwise)."""
    from migrator.verify import core

    if writes_nothing:
        raise _fail("--verify-with runs the migrated folder: it cannot be combined with --diff or --check")
    if len(paths) != 1 or not Path(paths[0]).is_dir():
        raise _fail("--verify-with needs exactly one folder to migrate (the project the command runs in)")
    if output_dir is not None:
        raise _fail("--verify-with runs the migrated folder in place: it cannot be combined with --output-dir")
    try:
        project = core.parse_command(shlex.split(command))
    except ValueError as exc:
        raise _fail(f"--verify-with: {exc}") from None
    if project.script is not None and not (Path(paths[0]) / project.script).is_file():
        raise _fail(f"--verify-with: {paths[0]} has no script {project.script}")
    return project


def _pristine_copy(folder: Path) -> Path:
    """A copy of the folder as it is before migrating, for --verify-with to run."""
    copy = Path(tempfile.mkdtemp(prefix="migrator-original-")) / (folder.resolve().name or "project")
    shutil.copytree(folder, copy, symlinks=True, ignore=shutil.ignore_patterns(".git", "__pycache__", "*.pyc"))
    return copy


def _verify_tree(original: Path, migrated: Path, command, sequential: bool, config: Config):
    from migrator.verify import core, runtimes

    typer.echo(f"migrator: verifying: {command} in the original (TF 1.15) and the migrated folder (TF 2)", err=True)
    try:
        legacy = runtimes.resolve_legacy_runtime(config.legacy_python)
    except runtimes.LegacyEnvError as exc:
        raise _fail(str(exc)) from None
    return core.verify_tree(original, migrated, command, legacy_runtime=legacy, sequential=sequential)


def verb_for(diff: bool, check: bool) -> str:
    return "would change" if (diff or check) else "changed"


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


def _open_cache(folder: Optional[str], rules, config: Config, max_bytes: int):
    from migrator import cache

    root = Path(folder) if folder else cache.default_folder()
    # Options that change a file's result: per-file-ignores change which rules run on it.
    options = {
        "max_file_bytes": max_bytes,
        "per_file_ignores": sorted((glob, sorted(codes)) for glob, codes in config.per_file_ignores.items()),
    }
    return cache.Cache(root, cache.fingerprint([rule.code for rule in rules], options))


def _migrate_stdin(name: str, rules, diff: bool, check: bool, max_bytes: int) -> engine.FileResult:
    result = engine.migrate_bytes(sys.stdin.buffer.read(), name, rules, max_bytes)
    if diff:
        if result.changed:
            _deliver(result, diff=True, check=False)
    elif not check:
        # On failure the input is echoed unchanged, so an editor never loses the buffer.
        sys.stdout.buffer.write(result.new_bytes if result.changed else result.old_bytes)
        if result.changed and result.new_findings is not None:
            result.findings = result.new_findings  # they describe the text now in the editor
    sys.stdout.flush()
    return result


def _without(rules, codes: list[str]):
    return engine.select_rules((), codes, rules) if codes else rules


def _groups(targets: list, rules, config: Config) -> list[tuple[tuple, list]]:
    """The targets by the rules that apply to them (per-file-ignores), in order."""
    groups: dict[tuple, list] = {}
    for item in targets:
        codes = () if isinstance(item, Missing) else tuple(config.ignored_for(item.display))
        groups.setdefault(codes, []).append(item)
    return [(_without(rules, list(codes)), items) for codes, items in groups.items()]


def _discover(paths, exclude, shard, gitignore: bool) -> list:
    targets = list(discover(paths, exclude, shard))
    if gitignore:  # hook: .gitignore (migrator/gitignore.py)
        targets = drop_ignored(targets, paths)
    return targets


def _migrate_paths(
    paths, rules, exclude, jobs, diff, check, quiet, shard, cache, max_bytes: int,
    config: Config, gitignore: bool, output_dir: Optional[str], entry_scripts=(),
) -> tuple[list[engine.FileResult], bool]:
    """Migrate and deliver file by file; returns the results and whether Ctrl-C stopped it.

    The files given form one project (``engine.index_targets``): an entry script is
    migrated after the modules it imports. Under ``--shard``, the whole tree is indexed, and the
    modules of other shards that this shard's entry scripts import are migrated too (not
    delivered), so that each shard decides as one run over the tree would."""
    results: list[engine.FileResult] = []
    progress = task = pool = None
    try:
        targets = _discover(paths, exclude, shard, gitignore)
        everything = _discover(paths, exclude, None, gitignore) if shard is not None else targets
        groups = _groups([t for t in everything if not isinstance(t, Missing)], rules, config)

        def start_workers() -> None:
            # The workers load the rules while the tree is indexed (a tree the cache knows
            # is not indexed again, and needs no workers).
            nonlocal pool
            if jobs > 1 and len(targets) >= 4 and len(groups) == 1:
                pool = engine.start_workers(jobs, groups[0][0], diff, cache, max_bytes)

        project = engine.index_targets(
            (t for t in everything if not isinstance(t, Missing)), entry_scripts, max_bytes, cache, start_workers
        )
        files = [t for t in targets if not isinstance(t, Missing)]
        helpers = project.dependencies(files, [t for t in everything if not isinstance(t, Missing)])
        project.rules_of = {t.display: tuple(rule.code for rule in group_rules) for group_rules, group in groups for t in group}
        helper_paths = {t.display for t in helpers}
        if sys.stderr.isatty() and not quiet and len(targets) > 1:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            progress = Progress(
                TextColumn("migrating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(file=sys.stderr), transient=True,
            )
            progress.start()
            task = progress.add_task("migrating", total=len(targets) + len(helpers))
        advance = (lambda n: progress.advance(task, n)) if progress is not None else None
        waiting = [t for t in files if project.waits(t)]
        first = [t for t in targets if isinstance(t, Missing) or not project.waits(t)] + helpers
        # With the same rules for every file, one run: each entry script starts when the
        # modules it imports are done. Per group of rules (per-file ignores), every script
        # waits for every module.
        if len(groups) == 1:
            runs = [(groups[0][0], first + waiting)]
        else:
            runs = [run for phase in (first, waiting) for run in _groups(phase, rules, config)]
        for group_rules, group in runs:
            for result in engine.migrate_targets(
                group, group_rules, jobs, want_diff=diff, on_progress=advance, cache=cache,
                max_file_bytes=max_bytes, project=project, pool=pool,
            ):
                if result.path in helper_paths:
                    continue  # another shard's file: only its outcome was needed
                if output_dir is not None:
                    _write_elsewhere(result, output_dir)
                elif result.changed:
                    _deliver(result, diff, check)
                # The bytes are not needed any more: a run over a big tree stays small.
                result.old_bytes = result.new_bytes = b""
                result.diff = None
                results.append(result)
        order = {item.display: i for i, item in enumerate(targets)}
        results.sort(key=lambda r: order.get(r.path, -1))
    except KeyboardInterrupt:
        return results, True
    finally:
        if progress is not None:
            progress.stop()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return results, False


def _write_elsewhere(result: engine.FileResult, output_dir: str) -> None:
    """--output-dir: the migrated file (or a copy of one left as it was) under ``output_dir``."""
    destination = Path(output_dir) / patch_name(result.path)
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        if result.changed:
            destination.write_bytes(result.new_bytes)
            if result.new_findings is not None:
                result.findings = result.new_findings
        elif Path(result.path).is_file():
            shutil.copyfile(result.path, destination)
    except OSError as exc:
        result.status = engine.Status.FAILED
        result.error = f"cannot write {destination}: {exc.strerror or exc}"


def _deliver(result: engine.FileResult, diff: bool, check: bool) -> None:
    """Print or write one changed file; a failure turns the result into FAILED."""
    try:
        if diff:
            patch = result.diff if result.diff is not None else unified_diff(
                result.path, result.old_bytes, result.new_bytes
            )
            sys.stdout.buffer.write(patch)
            sys.stdout.flush()
            if notebooks.is_notebook(result.path):  # for people: the change cell by cell
                sys.stderr.write(notebooks.cell_diff(result.path, result.old_bytes, result.new_bytes))
        elif not check:
            write_atomically(Path(result.path), result.new_bytes, result.old_bytes)
            if result.new_findings is not None:
                result.findings = result.new_findings  # positions in the file as it is now
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


def _report(
    results, output_format: ReportFormat, report_file: Optional[str], stdout_taken: bool, verb: str, verdict=None
) -> None:
    text = reports.render(results, output_format.value, verb, verdict)
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
    code: Optional[str] = typer.Argument(None, help="One rule's code (e.g. G101); all rules without it."),
    output_format: str = typer.Option("text", "--format", help="text, json or markdown."),
) -> None:
    """List every rule (or the one named): code, slug, summary and examples."""
    from migrator.ruledocs import render_rules

    try:
        typer.echo(render_rules(output_format, code), nl=False)
    except ValueError as exc:
        raise _fail(str(exc)) from None


@app.command()
def lsp() -> None:
    """Run the language server on standard input/output (for editors; needs migrator[lsp])."""
    try:
        from migrator.lsp import serve
    except ImportError as exc:
        raise _fail(f"the language server needs pygls: pip install 'migrator[lsp]' ({exc})") from None
    serve()


from migrator.verify.cli import register as _register_verify  # noqa: E402

_register_verify(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
