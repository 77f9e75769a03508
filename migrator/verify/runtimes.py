"""The interpreters that run BEFORE and AFTER programs.

* legacy: TensorFlow 1.15.5 + Keras 2.3.1 on Python 3.7, in a virtual environment that
  migrator creates once in its cache folder (``$MIGRATOR_CACHE``, else
  ``$XDG_CACHE_HOME/migrator``, else ``~/.cache/migrator``) under
  ``legacy-py37-tf1.15.5/``, or the user's own TF1 interpreter (``--legacy-python`` or
  ``$MIGRATOR_LEGACY_PYTHON``).
* compat: the fallback where no Python 3.7 exists: the project's own interpreter with
  ``tensorflow.compat.v1`` and v2 behaviour disabled standing in for ``tensorflow``.
* modern: the project's own interpreter (TensorFlow 2.21 + Keras 3).

Standard library only; importing this module is cheap and never imports TensorFlow.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

LEGACY_REQUIREMENTS = ("tensorflow==1.15.5", "keras==2.3.1", "protobuf<3.21")
# Libraries TF1 programs of the time import beside TensorFlow (plots, toy datasets, data
# frames); the modern runtime gets them from the `verify` extra. Installed into an existing
# environment when missing (recorded as "libraries" in the marker), without a rebuild;
# NumPy stays the version TensorFlow 1.15.5 brought.
LEGACY_LIBRARIES = ("matplotlib<3.6", "scikit-learn<1.1", "pandas<1.4", "pillow<10")
LEGACY_ENV_NAME = "legacy-py37-tf1.15.5"
MARKER_NAME = ".migrator-complete.json"
LEGACY_PYTHON_ENV_VAR = "MIGRATOR_LEGACY_PYTHON"
CHILD_DIR = Path(__file__).resolve().parent / "child"
BOOTSTRAP = CHILD_DIR / "bootstrap.py"


class LegacyEnvError(RuntimeError):
    """The legacy environment cannot be found or created."""


@dataclass(frozen=True)
class Runtime:
    """An interpreter plus the mode the child bootstrap runs it in."""

    name: str  # "legacy", "compat" or "modern"
    python: str
    description: str
    origin: str  # where it came from: "cache", "--legacy-python", "fallback", "project"

    @property
    def bootstrap_mode(self) -> str:
        return self.name

    def to_dict(self) -> dict:
        return {"name": self.name, "python": self.python, "description": self.description, "origin": self.origin}


def _log_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------
# Locations
# ----------------------------------------------------------------------------------


def cache_dir() -> Path:
    explicit = os.environ.get("MIGRATOR_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "migrator"
    return Path.home() / ".cache" / "migrator"


def legacy_env_dir() -> Path:
    return cache_dir() / LEGACY_ENV_NAME


def _env_python(env: Path) -> Path:
    if os.name == "nt":  # pragma: no cover - not a supported platform for TF 1.15 here
        return env / "Scripts" / "python.exe"
    return env / "bin" / "python"


def python_version(python: str, timeout: float = 20) -> Optional[tuple[int, int]]:
    """(major, minor) of an interpreter, or None when it does not run (a dead shim)."""
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.fullmatch(r"(\d+)\.(\d+)", out.stdout.strip())
    if out.returncode != 0 or not match:
        return None
    return int(match.group(1)), int(match.group(2))


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", path)
    return tuple(int(g or 0) for g in match.groups()) if match else (0,)


def python37_candidates() -> list[str]:
    """Places a Python 3.7 may be: PATH first, then pyenv's versions folders."""
    found: list[str] = []
    on_path = shutil.which("python3.7")
    if on_path:
        found.append(on_path)
    roots = []
    if os.environ.get("PYENV_ROOT"):
        roots.append(Path(os.environ["PYENV_ROOT"]).expanduser())
    roots.append(Path.home() / ".pyenv")
    for root in roots:
        matches = glob.glob(str(root / "versions" / "3.7*" / "bin" / "python3.7"))
        found.extend(sorted(matches, key=_version_key, reverse=True))
    unique: list[str] = []
    for candidate in found:
        if candidate not in unique:
            unique.append(candidate)
    return unique


def find_python37() -> Optional[str]:
    """The first Python 3.7 that actually runs (pyenv shims of inactive versions do not)."""
    for candidate in python37_candidates():
        if python_version(candidate) == (3, 7):
            return candidate
    return None


# ----------------------------------------------------------------------------------
# The cached legacy environment
# ----------------------------------------------------------------------------------


def _read_marker(env: Path) -> Optional[dict]:
    try:
        data = json.loads((env / MARKER_NAME).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("requirements") != list(LEGACY_REQUIREMENTS):
        return None
    return data


def _ensure_libraries(env: Path, python: Path, log: Callable[[str], None]) -> None:
    """Install LEGACY_LIBRARIES into a complete environment that lacks them."""
    marker = _read_marker(env) or {}
    if marker.get("libraries") == list(LEGACY_LIBRARIES):
        return
    numpy = marker.get("numpy")
    pins = ["numpy==%s" % numpy] if numpy else []
    log("migrator: adding %s to the legacy environment" % ", ".join(LEGACY_LIBRARIES))
    _run_logged(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
         *LEGACY_LIBRARIES, *pins],
        log,
    )
    marker["libraries"] = list(LEGACY_LIBRARIES)
    (env / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n")


def existing_legacy_env() -> Optional[Path]:
    """The cached environment's interpreter if it was completely installed, else None."""
    env = legacy_env_dir()
    python = _env_python(env)
    if _read_marker(env) is not None and python.exists():
        return python
    return None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_logged(command: list[str], log: Callable[[str], None]) -> None:
    log("$ " + " ".join(_quote(part) for part in command))
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL
    )
    tail: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        line = line.rstrip()
        tail = (tail + [line])[-30:]
        if line.startswith(("Collecting", "Successfully", "ERROR", "error")):
            log("  " + line)
    if process.wait() != 0:
        raise LegacyEnvError(
            "command failed (exit %d): %s\n%s" % (process.returncode, " ".join(command), "\n".join(tail))
        )


def _quote(text: str) -> str:
    return text if re.fullmatch(r"[\w./=:-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def ensure_legacy_env(
    base_python: Optional[str] = None, log: Callable[[str], None] = _log_to_stderr
) -> Path:
    """Create (once) and return the cached legacy environment's interpreter.

    ``base_python`` is the Python 3.7 to build it from (default: ``find_python37()``).
    A folder without the completion marker is a half-finished install: it is removed
    and rebuilt.  Concurrent callers wait for each other on a lock file.
    """
    env = legacy_env_dir()
    with _locked(env.parent / (LEGACY_ENV_NAME + ".lock")):
        python = existing_legacy_env()
        if python is not None:
            _ensure_libraries(env, python, log)
            return python
        base = base_python or find_python37()
        if base is None:
            raise LegacyEnvError(
                "no Python 3.7 found (looked for python3.7 on PATH and in "
                + ", ".join(str(p) for p in _pyenv_globs())
                + "); install one (e.g. `pyenv install 3.7.16`) or pass --legacy-python"
            )
        version = python_version(base)
        if version != (3, 7):
            raise LegacyEnvError(
                "%s is Python %s, not 3.7 (TensorFlow 1.15.5 has no wheels for it)"
                % (base, "%d.%d" % version if version else "that does not run")
            )
        if env.exists():
            log("migrator: removing the unfinished legacy environment at %s" % env)
            shutil.rmtree(env)
        started = time.monotonic()
        log("migrator: creating the legacy environment (TensorFlow 1.15.5, Keras 2.3.1, Python 3.7) at %s" % env)
        try:
            _run_logged([base, "-m", "venv", str(env)], log)
            python = _env_python(env)
            _run_logged(
                [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
                 *LEGACY_REQUIREMENTS],
                log,
            )
            probe = subprocess.run(
                [str(python), "-c",
                 "import tensorflow as tf, keras, numpy, sys; "
                 "print(tf.__version__, keras.__version__, numpy.__version__, sys.version.split()[0])"],
                capture_output=True, text=True, stdin=subprocess.DEVNULL,
                env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
            )
            versions = probe.stdout.split()
            if probe.returncode != 0 or len(versions) != 4 or versions[0] != "1.15.5":
                raise LegacyEnvError("the new environment does not import TensorFlow 1.15.5:\n" + probe.stderr[-2000:])
        except BaseException:
            shutil.rmtree(env, ignore_errors=True)
            raise
        marker = {
            "requirements": list(LEGACY_REQUIREMENTS),
            "base_python": base,
            "tensorflow": versions[0],
            "keras": versions[1],
            "numpy": versions[2],
            "python": versions[3],
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(time.monotonic() - started, 1),
        }
        (env / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n")
        _ensure_libraries(env, python, log)
        log("migrator: legacy environment ready in %.0f s: %s" % (time.monotonic() - started, python))
        return python


def _pyenv_globs() -> list[Path]:
    roots = [Path(os.environ["PYENV_ROOT"]).expanduser()] if os.environ.get("PYENV_ROOT") else []
    roots.append(Path.home() / ".pyenv")
    return [root / "versions" / "3.7*" / "bin" for root in roots]


def legacy_env_info() -> Optional[dict]:
    """The marker of the cached environment (versions, creation time), if complete."""
    if existing_legacy_env() is None:
        return None
    return _read_marker(legacy_env_dir())


# ----------------------------------------------------------------------------------
# Choosing runtimes
# ----------------------------------------------------------------------------------


def modern_runtime() -> Runtime:
    return Runtime("modern", sys.executable, "modern runtime: %s" % sys.executable, "project")


def compat_runtime(reason: str = "") -> Runtime:
    text = "fallback runtime: tensorflow.compat.v1 with v2 behaviour disabled on %s" % sys.executable
    text += " (" + reason + ")" if reason else ""
    return Runtime("compat", sys.executable, text, "fallback")


def user_legacy_runtime(python: str) -> Runtime:
    path = shutil.which(python) or python
    if not os.path.exists(path):
        raise LegacyEnvError("--legacy-python %s does not exist" % python)
    return Runtime("legacy", path, "legacy runtime: --legacy-python %s" % path, "--legacy-python")


def cached_legacy_runtime(python: Path) -> Runtime:
    description = "legacy runtime: %s" % python.parent.parent
    return Runtime("legacy", str(python), description, "cache")


def resolve_legacy_runtime(
    legacy_python: Optional[str] = None,
    create: bool = True,
    allow_fallback: bool = True,
    log: Callable[[str], None] = _log_to_stderr,
) -> Runtime:
    """The runtime for BEFORE programs.

    Order: ``legacy_python`` (or ``$MIGRATOR_LEGACY_PYTHON``); the cached environment;
    creating it from a Python 3.7 (when ``create``); the compat.v1 fallback (when
    ``allow_fallback``), else ``LegacyEnvError``.
    """
    legacy_python = legacy_python or os.environ.get(LEGACY_PYTHON_ENV_VAR) or None
    if legacy_python:
        return user_legacy_runtime(legacy_python)
    python = existing_legacy_env()
    if python is not None:
        return cached_legacy_runtime(python)
    reason = "no legacy environment at %s" % legacy_env_dir()
    if create:
        base = find_python37()
        if base is not None:
            try:
                return cached_legacy_runtime(ensure_legacy_env(base, log=log))
            except LegacyEnvError as exc:
                if not allow_fallback:
                    raise
                reason = "creating the legacy environment failed: %s" % str(exc).splitlines()[0]
        else:
            reason = "no Python 3.7 found"
    if allow_fallback:
        return compat_runtime(reason)
    raise LegacyEnvError(reason + "; run `migrator legacy-env` first")


def require_legacy_runtime() -> Runtime:
    """The real legacy runtime, never created nor replaced by the fallback.

    For the test-suite and CI: ``$MIGRATOR_LEGACY_PYTHON`` if set, else the cached
    environment (created beforehand by ``migrator legacy-env`` / ``make legacy-env``).
    Raises ``LegacyEnvError`` with instructions when it is missing.
    """
    explicit = os.environ.get(LEGACY_PYTHON_ENV_VAR)
    if explicit:
        return user_legacy_runtime(explicit)
    python = existing_legacy_env()
    if python is None:
        raise LegacyEnvError(
            "the legacy runtime (TensorFlow 1.15.5 + Keras 2.3.1 on Python 3.7) is missing: expected a "
            "complete environment at %s. Create it with `migrator legacy-env` (or `make legacy-env`), "
            "or point %s at a TF1 interpreter." % (legacy_env_dir(), LEGACY_PYTHON_ENV_VAR)
        )
    return cached_legacy_runtime(python)
