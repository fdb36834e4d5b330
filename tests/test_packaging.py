"""What the wheel and the sdist carry: every source file of the package is
installed (meson's install list is written by hand), and the license."""

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "pkg" / "gilfree"


def test_every_package_file_is_installed():
    listed = set(re.findall(r"'([^']+)'", (PKG / "meson.build").read_text()))
    shipped = {p.name for p in PKG.iterdir() if p.suffix in (".py", ".pyi") or p.name == "py.typed"}
    missing = shipped - listed
    assert not missing, f"pkg/gilfree/meson.build does not install {sorted(missing)}"


def test_the_license_is_declared_and_shipped():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "BSD-3-Clause"
    for pattern in project["license-files"]:
        assert list(ROOT.glob(pattern)), f"license file {pattern} is missing"
    assert "BSD 3-Clause License" in (ROOT / "LICENSE").read_text()
