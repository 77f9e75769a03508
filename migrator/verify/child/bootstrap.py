"""Run one user program under migrator verify's deterministic conditions.

Usage: python bootstrap.py --runtime {legacy,modern,compat} [--report FILE] [--root DIR]
                           [--module NAME] -- [PROGRAM] [ARGS...]

Runs in the legacy interpreter (Python 3.7, TensorFlow 1.15.5, Keras 2.3.1) and in the
modern one (TensorFlow 2.21, Keras 3), so it must stay valid Python 3.7.

The program runs as ``__main__`` via runpy, with its own folder first on sys.path and
``sys.argv = [PROGRAM] + ARGS``; its exit status is this process's exit status.
A project (``--root DIR``, the working directory) is the program's own code: with
``--module NAME`` the module runs as ``python -m NAME`` would run it (DIR first on
sys.path), else PROGRAM runs with its folder first on sys.path, as ``python PROGRAM``.
``--runtime compat`` is the fallback for machines without Python 3.7: ``tensorflow``
becomes ``tensorflow.compat.v1`` with v2 behaviour disabled.
"""

import json
import os
import sys
import traceback


def _parse(argv):
    """``--runtime R [--report F] -- PROGRAM ARGS...``; nothing after ``--`` is ours."""
    options = {"runtime": None, "report": None, "root": None, "module": None}
    i = 0
    while i < len(argv) and argv[i] != "--":
        flag = argv[i].lstrip("-")
        if flag not in options or i + 1 >= len(argv):
            raise SystemExit("bootstrap.py: bad argument %r\n%s" % (argv[i], __doc__))
        options[flag] = argv[i + 1]
        i += 2
    rest = argv[i + 1:]
    if options["runtime"] not in ("legacy", "modern", "compat") or not (rest or options["module"]):
        raise SystemExit("bootstrap.py: need --runtime legacy|modern|compat and a program\n" + __doc__)
    if options["module"]:
        return options, None, rest
    return options, rest[0], rest[1:]


def _own_frame(tb, program, root):
    """Whether a traceback frame is the user's code (not ours, not runpy's)."""
    filename = tb.tb_frame.f_code.co_filename
    if root:
        # "<frozen runpy>" is no file: made absolute, it would seem to be in the project.
        return os.path.isabs(filename) and filename.startswith(os.path.join(root, ""))
    return filename == program


def _write_report(path, hooks, runtime):
    if not path:
        return
    info = {"runtime": runtime, "python": sys.version.split()[0], "patched": hooks._state["patched"]}
    info.update(hooks.counters())
    for name in ("tensorflow", "keras", "numpy"):
        module = sys.modules.get(name)
        version = getattr(module, "__version__", None) if module is not None else None
        if version is None and module is not None:
            version = getattr(getattr(module, "version", None), "VERSION", None)
        if version is not None:
            info[name] = str(version)
    try:
        with open(path, "w") as handle:
            json.dump(info, handle)
    except (OSError, TypeError, ValueError):
        pass


def main(argv):
    options, program, args = _parse(argv)
    runtime, report, module = options["runtime"], options["report"], options["module"]
    root = os.path.abspath(options["root"]) if options["root"] else None
    program = os.path.abspath(program) if program else None
    child_dir = os.path.dirname(os.path.abspath(__file__))

    # Our helpers are imported under unique names, then our folder leaves sys.path:
    # the program sees its own folder first, as with ``python program.py``.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != child_dir]
    sys.path.insert(0, child_dir)
    import _migrator_child_data  # noqa: F401  (imported now, while the path allows it)
    import _migrator_child_hooks as hooks

    sys.path.pop(0)
    sys.path.insert(0, root if module else os.path.dirname(program))

    hooks.install(program_dir=root or os.path.dirname(program),
                  provide_input_data=runtime in ("legacy", "compat"),
                  compat=runtime == "compat")
    if runtime == "compat":
        hooks.compat_tensorflow()

    sys.argv = [program or module] + list(args)
    import runpy

    status = 0
    try:
        if module:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(program, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        if code is None:
            status = 0
        elif isinstance(code, int):
            status = code
        else:
            sys.stderr.write(str(code) + "\n")
            status = 1
    except BaseException:  # the program's own failure: show its traceback, not ours
        kind, value, tb = sys.exc_info()
        while tb is not None and not _own_frame(tb, program, root):
            tb = tb.tb_next
        traceback.print_exception(kind, value, tb)
        status = 1
    finally:
        try:
            sys.stdout.flush()
        except Exception:
            pass
        _write_report(report, hooks, runtime)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
