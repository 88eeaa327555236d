"""Feature apps depend on the Okta connection and the console's core, never on each other.

Every import in every module of the feature apps and of `okta` is read with `ast`, function-
local ones included, so a feature that reaches into another fails here naming the module."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ("sso", "scim", "sync", "okta_insights", "event_hooks", "access_reviews")
MAY_IMPORT = {app: {app, "okta", "querypie_admin"} for app in FEATURES} | {
    "okta": {"okta", "querypie_admin"},
    # Access reviews review what the visibility collection gathered (issue 22): that one
    # edge, never the other way (okta_insights signals the end of a collection instead).
    "access_reviews": {"access_reviews", "okta_insights", "okta", "querypie_admin"},
}
PROJECT_PACKAGES = {*FEATURES, "okta", "querypie_admin", "fake_okta", "tests"}


def imported_packages(path: Path) -> set[str]:
    """The project's top-level packages a module imports (relative imports are its own)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & PROJECT_PACKAGES


def crossings(app: str) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {package}"
        for path in (ROOT / app).rglob("*.py")
        for package in imported_packages(path) - MAY_IMPORT[app]
    )


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_an_app_imports_only_what_it_may(app):
    assert crossings(app) == []


def test_the_check_reads_function_local_imports(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from sync.models import SyncRun\n    import scim.auth\n")
    assert imported_packages(module) == {"sync", "scim"}
