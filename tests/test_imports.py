"""The import graph of the installed package: no cycles among `neurojit.*` modules, and the layers of DESIGN §1
(compiler <- evaluator <- agent <- CLI) only import downwards.

Every module's source is parsed, not imported, and every import counts, also those inside functions: a
deferred import hides a cycle from Python but not from a reader, and a cycle is where a refactor breaks.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from functools import cache

import pytest

ROOT = "neurojit"
# The packages of the distribution (an editable install maps them to folders outside neurojit/, where
# walking neurojit's own __path__ would not find them).
PACKAGES = (ROOT, f"{ROOT}.compiler", f"{ROOT}.evaluator", f"{ROOT}.agent", f"{ROOT}.experiments")


@cache
def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _modules() -> dict[str, str]:
    """Every module of the package: name -> source file."""
    found: dict[str, str] = {}
    todo = list(PACKAGES)
    while todo:
        pkg = importlib.import_module(todo.pop())
        found[pkg.__name__] = pkg.__file__
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            spec = importlib.util.find_spec(info.name)
            if info.ispkg:
                todo.append(info.name)
            elif spec is not None and spec.origin and spec.origin.endswith(".py"):
                found[info.name] = spec.origin
    return found


def _imports(name: str, path: str, is_package: bool) -> set[str]:
    """The `neurojit.*` modules `name` imports, anywhere in its source."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    package = name if is_package else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for a in node.names:  # `from pkg import mod` imports the module pkg.mod; `from mod import f` mod
                out.add(f"{base}.{a.name}" if _is_module(f"{base}.{a.name}") else base)
    return {m for m in out if m == ROOT or m.startswith(ROOT + ".")}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, path.endswith("__init__.py")) - {name} for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[tuple[list[str], list[str]]]:
    """For each strongly connected component of the graph: one cycle through it (a path a -> b -> ... -> a)
    and all of its modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                components.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [(_path_in(graph, comp), sorted(comp)) for comp in components]


def _path_in(graph: dict[str, set[str]], comp: set[str]) -> list[str]:
    """A shortest cycle through the component's first module (breadth-first back to it)."""
    start = min(comp)
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph.get(v, set()) & comp):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return [start, *reversed(path[:-1]), start] if v != start else [start, start]
                if w not in parent:
                    parent[w] = v
                    nxt.append(w)
        frontier = nxt
    return sorted(comp)


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_walk_finds_every_layer(graph):
    for pkg in PACKAGES:
        assert pkg in graph
    assert {"neurojit.cli", "neurojit.agent.graph", "neurojit.agent.llm.gemini", "neurojit.evaluator.worker",
            "neurojit.compiler.kernel"} <= set(graph)
    # imports inside functions count
    assert "neurojit.agent.schedules" in graph["neurojit.agent.heuristic"]


def test_no_import_cycle(graph):
    found = cycles(graph)
    assert not found, "import cycles among neurojit modules:\n" + "\n".join(
        f"{' -> '.join(path)}  (in one cycle: {', '.join(members)})" for path, members in found)


@pytest.mark.parametrize("layer, forbidden", [
    ("neurojit.compiler", ("neurojit.agent", "neurojit.evaluator", "neurojit.experiments", "neurojit.cli",
                           "neurojit.demo")),
    ("neurojit.evaluator", ("neurojit.agent", "neurojit.experiments", "neurojit.cli", "neurojit.demo")),
    ("neurojit.agent", ("neurojit.experiments", "neurojit.cli", "neurojit.demo")),
])
def test_layers_only_import_downwards(graph, layer, forbidden):
    bad = sorted(f"{m} imports {t}" for m, targets in graph.items() if m == layer or m.startswith(layer + ".")
                 for t in targets if any(t == f or t.startswith(f + ".") for f in forbidden))
    assert not bad, f"{layer} must not import {', '.join(forbidden)}:\n" + "\n".join(bad)


def test_cycles_finds_and_prints_a_cycle():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert cycles(g) == [(["a", "b", "c", "a"], ["a", "b", "c"])]  # import_graph drops self-imports
