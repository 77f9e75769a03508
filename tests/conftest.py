"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest

from migrator.verify import runtimes


@pytest.fixture(scope="session")
def legacy_runtime() -> runtimes.Runtime:
    """TF 1.15.5 (``make test`` builds it): the tests fail, never skip, without it."""
    try:
        return runtimes.require_legacy_runtime()
    except runtimes.LegacyEnvError as exc:
        pytest.fail(str(exc), pytrace=False)
