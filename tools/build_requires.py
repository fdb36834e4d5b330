"""Print pyproject.toml's build requirements, one per line (for pip -r):
the editable install builds without isolation, so they must be in the venv."""

from pathlib import Path

import tomllib

data = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
print("\n".join(data["build-system"]["requires"]))
