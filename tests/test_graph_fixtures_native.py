"""Graph fixtures that are not meant to fall back come out as native TF2 code."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "graph"
def _expects_fallback(folder: Path) -> bool:
    toml = folder / "fixture.toml"
    return toml.exists() and "expect_fallback = true" in toml.read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", [d for d in sorted(FIXTURES.iterdir()) if not _expects_fallback(d)], ids=lambda d: d.name)
def test_no_graph_era_api_is_left(folder: Path) -> None:
    source = (folder / "after.py").read_text(encoding="utf-8")
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    names = [t.string for t in tokens if t.type not in (tokenize.COMMENT, tokenize.STRING)]
    text = "".join(names)
    # whole names: a user's `images_placeholder` variable is not the TF1 API
    for leftover in ("Session", "InteractiveSession", "placeholder", "disable_eager_execution", "disable_v2_behavior"):
        assert leftover not in names, f"{folder.name}/after.py still uses {leftover}"
    assert "compat.v1" not in text, f"{folder.name}/after.py still uses compat.v1"
