"""Moving the test database between migration states, for upgrade tests."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets=None):
    """Migrate to `targets` (an app's target None: none of its migrations), or to the newest
    migration of every app (leaving the test database as the rest of the suite expects it);
    returns the apps of that state, to write rows as that release would."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    applied = [target for target in targets if target[1] is not None]
    return executor.loader.project_state(applied).apps
