"""Upgrade tests: move the test database to an older schema, and always back to the newest.

An upgrade test that fails halfway would otherwise leave the database at the old schema and
every later test of the run would fail with it."""

from collections.abc import Callable, Iterator

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

Migrate = Callable[[list[tuple[str, str]]], Apps]


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate to `targets` (forwards or backwards); the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def migrator(transactional_db) -> Iterator[Migrate]:
    try:
        yield migrate
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
