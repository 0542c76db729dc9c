"""The layers of ARCHITECTURE.md hold: import-linter's contracts pass, cover every app, and refuse a breach."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _project_packages() -> set[str]:
    """Every top-level package of the application (a folder with __init__.py, apart from tests)."""
    return {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_the_layers_contract_names_every_app():
    layers = next(c for c in _config()["contracts"] if c["type"] == "layers")["layers"]
    assert set(layers) == _project_packages(), "a new app must take its place in the layers contract"


def test_the_contracts_pass():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize(("lower", "higher"), [("instances", "meetings"), ("core", "membership"),
                                               ("membership", "secretariat"), ("meetings", "ptf_portal")])
def test_a_lower_app_importing_a_higher_one_is_refused(tmp_path, lower, higher):
    """Even from inside a function: import-linter sees every import, so hiding one does not help."""
    copy = tmp_path / "src"
    copy.mkdir()
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    for name in _project_packages() | {"tests"}:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "templates", "locale"))
    (copy / lower / "_breach.py").write_text(f"def hidden():\n    import {higher}  # noqa\n", encoding="utf-8")
    result = _lint(copy)
    assert result.returncode != 0
    assert f"{lower} is not allowed to import {higher}" in result.stdout
