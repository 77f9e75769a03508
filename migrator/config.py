"""``[tool.migrator]`` in the nearest pyproject.toml, as ruff reads ``[tool.ruff]``.

    [tool.migrator]
    select = ["G", "T"]              # rule codes or prefixes
    ignore = ["K205"]
    exclude = ["third_party/*"]      # globs, as --exclude
    legacy-python = "/opt/py37/bin/python"   # for `migrator verify`
    respect-gitignore = true         # the default

    [tool.migrator.per-file-ignores]
    "tests/*" = ["G101"]

Command-line options override the file's values. Paths and globs are relative to the
folder of the pyproject.toml.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

KEYS = ("select", "ignore", "exclude", "per-file-ignores", "legacy-python", "respect-gitignore")


class ConfigError(Exception):
    """A pyproject.toml that cannot be used; the message names the file."""


@dataclass
class Config:
    path: Path | None = None  # the pyproject.toml read, None when there is none
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    legacy_python: str | None = None
    respect_gitignore: bool = True

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def ignored_for(self, display: str) -> list[str]:
        """The rule codes per-file-ignores switches off for the file ``display`` names."""
        if not self.per_file_ignores:
            return []
        relative = _relative_to(Path(display), self.root)
        name = os.path.basename(display)
        codes: list[str] = []
        for pattern, ignored in self.per_file_ignores.items():
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(name, pattern):
                codes.extend(ignored)
        return codes

    def exclude_patterns(self) -> list[str]:
        """The exclude globs, also spelled relative to the working folder (how discovery
        names files) when the pyproject.toml is elsewhere."""
        patterns = list(self.exclude)
        if self.path is not None:
            prefix = os.path.relpath(self.root)
            if prefix != ".":
                patterns += [os.path.join(prefix, p) for p in self.exclude]
        return patterns


def _relative_to(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), root.resolve()).replace(os.sep, "/")
    except ValueError:
        return str(path)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` that has a ``[tool.migrator]``."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file() and b"[tool.migrator" in path.read_bytes():
            return path
    return None


def _strings(path: Path, key: str, value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: [tool.migrator] {key} must be a list of strings")
    return value


def load_config(start: Path) -> Config:
    path = find_pyproject(start)
    if path is None:
        return Config()
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("migrator", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown [tool.migrator] key(s) {', '.join(unknown)} (known: {', '.join(KEYS)})")
    config = Config(path=path)
    config.select = _strings(path, "select", table.get("select", []))
    config.ignore = _strings(path, "ignore", table.get("ignore", []))
    config.exclude = _strings(path, "exclude", table.get("exclude", []))
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{path}: [tool.migrator] per-file-ignores must be a table of glob = [codes]")
    config.per_file_ignores = {glob: _strings(path, f"per-file-ignores.{glob}", v) for glob, v in per_file.items()}
    legacy = table.get("legacy-python")
    if legacy is not None:
        if not isinstance(legacy, str):
            raise ConfigError(f"{path}: [tool.migrator] legacy-python must be a path")
        config.legacy_python = str((path.parent / os.path.expanduser(legacy)))
    respect = table.get("respect-gitignore", True)
    if not isinstance(respect, bool):
        raise ConfigError(f"{path}: [tool.migrator] respect-gitignore must be true or false")
    config.respect_gitignore = respect
    return config
