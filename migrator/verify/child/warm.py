"""A warm runtime: TensorFlow imported once, one forked child per program.

Usage: python warm.py --runtime {legacy,modern}

Importing TensorFlow takes most of a short program's run (about 6 s for TF 2.21 with
Keras 3, 2 s for TF 1.15 on the machines we measured).  This server imports it once,
under the same determinism hooks ``bootstrap.py`` installs, and then forks a child for
each request; the child runs ``bootstrap.main`` exactly as a fresh
``python bootstrap.py ...`` would, in the request's working directory and environment,
with its output in the request's files.  The hooks keep library imports from touching
the program's random streams, so a program sees the same state whether TensorFlow was
imported before it started or by its first line.

Protocol (one JSON object per line): the server first writes
``{"ready": true, "modules": [...]}`` (the top-level modules it has loaded: a program
whose own folder has a module of one of these names must run in a fresh interpreter);
then for each request ``{"argv": [bootstrap arguments], "cwd": DIR, "env": {...},
"stdout": FILE, "stderr": FILE, "timeout": SECONDS}`` it answers
``{"pid": PID}`` once the child has started, then ``{"returncode": N, "timed_out": B}``
(a negative ``returncode`` is the signal that ended the child, as with ``subprocess``).
The server ends when its input ends.  Runs in both interpreters: valid Python 3.7.
"""

import io
import json
import os
import signal
import sys
import time

CHILD_DIR = os.path.dirname(os.path.abspath(__file__))


def _load(runtime):
    """The hooks, then TensorFlow (and, with TF 2, the Keras 3 it brings) under them."""
    sys.path.insert(0, CHILD_DIR)
    import _migrator_child_data  # noqa: F401
    import _migrator_child_hooks as hooks
    import bootstrap

    sys.path.pop(0)
    hooks.install(provide_input_data=runtime == "legacy")
    import tensorflow  # noqa: F401

    return bootstrap


def _answer(out, message):
    out.write(json.dumps(message) + "\n")
    out.flush()


def _wait(pid, timeout):
    """The child's return code (negative: its signal) and whether it was killed for time."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
            return -signal.SIGKILL, True
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status), False
    return os.WEXITSTATUS(status), False


def _become_child(request):
    """In the forked child: its own session, folder, environment and output files."""
    os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    import tempfile

    tempfile.tempdir = None  # read TMPDIR again
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        target = os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    os.close(stdin)
    # As ``python`` with PYTHONUNBUFFERED and PYTHONIOENCODING=utf-8 sets them up.
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", write_through=True)
    sys.__stdout__, sys.__stderr__, sys.__stdin__ = sys.stdout, sys.stderr, sys.stdin


def serve(runtime):
    """Answer requests until the input ends; in a forked child, the bootstrap
    arguments it runs with (the caller runs them outside this loop)."""
    requests, out = sys.stdin, sys.stdout
    modules = sorted({name.split(".")[0] for name in list(sys.modules)})
    _answer(out, {"ready": True, "modules": modules})
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _become_child(request)
            return request["argv"]
        _answer(out, {"pid": pid})
        returncode, timed_out = _wait(pid, float(request["timeout"]))
        _answer(out, {"returncode": returncode, "timed_out": timed_out})
    return None


def main(argv):
    if len(argv) != 2 or argv[0] != "--runtime" or argv[1] not in ("legacy", "modern"):
        raise SystemExit("warm.py: need --runtime legacy|modern\n" + __doc__)
    bootstrap = _load(argv[1])
    child_argv = serve(argv[1])
    if child_argv is None:
        return 0
    return bootstrap.main(child_argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
