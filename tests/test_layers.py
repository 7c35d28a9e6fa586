"""The package's layout is its pipeline: every import points to the same or a lower layer, and
no module imports itself back through others (lazy imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "suite"

# Layer ranks: a module may import modules of its own rank or lower. The root package is the
# public API facade on top; the only thing lower layers take from it is ``__version__``, a
# constant it defines before anything else.
RANKS: dict[str, int] = {
    "suite.errors": 0,
    "suite.paths": 0,
    "suite.files": 0,
    "suite.data": 1,
    "suite.protocol": 2,
    "suite.models": 3,
    "suite.results": 4,
    "suite.bench": 5,
    "suite.evaluation": 6,
    "suite.reporting": 7,
    "suite.cli": 8,
    "suite.__main__": 8,
    "suite": 9,
}
ROOT_CONSTANTS = {"__version__"}
TOP_LEVEL_FILES = {"__init__.py", "__main__.py", "errors.py", "paths.py", "files.py", "py.typed"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str:
    """The module an imported dotted name lands in (a package's __init__ for attributes)."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(module: str, source: str | None = None) -> list[tuple[str, int]]:
    """(imported suite module, line) for every import statement in the module (or in
    ``source`` read as that module), nested ones included; ``from suite import __version__``
    counts as rank 0 (see ROOT_CONSTANTS)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source if source is not None else path.read_text())):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("suite")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            if not base.startswith("suite"):
                continue
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in MODULES:
                    found.append((target, node.lineno))
                elif base == "suite" and alias.name in ROOT_CONSTANTS:
                    found.append(("suite.errors", node.lineno))  # a rank-0 constant
                else:
                    found.append((base, node.lineno))
    return [(_resolve(name), line) for name, line in found]


def _rank(module: str) -> int:
    best = max((k for k in RANKS if module == k or module.startswith(k + ".")), key=len)
    return RANKS[best]


def test_every_module_has_a_layer() -> None:
    top = {p.name for p in PACKAGE.iterdir() if p.is_file()}
    assert top <= TOP_LEVEL_FILES, f"top-level files outside the layers: {top - TOP_LEVEL_FILES}"
    subpackages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert {f"suite.{name}" for name in subpackages} <= set(RANKS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    upward = [
        f"line {line}: {target} (layer {_rank(target)})"
        for target, line in _imports(module)
        if _rank(target) > _rank(module)
    ]
    assert not upward, f"{module} (layer {_rank(module)}) imports upward: {upward}"


def test_no_import_cycles() -> None:
    graph = {m: {t for t, _ in _imports(m) if t != m} for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert not cycles, f"import cycles: {cycles}"


def test_the_walker_sees_nested_relative_and_attribute_imports() -> None:
    """Guard the guard: imports inside functions, relative imports and names imported from a
    package are all found and resolved to the module that defines them."""
    source = """
def later():
    from suite.evaluation.runner import evaluate
    from ..models.zoo import get_spec
    from suite import paths, __version__
    import suite.reporting.format
"""
    found = {target for target, _ in _imports("suite.data.datasets", source)}
    assert found == {
        "suite.evaluation.runner",
        "suite.models.zoo",
        "suite.paths",
        "suite.errors",  # stands for the rank-0 constant __version__
        "suite.reporting.format",
    }
    assert max(_rank(t) for t in found) > _rank("suite.data.datasets")
