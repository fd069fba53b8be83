"""The package built from pyproject.toml (the Docker image installs it) holds every app."""

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def test_every_app_of_accord_is_in_the_package():
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = found["packages"]["find"]["include"]
    ours = [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT
    ]

    assert "recognition" in ours
    assert [name for name in ours if not any(fnmatch(name, p) for p in patterns)] == []
