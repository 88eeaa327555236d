"""The fake Okta has no import circles: endpoint modules register in a routing table, and the
directory is written into by generators, admin roles and the System Log without importing them.

The graph is read with ``ast`` from every ``fake_okta/*.py``, so it counts every import: at the
top of a module, inside a function, and under ``if TYPE_CHECKING:``, which Python never runs but
which ties the modules together just the same. ``from fake_okta import shapes`` is an edge to
``fake_okta.shapes``; ``from fake_okta import FakeOkta`` an edge to the package itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "fake_okta"

Graph = dict[str, set[str]]


def import_graph(package: Path) -> Graph:
    """Each module of the package -> the modules of the same package it imports."""
    name = package.name
    modules = {
        (name if path.stem == "__init__" else f"{name}.{path.stem}"): path
        for path in sorted(package.glob("*.py"))
    }
    graph: Graph = {}
    for module, path in modules.items():
        graph[module] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            graph[module] |= _imported(node, module, name, modules) - {module}
    return graph


def _imported(node: ast.AST, module: str, package: str, modules: dict[str, Path]) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if not isinstance(node, ast.ImportFrom):
        return set()
    source = node.module or ""
    if node.level:  # relative: every module here sits directly in the package
        source = f"{package}.{source}".rstrip(".")
    if source == package:
        named = {f"{package}.{alias.name}" for alias in node.names}
        submodules = named & modules.keys()
        return submodules | ({package} if named - submodules else set())
    return {source} if source in modules else set()


def circles(graph: Graph) -> list[str]:
    """One line per group of modules tied in a circle (Tarjan's strongly connected groups):
    a shortest circle through it, then every module of the group."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[str] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.get(module, ())):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                circle = " -> ".join(_circle_through(graph, group))
                found.append(f"{circle} (tied together: {', '.join(sorted(group))})")

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def _circle_through(graph: Graph, group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for imported in sorted(graph[module] & group):
                if imported == start:
                    return [*paths[module], start]
                if imported not in paths:
                    paths[imported] = [*paths[module], imported]
                    following.append(imported)
        frontier = following
    raise AssertionError(f"{sorted(group)} is not strongly connected")


def test_fake_okta_has_no_import_circles():
    graph = import_graph(PACKAGE)

    found = circles(graph)

    assert {"fake_okta", "fake_okta.server", "fake_okta.directory"} <= graph.keys()
    assert found == [], "import circles in fake_okta:\n" + "\n".join(found)


def test_the_graph_counts_type_checking_and_function_local_imports(tmp_path):
    package = tmp_path / "org"
    package.mkdir()
    (package / "__init__.py").write_text("from org.server import Server\n")
    (package / "server.py").write_text("from org import pages\nfrom org.roles import Roles\n")
    (package / "pages.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from org.server import Server\n"
    )
    (package / "roles.py").write_text("def grant():\n    from .log import write\n")
    (package / "log.py").write_text("import org.roles\n")

    found = circles(import_graph(package))

    assert found == [
        "org.log -> org.roles -> org.log (tied together: org.log, org.roles)",
        "org.pages -> org.server -> org.pages (tied together: org.pages, org.server)",
    ]
