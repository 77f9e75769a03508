"""Prove a migration by running the program before (TF 1.15) and after (TF 2) it.

Public API (cheap to import: no TensorFlow here, it runs only in child processes)::

    from migrator.verify import verify
    verdict = verify("before.py", "after.py")   # -> Verdict
    verdict.status      # "EQUIVALENT", "DIFFERENT", "BEFORE FAILED" or "AFTER FAILED"
    print(verdict.render())
    verify_tree("original/", "migrated/", ["python", "train.py", "--steps", "2"])  # a project

See ``core.verify``, ``compare.compare_outputs`` and ``runtimes``. The names below come
from ``core`` on first use: ``migrator --help`` registers the verify commands
(``migrator.verify.cli``) without loading the runtimes and the comparison.
"""

from __future__ import annotations

__all__ = [
    "AFTER_FAILED",
    "BEFORE_FAILED",
    "DIFFERENT",
    "EQUIVALENT",
    "ProjectCommand",
    "RunResult",
    "Verdict",
    "run_program",
    "verify",
    "verify_tree",
]


def __getattr__(name: str) -> object:
    if name in __all__:
        from migrator.verify import core

        return getattr(core, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
