"""The layers import downward only, and the service packages form no cycle (issue: code that shows its
shape). Read from the source with `ast`, so a new import that breaks the rule fails here."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "hiorder_app"
# A layer may import the ones after it in this list, never the ones before it.
LAYERS = ["pages", "components", "states", "services", "domain"]


def _module(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the hiorder_app modules this file imports."""
    package = _module(path) if path.name == "__init__.py" else _module(path).rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("hiorder_app"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("hiorder_app"))
    return found


FILES = sorted(APP.rglob("*.py"))
MODULES = {_module(p) for p in FILES}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(APP)))
def test_imports_point_downward(path: Path):
    own = _layer(_module(path))
    if own is None:
        return
    for target in _imports(path):
        other = _layer(target)
        if other is not None and other != own:
            assert LAYERS.index(other) > LAYERS.index(own), f"{_module(path)} imports {target} ({other})"
    if own in ("pages", "components"):
        assert not any(t.startswith("hiorder_app.services") for t in _imports(path))


def _package(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 3 or parts[1] != "services":
        return None
    return parts[2] if f"hiorder_app.services.{parts[2]}" in MODULES else None


def test_service_packages_form_no_cycle():
    edges: dict[str, set[str]] = {}
    for path in FILES:
        own = _package(_module(path))
        if own is None:
            continue
        for target in _imports(path):
            other = _package(target)
            if other and other != own and f"hiorder_app.services.{other}" in {
                    ".".join(target.split(".")[:3])}:
                edges.setdefault(own, set()).add(other)

    def visit(node, trail):
        for nxt in edges.get(node, ()):
            assert nxt not in trail, " -> ".join([*trail, nxt])
            visit(nxt, [*trail, nxt])

    for start in edges:
        visit(start, [start])


def test_service_modules_form_no_cycle():
    graph = {}
    for path in FILES:
        mod = _module(path)
        graph[mod] = {t for t in _imports(path) if t in MODULES and t != mod}
    # A package's __init__ importing its own submodules is not a cycle of use.
    for mod, deps in graph.items():
        graph[mod] = {d for d in deps if not mod.startswith(d + ".") or d.count(".") < 2}
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt]
                if all(m.startswith("hiorder_app.services") for m in cycle):
                    raise AssertionError(" -> ".join(cycle))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for mod in sorted(graph):
        if mod not in state:
            visit(mod, [mod])
