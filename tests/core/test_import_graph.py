"""The import graph of `bot`: the wiring stays in one place and nothing imports in a circle.

(Who may import `bot.app` / `bot.bootstrap`: `tests/core/test_import_rule.py`.)
- What runs at import time (module-level imports, `TYPE_CHECKING` blocks and imports inside
  functions left out) has no cycle at all.
- Counting every import (type-only and lazy ones too), a cycle stays inside one package
  (a service and its parts naming each other's types), never across packages.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from bot.config import REPO_ROOT

BOT = REPO_ROOT / "bot"


def module_name(path: Path, root: Path = REPO_ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _import_time_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """What runs when the module is imported: not function bodies, not TYPE_CHECKING."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if _is_type_checking(child):
            assert isinstance(child, ast.If)
            for other in child.orelse:
                yield other
                yield from _import_time_nodes(other)
            continue
        yield child
        yield from _import_time_nodes(child)


def _import_nodes(tree: ast.Module, *, import_time_only: bool) -> Iterator[ast.AST]:
    return _import_time_nodes(tree) if import_time_only else ast.walk(tree)


def imported_modules(
    path: Path, modules: set[str], *, import_time_only: bool = False, root: Path = REPO_ROOT
) -> set[str]:
    """The modules of `modules` that `path` imports (a name imported from a module counts
    as that module; a submodule imported from a package counts as the submodule)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def known(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    found: set[str] = set()
    for node in _import_nodes(tree, import_time_only=import_time_only):
        if isinstance(node, ast.Import):
            found.update(m for alias in node.names if (m := known(alias.name)))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                target = full if full in modules else known(base)
                if target:
                    found.add(target)
    found.discard(name)
    return found


def import_graph(root: Path = REPO_ROOT, *, import_time_only: bool = False) -> dict[str, set[str]]:
    paths = {module_name(p, root): p for p in (root / "bot").rglob("*.py")}
    modules = set(paths)
    return {
        name: imported_modules(path, modules, import_time_only=import_time_only, root=root)
        for name, path in paths.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])  # bot.tickets.alerts -> bot.tickets


def test_nothing_imports_in_a_circle_at_import_time() -> None:
    assert cycles(import_graph(import_time_only=True)) == []


def test_a_cycle_of_type_only_imports_stays_inside_one_package() -> None:
    across = [sorted(c) for c in cycles(import_graph()) if len({package_of(m) for m in c}) > 1]
    assert across == []


def test_the_checks_catch_a_circle(tmp_path: Path) -> None:
    package = tmp_path / "bot"
    (package / "a").mkdir(parents=True)
    (package / "b").mkdir()
    for path in (package, package / "a", package / "b"):
        (path / "__init__.py").write_text("", encoding="utf-8")
    (package / "app.py").write_text("", encoding="utf-8")
    (package / "a" / "x.py").write_text("from bot.b.y import f\n", encoding="utf-8")
    (package / "b" / "y.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.a import x\n"
        "from bot.app import App\n",
        encoding="utf-8",
    )
    graph = import_graph(tmp_path)
    assert cycles(import_graph(tmp_path, import_time_only=True)) == []
    assert cycles(graph) == [{"bot.a.x", "bot.b.y"}]
    assert "bot.app" in graph["bot.b.y"]
