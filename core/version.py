"""The release this code is: pyproject.toml's version (the installed package's metadata where there is no source)."""

import tomllib
from importlib import metadata
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _read() -> str:
    try:
        return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        try:
            return metadata.version("ptf-portal")
        except metadata.PackageNotFoundError:
            return "unknown"


VERSION = _read()
