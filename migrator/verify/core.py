"""Run BEFORE and AFTER in their runtimes, side by side, and decide.

Standard library only at import time; TensorFlow runs only in the child processes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from migrator.verify import compare as _compare
from migrator.verify import runtimes as _runtimes
from migrator.verify import warm as _warm
from migrator.verify.runtimes import Runtime

EQUIVALENT = "EQUIVALENT"
DIFFERENT = "DIFFERENT"
BEFORE_FAILED = "BEFORE FAILED"
AFTER_FAILED = "AFTER FAILED"

DEFAULT_TIMEOUT = 300.0
TAIL_LINES = 15

# Environment variables that must not leak from this process into the children: the
# legacy interpreter is another Python, and TF_USE_LEGACY_KERAS would swap Keras 3 out.
# TF2_BEHAVIOR: importing TensorFlow 2 sets it to 1 in its own process (a test worker, a
# notebook, any caller of `verify`), and TF 1.15 reads it: the legacy child would run eagerly.
_DROPPED_ENV = (
    "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH", "PYTHONINSPECT", "VIRTUAL_ENV",
    "TF_USE_LEGACY_KERAS", "PYTHONBREAKPOINT", "PYTHONWARNINGS", "__PYVENV_LAUNCHER__", "TF2_BEHAVIOR",
)


@dataclass
class RunResult:
    """One program's run in one runtime."""

    program: str
    runtime: Runtime
    returncode: Optional[int]
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    report: dict = field(default_factory=dict)  # versions and patches, from the child

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.returncode == 0

    def failure(self) -> str:
        """Why it failed, with the last lines of its error output."""
        if self.timed_out:
            head = "timed out after %.0f s" % self.seconds
        elif self.returncode is not None and self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = "signal %d" % -self.returncode
            head = "killed by %s" % name
        else:
            head = "exit status %s" % self.returncode
        tail = [line for line in self.stderr.rstrip().splitlines() if line.strip()][-TAIL_LINES:]
        return head + ("\n" + "\n".join(tail) if tail else "")

    def versions(self) -> str:
        parts = []
        for key, label in (("tensorflow", "TF"), ("keras", "Keras"), ("python", "Python")):
            if self.report.get(key):
                parts.append("%s %s" % (label, self.report[key]))
        return ", ".join(parts)

    def to_dict(self) -> dict:
        return {
            "program": self.program,
            "runtime": self.runtime.to_dict(),
            "returncode": self.returncode,
            "timed_out": self.timed_out,
            "seconds": round(self.seconds, 3),
            "versions": {k: self.report[k] for k in ("tensorflow", "keras", "numpy", "python") if k in self.report},
            "stdout": self.stdout,
            "stderr_tail": "\n".join(self.stderr.rstrip().splitlines()[-TAIL_LINES:]),
        }


def child_environment(scratch: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update({
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "CUDA_VISIBLE_DEVICES": "",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        # TF 1.15's stock wheel has no oneDNN; keep TF 2.21 on the same Eigen kernels.
        "TF_ENABLE_ONEDNN_OPTS": "0",
        "KERAS_BACKEND": "tensorflow",
        # A fresh Keras config (no user's ~/.keras/keras.json with another backend or
        # image format) that nothing writes into the user's home.
        "KERAS_HOME": os.path.join(scratch, ".keras"),
        "TMPDIR": scratch,
    })
    return env


@dataclass(frozen=True)
class ProjectCommand:
    """A project's own command: ``python SCRIPT ARGS...`` or ``python -m MODULE ARGS...``.

    ``python`` stands for whichever runtime runs it; the script's path is relative to the
    project's folder, which is also the working directory.
    """

    script: Optional[str]
    module: Optional[str]
    args: tuple[str, ...]

    def __str__(self) -> str:
        words = ["python"] + (["-m", self.module] if self.module else [self.script or ""]) + list(self.args)
        return " ".join(_runtimes._quote(word) for word in words)


_PYTHON_NAME = re.compile(r"python(\d+(\.\d+)?)?(\.exe)?")
# Interpreter options with no effect on what a program computes: the child runs
# unbuffered and writes no bytecode anyway.
_HARMLESS_PYTHON_OPTIONS = ("-u", "-B")


def parse_command(words: Sequence[str]) -> ProjectCommand:
    """Read ``python [-u] (SCRIPT | -m MODULE) ARGS...``; ValueError says what is wrong."""
    words = list(words)
    if not words or not _PYTHON_NAME.fullmatch(os.path.basename(words[0])):
        raise ValueError(
            "the command must start with python (the runtime's own interpreter runs it), not %r"
            % (words[0] if words else "")
        )
    rest = words[1:]
    while rest and rest[0] in _HARMLESS_PYTHON_OPTIONS:
        rest = rest[1:]
    if not rest:
        raise ValueError("the command names no script or module to run: %s" % " ".join(words))
    if rest[0] == "-m":
        if len(rest) < 2 or not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", rest[1]):
            raise ValueError("python -m needs a module name, e.g. python -m package.train")
        return ProjectCommand(None, rest[1], tuple(rest[2:]))
    if rest[0].startswith("-"):
        raise ValueError("python option %s is not supported (only -m, -u and -B are)" % rest[0])
    if os.path.isabs(rest[0]):
        raise ValueError("the script %s must be a path relative to the project's folder" % rest[0])
    return ProjectCommand(rest[0], None, tuple(rest[1:]))


# Not copied into a scratch copy of a project: nothing a program reads.
_NOT_COPIED = shutil.ignore_patterns(".git", ".hg", ".svn", "__pycache__", "*.pyc")


class _Child:
    def __init__(self, program: Path, runtime: Runtime, argv: Sequence[str], timeout: float,
                 project: Optional[Path] = None, module: Optional[str] = None, workdir: Optional[Path] = None):
        """``program`` runs with ``argv``; inside ``project`` (a folder, copied into the
        scratch folder first) ``program`` is relative to it, or ``module`` runs instead;
        in ``workdir`` (kept afterwards) instead of the scratch folder, if given."""
        self.program = program
        self.runtime = runtime
        self.argv = list(argv)
        self.timeout = timeout
        self.project = project
        self.module = module
        self.workdir = workdir
        self.result: Optional[RunResult] = None

    def _label(self) -> str:
        if self.project is None:
            return str(self.program)
        return "%s: %s" % (self.project, ProjectCommand(
            None if self.module else str(self.program), self.module, tuple(self.argv)))

    def own_folder(self, cwd: str) -> Path:
        """The folder whose modules are the program's own."""
        return Path(cwd) if self.project is not None else self.program.parent

    def run(self) -> None:
        scratch = tempfile.mkdtemp(prefix="migrator-verify-%s-" % self.runtime.name)
        report_path = os.path.join(scratch, ".migrator-report.json")
        cwd = str(self.workdir) if self.workdir is not None else scratch
        target = ["--", str(self.program)]
        if self.project is not None:
            cwd = os.path.join(scratch, self.project.name or "project")
            target = ["--root", cwd] + (["--module", self.module, "--"] if self.module else
                                        ["--", os.path.join(cwd, str(self.program))])
        arguments = ["--runtime", self.runtime.bootstrap_mode, "--report", report_path, *target, *self.argv]
        started = time.monotonic()
        try:
            if self.project is not None:
                try:
                    shutil.copytree(self.project, cwd, symlinks=True, ignore=_NOT_COPIED)
                except (OSError, shutil.Error) as exc:
                    self.result = RunResult(self._label(), self.runtime, None, "",
                                            "cannot copy %s: %s" % (self.project, exc), time.monotonic() - started)
                    return
            ran = self._run_warm(arguments, cwd, scratch) or self._run_fresh(arguments, cwd, scratch)
            if isinstance(ran, str):
                self.result = RunResult(self._label(), self.runtime, None, "", ran, time.monotonic() - started)
                return
            returncode, out, err, timed_out = ran
            report = {}
            try:
                with open(report_path) as handle:
                    report = json.load(handle)
            except (OSError, ValueError):
                pass
            self.result = RunResult(
                self._label(), self.runtime, returncode, out.decode("utf-8", "replace"),
                err.decode("utf-8", "replace"), time.monotonic() - started, timed_out, report,
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _run_warm(self, arguments: list[str], cwd: str, scratch: str) -> Optional[tuple[int, bytes, bytes, bool]]:
        """Forked from a warm interpreter (``warm.py``); None: it cannot run there."""
        server = _warm.POOL.acquire(self.runtime, child_environment)
        if server is None:
            return None
        if server.modules & _warm.own_modules(self.own_folder(cwd)):
            _warm.POOL.release(server)
            return None
        out_path, err_path = os.path.join(scratch, ".migrator-stdout"), os.path.join(scratch, ".migrator-stderr")
        try:
            returncode, timed_out = server.run(
                arguments, cwd, child_environment(scratch), out_path, err_path, self.timeout)
        except _warm.WarmError:
            _warm.POOL.release(server, usable=False)
            return None
        _warm.POOL.release(server)
        with open(out_path, "rb") as out, open(err_path, "rb") as err:
            return returncode, out.read(), err.read(), timed_out

    def _run_fresh(self, arguments: list[str], cwd: str, scratch: str) -> tuple[int, bytes, bytes, bool] | str:
        """In a new interpreter: (return code, output, error output, timed out), or why it could not start."""
        command = [self.runtime.python, str(_runtimes.BOOTSTRAP), *arguments]
        try:
            process = subprocess.Popen(
                command, cwd=cwd, env=child_environment(scratch), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=(os.name == "posix"),
            )
        except OSError as exc:
            return "cannot start %s: %s" % (self.runtime.python, exc)
        timed_out = False
        try:
            out, err = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill(process)
            out, err = process.communicate()
        return process.returncode, out, err, timed_out


def _kill(process: subprocess.Popen) -> None:
    """End the child and everything it started (its own process group)."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass


def run_program(
    program: str | os.PathLike, runtime: Runtime, argv: Sequence[str] = (), timeout: float = DEFAULT_TIMEOUT,
    workdir: str | os.PathLike | None = None,
) -> RunResult:
    """Run one program under the child bootstrap in ``runtime`` and collect its output;
    in ``workdir`` (what it writes stays there) instead of a scratch folder, if given."""
    child = _Child(Path(program).resolve(), runtime, argv, timeout, workdir=None if workdir is None else Path(workdir))
    child.run()
    assert child.result is not None
    return child.result


def run_pair(
    before: Path, after: Path, legacy: Runtime, modern: Runtime, argv: Sequence[str], timeout: float,
    sequential: bool = False,
) -> tuple[RunResult, RunResult]:
    """Run both programs at the same time (or BEFORE then AFTER), each in its own process."""
    return _run_children([_Child(before, legacy, argv, timeout), _Child(after, modern, argv, timeout)], sequential)


def _run_children(children: list[_Child], sequential: bool) -> tuple[RunResult, RunResult]:
    if sequential:
        for child in children:
            child.run()
    else:
        threads = [threading.Thread(target=child.run, daemon=True) for child in children]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert children[0].result is not None and children[1].result is not None
    return children[0].result, children[1].result


@dataclass
class Verdict:
    status: str  # EQUIVALENT, DIFFERENT, BEFORE FAILED, AFTER FAILED
    before: RunResult
    after: RunResult
    compare_mode: str
    comparison: Optional[_compare.Comparison]  # in compare_mode, at the chosen tolerances
    strict: Optional[_compare.Comparison]  # steps mode at the steps tolerances
    loose: Optional[_compare.Comparison]  # final mode at the final tolerances
    notes: list[str] = field(default_factory=list)
    command: Optional[str] = None  # a project's command (``verify_tree``); None for two files

    @property
    def equivalent(self) -> bool:
        return self.status == EQUIVALENT

    @property
    def exit_code(self) -> int:
        return 0 if self.equivalent else 1

    @property
    def agreement(self) -> str:
        """``strict``, ``loose`` (only the final values agree loosely) or ``none``."""
        if self.strict is not None and self.strict.equivalent:
            return "strict"
        if self.loose is not None and self.loose.equivalent:
            return "loose"
        return "none"

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "equivalent": self.equivalent,
            "command": self.command,
            "compare": self.compare_mode,
            "agreement": self.agreement if self.comparison is not None else None,
            "strict": self.strict.equivalent if self.strict is not None else None,
            "loose": self.loose.equivalent if self.loose is not None else None,
            "comparison": self.comparison.to_dict() if self.comparison is not None else None,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def render(self, width: Optional[int] = None, max_differences: int = 10) -> str:
        from migrator.verify.render import render_verdict

        return render_verdict(self, width=width, max_differences=max_differences)


def verify(
    before_path: str | os.PathLike,
    after_path: str | os.PathLike,
    *,
    rtol: Optional[float] = None,
    atol: Optional[float] = None,
    compare: str = "steps",
    legacy_python: Optional[str] = None,
    legacy_runtime: Optional[Runtime] = None,
    timeout: float = DEFAULT_TIMEOUT,
    argv: Sequence[str] = (),
    create_legacy_env: bool = True,
    allow_fallback: bool = True,
    sequential: bool = False,
) -> Verdict:
    """Run BEFORE on the legacy runtime and AFTER on the modern one and compare them.

    ``rtol``/``atol`` apply to ``compare`` mode (default per mode, see ``compare.py``).
    The legacy runtime is ``legacy_runtime`` if given, else ``legacy_python``, else the
    cached environment (created when missing and ``create_legacy_env``), else the
    compat.v1 fallback (when ``allow_fallback``); ``runtimes.LegacyEnvError`` otherwise.
    Both run at once, or one after the other with ``sequential``.
    """
    if compare not in _compare.MODES:
        raise ValueError("compare must be one of %s, not %r" % (", ".join(_compare.MODES), compare))
    before, after = Path(before_path).resolve(), Path(after_path).resolve()
    for label, path in (("BEFORE", before), ("AFTER", after)):
        if not path.is_file():
            raise FileNotFoundError("%s program %s does not exist" % (label, path))
    legacy = legacy_runtime or _runtimes.resolve_legacy_runtime(
        legacy_python, create=create_legacy_env, allow_fallback=allow_fallback
    )
    modern = _runtimes.modern_runtime()
    result_before, result_after = run_pair(before, after, legacy, modern, argv, timeout, sequential)
    return _decide(result_before, result_after, legacy, compare, rtol, atol)


def verify_tree(
    before_dir: str | os.PathLike,
    after_dir: str | os.PathLike,
    command: Sequence[str] | ProjectCommand,
    *,
    rtol: Optional[float] = None,
    atol: Optional[float] = None,
    compare: str = "steps",
    legacy_python: Optional[str] = None,
    legacy_runtime: Optional[Runtime] = None,
    timeout: float = DEFAULT_TIMEOUT,
    create_legacy_env: bool = True,
    allow_fallback: bool = True,
    sequential: bool = False,
) -> Verdict:
    """Run a project's own command in a scratch copy of BEFORE_DIR (legacy runtime) and
    of AFTER_DIR (modern runtime) and compare what they print, as ``verify`` does.

    ``command`` is ``python SCRIPT ARGS...`` or ``python -m MODULE ARGS...`` (words, or a
    ``ProjectCommand``); ValueError when it is not one, FileNotFoundError when a folder or
    the script is missing. Other arguments as for ``verify``.
    """
    if compare not in _compare.MODES:
        raise ValueError("compare must be one of %s, not %r" % (", ".join(_compare.MODES), compare))
    parsed = command if isinstance(command, ProjectCommand) else parse_command(command)
    before, after = Path(before_dir).resolve(), Path(after_dir).resolve()
    for label, path in (("BEFORE", before), ("AFTER", after)):
        if not path.is_dir():
            raise FileNotFoundError("%s project %s is not a folder" % (label, path))
        if parsed.script is not None and not (path / parsed.script).is_file():
            raise FileNotFoundError("%s project %s has no script %s" % (label, path, parsed.script))
    legacy = legacy_runtime or _runtimes.resolve_legacy_runtime(
        legacy_python, create=create_legacy_env, allow_fallback=allow_fallback
    )
    modern = _runtimes.modern_runtime()
    program = Path(parsed.script or "")
    children = [
        _Child(program, runtime, parsed.args, timeout, project=tree, module=parsed.module)
        for tree, runtime in ((before, legacy), (after, modern))
    ]
    result_before, result_after = _run_children(children, sequential)
    verdict = _decide(result_before, result_after, legacy, compare, rtol, atol)
    verdict.command = str(parsed)
    return verdict


def _decide(
    result_before: RunResult, result_after: RunResult, legacy: Runtime,
    compare: str, rtol: Optional[float], atol: Optional[float],
) -> Verdict:
    """The verdict on two runs: failures first, then the printed numbers."""
    notes = []
    if legacy.name == "compat":
        notes.append(
            "BEFORE ran on the fallback runtime (tensorflow.compat.v1 on TensorFlow 2, where standalone "
            "Keras 2, tf.layers and tf.contrib do not exist), not on real TensorFlow 1.15.5: "
            "run `migrator legacy-env` for the real one"
        )
    if not result_before.ok:
        if not result_after.ok:
            notes.append("AFTER failed too: " + result_after.failure().splitlines()[0])
        return Verdict(BEFORE_FAILED, result_before, result_after, compare, None, None, None, notes)
    if not result_after.ok:
        return Verdict(AFTER_FAILED, result_before, result_after, compare, None, None, None, notes)
    chosen = _compare.compare_outputs(result_before.stdout, result_after.stdout, compare, rtol, atol)
    strict = chosen if compare == "steps" else _compare.compare_outputs(result_before.stdout, result_after.stdout, "steps")
    loose = chosen if compare == "final" else _compare.compare_outputs(result_before.stdout, result_after.stdout, "final")
    if chosen.records_before == 0 and chosen.records_after == 0:
        notes.append("neither program printed anything to compare: only their exit status was checked")
    status = EQUIVALENT if chosen.equivalent else DIFFERENT
    return Verdict(status, result_before, result_after, compare, chosen, strict, loose, notes)
