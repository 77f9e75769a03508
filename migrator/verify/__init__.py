"""Prove a migration by running the program before (TF 1.15) and after (TF 2) it.

Public API (cheap to import: no TensorFlow here, it runs only in child processes)::

    from migrator.verify import verify
    verdict = verify("before.py", "after.py")   # -> Verdict
    verdict.status      # "EQUIVALENT", "DIFFERENT", "BEFORE FAILED" or "AFTER FAILED"
    print(verdict.render())

See ``core.verify``, ``compare.compare_outputs`` and ``runtimes``.
"""

from migrator.verify.core import (
    AFTER_FAILED,
    BEFORE_FAILED,
    DIFFERENT,
    EQUIVALENT,
    RunResult,
    Verdict,
    run_program,
    verify,
)

__all__ = [
    "AFTER_FAILED",
    "BEFORE_FAILED",
    "DIFFERENT",
    "EQUIVALENT",
    "RunResult",
    "Verdict",
    "run_program",
    "verify",
]
