"""The Simplified Chinese catalogue covers every user-facing string in the code and templates."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["common", "config", "outbox", "chats", "webhooks", "departments", "agreements",
           "tickets", "disputes", "surveys", "feedback", "directory", "dashboards", "recognition",
           "templates", "static", "locale",
           "manage.py"]  # fmt: skip
CATALOGUES = ["django.po", "djangojs.po"]


def test_every_string_has_a_simplified_chinese_translation(tmp_path):
    for source in SOURCES:
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, tmp_path / source, ignore=shutil.ignore_patterns("*.mo"))
        elif (ROOT / source).exists():
            shutil.copy(ROOT / source, tmp_path / source)
    environment = {**os.environ, "DEBUG": "true"}
    for domain in ("django", "djangojs"):
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans",
             "--domain", domain, "--ignore", "static/vendor/*", "--no-obsolete"],
            cwd=tmp_path, env=environment, check=True, capture_output=True,
        )  # fmt: skip

    problems = {}
    for catalogue in CATALOGUES:
        path = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / catalogue
        if not path.exists():
            continue
        statistics = subprocess.run(
            ["msgfmt", "--statistics", "--output-file=/dev/null", str(path)],
            capture_output=True, text=True, check=True,
        ).stderr  # fmt: skip
        if "untranslated" in statistics or "fuzzy" in statistics:
            problems[catalogue] = statistics.strip()

    assert not problems, f"run `make translations` and translate the new entries: {problems}"
