"""Warm runtimes: one interpreter per runtime that has imported TensorFlow, forking a
child per program (``child/warm.py`` says how and why), so that a program costs its
own run, not TensorFlow's import again.

A program runs in a fresh interpreter instead when ``MIGRATOR_VERIFY_FRESH=1`` is set,
when its own folder has a module named like one the warm interpreter has loaded (its
import would find the loaded one), for the compat runtime, and whenever a warm
interpreter cannot be started or stops answering.  Standard library only.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Optional

from migrator.verify.runtimes import CHILD_DIR, Runtime

SERVER = CHILD_DIR / "warm.py"
FRESH_ENV_VAR = "MIGRATOR_VERIFY_FRESH"
_START_TIMEOUT = 180.0  # importing TensorFlow on a busy machine
_GRACE = 30.0  # beyond a request's own timeout, before the server counts as stuck


class WarmError(RuntimeError):
    """The warm interpreter did not start or stopped answering: run fresh instead."""


class WarmServer:
    """One running ``child/warm.py``: a request at a time."""

    def __init__(self, runtime: Runtime, environment: Callable[[str], dict]):
        self.runtime = runtime
        self.home = tempfile.mkdtemp(prefix="migrator-warm-%s-" % runtime.name)
        self._pending = b""
        self._log = open(os.path.join(self.home, "server.log"), "wb")
        self._process = subprocess.Popen(
            [runtime.python, str(SERVER), "--runtime", runtime.bootstrap_mode],
            cwd=self.home, env=environment(self.home), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log, start_new_session=(os.name == "posix"),
        )
        try:
            hello = self._read(_START_TIMEOUT)
        except WarmError:
            self.close()
            raise
        self.modules: frozenset[str] = frozenset(hello.get("modules", ()))

    def _read(self, timeout: float) -> dict:
        """The next line the server writes, as JSON (unbuffered reads: select must see
        every byte that has not been taken yet)."""
        stdout = self._process.stdout
        assert stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([stdout], [], [], max(left, 0))
            chunk = os.read(stdout.fileno(), 65536) if ready else b""
            if not chunk:
                raise WarmError("the warm %s interpreter stopped answering" % self.runtime.name)
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)

    def run(self, argv: list[str], cwd: str, env: dict, stdout: str, stderr: str, timeout: float) -> tuple[int, bool]:
        """Run ``bootstrap.py argv`` in a child: (return code, whether it timed out)."""
        stdin = self._process.stdin
        assert stdin is not None
        request = {"argv": argv, "cwd": cwd, "env": env, "stdout": stdout, "stderr": stderr, "timeout": timeout}
        try:
            stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            stdin.flush()
        except OSError as exc:
            raise WarmError("the warm %s interpreter is gone: %s" % (self.runtime.name, exc)) from exc
        started = self._read(_GRACE)
        try:
            done = self._read(timeout + _GRACE)
        except WarmError:
            _kill_group(int(started["pid"]))
            raise
        return int(done["returncode"]), bool(done["timed_out"])

    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        if self._process.stdin is not None:
            try:
                self._process.stdin.close()
            except OSError:
                pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _kill_group(self._process.pid)
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._log.close()
        shutil.rmtree(self.home, ignore_errors=True)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class Pool:
    """Idle warm interpreters by runtime; a busy one is never shared, so threads that run
    programs at the same time (verify's BEFORE and AFTER, the corpus's jobs) get their own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, str], list[WarmServer]] = {}
        self._all: list[WarmServer] = []
        self._broken: set[tuple[str, str]] = set()  # runtimes whose interpreter would not start

    def acquire(self, runtime: Runtime, environment: Callable[[str], dict]) -> Optional[WarmServer]:
        """An idle interpreter for ``runtime`` (started if none is idle), or None: run fresh."""
        key = (runtime.python, runtime.bootstrap_mode)
        if runtime.bootstrap_mode not in ("legacy", "modern") or os.environ.get(FRESH_ENV_VAR) == "1":
            return None
        with self._lock:
            if key in self._broken:
                return None
            idle = self._idle.setdefault(key, [])
            while idle:
                server = idle.pop()
                if server.alive():
                    return server
        try:
            server = WarmServer(runtime, environment)
        except (OSError, WarmError, ValueError):
            with self._lock:
                self._broken.add(key)
            return None
        with self._lock:
            self._all.append(server)
        return server

    def release(self, server: WarmServer, usable: bool = True) -> None:
        if not usable or not server.alive():
            self._discard(server)
            return
        with self._lock:
            self._idle.setdefault((server.runtime.python, server.runtime.bootstrap_mode), []).append(server)

    def _discard(self, server: WarmServer) -> None:
        with self._lock:
            if server in self._all:
                self._all.remove(server)
        server.close()

    def close(self) -> None:
        with self._lock:
            servers, self._all, self._idle = self._all, [], {}
        for server in servers:
            server.close()


def own_modules(folder: Path) -> set[str]:
    """The top-level module names a program's own folder provides."""
    names = set()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return names
    for entry in entries:
        if entry.name.endswith(".py"):
            names.add(entry.name[:-3])
        elif entry.is_dir():
            names.add(entry.name)
    return names


POOL = Pool()
atexit.register(POOL.close)
