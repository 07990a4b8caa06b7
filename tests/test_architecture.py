"""The floor plan holds: no import circles, click in the CLI layer only, no arrow up from a shared room,
one first parameter (``store``) for the store API.

Every ``import`` in flowkit/ counts, wherever it stands: at module level,
inside a function (a lazy import) or under ``TYPE_CHECKING``. Rooms are the
first part of a module's name below ``flowkit``: the CLI layer (``cli``,
``commands``, ``__main__``), the command homes, and the shared rooms (all
the others: records, pipeline, store, transports, sources, formats, mapping,
config, errors, ...).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

FLOWKIT = Path(__file__).resolve().parent.parent / "flowkit"
CLI_LAYER = frozenset({"cli", "commands", "__main__"})
HOMES = frozenset(
    {
        "query_orders",
        "query_products",
        "apply_rules",
        "render",
        "transform",
        "deliver",
        "push_stock",
        "import_shipment",
        "import_status",
        "receive",
    }
)


def module_name(path: Path) -> str:
    parts = path.relative_to(FLOWKIT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


@cache
def modules() -> dict[str, ast.Module]:
    return {module_name(path): ast.parse(path.read_text(encoding="utf-8")) for path in sorted(FLOWKIT.rglob("*.py"))}


def imported(module: str, tree: ast.Module) -> Iterator[str]:
    """What ``module`` imports: ``a.b`` for ``import a.b``; for ``from a import b``, ``a.b`` if it is a module, else ``a``."""
    is_package = (FLOWKIT.parent / module.replace(".", "/") / "__init__.py").exists()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base


def resolve(name: str) -> str | None:
    """The flowkit module ``name`` is, or is in (``flowkit.x.Y`` -> ``flowkit.x``)."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


@cache
def graph() -> dict[str, frozenset[str]]:
    edges = {}
    for module, tree in modules().items():
        names = (name for name in imported(module, tree) if name.split(".")[0] == "flowkit")
        edges[module] = frozenset(t for t in map(resolve, names) if t is not None and t != module)
    return edges


def cycles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_sees_every_kind_of_import() -> None:
    edges = graph()
    assert "flowkit.errors" in edges["flowkit.records"]  # module level
    assert "flowkit.cli.app" in edges["flowkit.cli"]  # inside a function and under TYPE_CHECKING
    assert "flowkit.transports.hotfolder" in edges["flowkit.transports"]  # lazy, in the factory
    assert cycles({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}) == [["a", "b", "c"]]


def test_no_import_circles() -> None:
    assert cycles(graph()) == []


def test_only_the_cli_layer_imports_click() -> None:
    importers = {m for m, tree in modules().items() if any(n.split(".")[0] == "click" for n in imported(m, tree))}
    assert importers, "the CLI layer imports click"
    assert sorted(m for m in importers if room(m) not in CLI_LAYER) == []


@pytest.mark.parametrize("kind", ["shared room", "command home"])
def test_no_arrow_up(kind: str) -> None:
    """A shared room imports no command home and not the CLI layer; a command home not the CLI layer."""
    above = CLI_LAYER | HOMES if kind == "shared room" else CLI_LAYER
    arrows = [
        f"{module} -> {target}"
        for module, targets in graph().items()
        if room(module) not in CLI_LAYER and (room(module) in HOMES) == (kind == "command home")
        for target in sorted(targets)
        if room(target) in above
    ]
    assert arrows == []


def test_no_command_module_imports_another() -> None:
    arrows = [
        f"{module} -> {target}"
        for module, targets in graph().items()
        if module.startswith("flowkit.commands.")
        for target in sorted(targets)
        if target.startswith("flowkit.commands.")
    ]
    assert arrows == []


def test_no_private_attribute_of_a_click_context() -> None:
    """``ctx._protected_args`` and the like are click's internals: they change between releases."""
    uses = [
        f"{module}:{node.lineno}: ctx.{node.attr}"
        for module, tree in modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and isinstance(node.value, ast.Name)
        and node.value.id.endswith("ctx")
    ]
    assert uses == []


# Public functions of the store modules that touch no database (pure encoding and decisions): no store to take.
PURE = frozenset(
    {
        "bodies.dict_id",
        "bodies.pack",
        "bodies.unpack",
        "delivery.settle",
        "orders.content_hash",
        "orders.decode",
        "orders.encode",
        "stock.seen_before",
    }
)


def store_functions() -> dict[str, ast.FunctionDef]:
    """The public module-level functions of flowkit/store/ by ``module.name``: db.py's Store, lock.py, health.py
    (which looks at a store's file without opening it as a Store) and the engines (sqlite.py, postgres.py and pg_sql.py, with
    location.py and failures.py) work on a path or URL, before any Store exists."""
    return {
        f"{module.rpartition('.')[2]}.{node.name}": node
        for module, tree in modules().items()
        if module.startswith("flowkit.store.")
        and module
        not in (
            "flowkit.store.db",
            "flowkit.store.lock",
            "flowkit.store.health",
            "flowkit.store.sqlite",
            "flowkit.store.postgres",
            "flowkit.store.pg_sql",
            "flowkit.store.location",
            "flowkit.store.failures",
        )
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }


def test_the_store_api_takes_the_store_first() -> None:
    """``store: Store`` first and no connection beside it: the connection is ``store.conn``."""
    functions = store_functions()
    assert "exports.status" in functions and "delivery.finish" in functions and functions.keys() >= PURE
    wrong = []
    for name, node in sorted(functions.items()):
        params = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
        if name in PURE:
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            if {"store", "conn"} & (names | set(params)):
                wrong.append(f"{name}: listed as pure but uses a store or connection")
        elif params[:1] != ["store"] or "conn" in params:
            wrong.append(f"{name}({', '.join(params)})")
    assert wrong == []
