"""Django in a fresh process on a SQLite file of its own: `make run`'s database, for the few
tests that must see SQLite behave (the rest of the suite runs on PostgreSQL)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_on_sqlite(tmp_path: Path, script: str) -> subprocess.CompletedProcess:
    """Migrate a new SQLite database under `tmp_path`, then run `script` in `manage.py shell`
    against it; return the shell's completed process."""
    environment = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'accord.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
        "EMAIL_URL": "dummymail://",
    }

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
        )

    migrated = manage("migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    return manage("shell", "--command", script)
