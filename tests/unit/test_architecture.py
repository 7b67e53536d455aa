"""The layers hold: the pure core stays pure, no import circles, the registry is the pipeline's,
and the lint path stays light."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PKG = REPO / "cli" / "mlmon"
CORE = [
    "compiler",
    "monitors",
    "render",
    "presets",
    "artifacts.py",
    "plan.py",
    "diagnostics.py",
    "pipeline.py",
    "conventions",
    "baseline.py",
    "policy",
    "scale",
    "preview/model.py",
    "preview/units.py",
    "preview/svg.py",
    "preview/page.py",
    "preview/promtext.py",
    "report/incidents.py",
    "report/sections.py",
    "report/build.py",
    "report/render.py",
    "registry/config.py",
    "registry/fileformat.py",
    "registry/facts.py",
    "registry/link.py",
    "registry/exposition.py",
]
# what the core may not import: the shell, the network, the clock, the environment, processes
FORBIDDEN = {
    "typer",
    "rich",
    "requests",
    "subprocess",
    "urllib3",
    "socket",
    "http",
    "os",
    "time",
    "datetime",
    "shutil",
    "tempfile",
    "pathlib",
    "mlmon.commands",
    "mlmon.tools",
    "mlmon.remote",
    "mlmon.fsio",
    "mlmon.app",
    "mlmon.stack",
    "mlmon.workers",
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _all_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


MODULES = _all_modules()


def _imports(path: Path) -> list[tuple[int, str, bool]]:
    """(line, imported module, at module level) for every import in the file, relative ones
    resolved; ``from a import b`` names a.b when that is a module, else a."""
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    for n in tree.body:  # imports guarded by `if TYPE_CHECKING:` or try/except at top level are still top level
        if isinstance(n, (ast.If, ast.Try)):
            top |= {id(x) for x in ast.walk(n)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name, id(node) in top) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:
                sub = f"{mod}.{a.name}"
                out.append((node.lineno, sub if sub in MODULES else mod, id(node) in top))
    return out


def _core_files():
    for entry in CORE:
        p = PKG / entry
        if p.is_dir():
            yield from sorted(p.rglob("*.py"))
        elif p.exists():
            yield p


def test_core_imports_no_shell_modules():
    bad = []
    for f in _core_files():
        for line, name, _ in _imports(f):
            if any(name == x or name.startswith(x + ".") for x in FORBIDDEN):
                bad.append(f"{f.relative_to(REPO)}:{line}: imports {name}")
    assert bad == []


def test_core_does_no_io():
    calls = {"open", "print", "input", "exec", "eval", "__import__"}
    bad = []
    for f in _core_files():
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in calls:
                bad.append(f"{f.relative_to(REPO)}:{node.lineno}: {node.func.id}()")
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "read_text", "write_text", "getenv", "read_bytes", "write_bytes"}:
                bad.append(f"{f.relative_to(REPO)}:{node.lineno}: .{node.attr}")
    assert bad == []


def test_the_import_checker_sees_relative_and_local_imports(tmp_path):
    """The checks above would pass vacuously if relative or function-local imports were missed."""
    f = PKG / "compiler" / "source.py"
    found = {name for _, name, _ in _imports(f)}
    assert "mlmon.diagnostics" in found
    probe = PKG / "render" / "_probe_for_test.py"
    probe.write_text("from ..monitors import base\n\ndef f():\n    import os\n")
    try:
        got = {(name, top) for _, name, top in _imports(probe)}
    finally:
        probe.unlink()
    assert ("mlmon.monitors.base", True) in got
    assert ("os", False) in got


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        for _, name, _ in _imports(path):
            if name in MODULES and name != mod:
                graph[mod].add(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles_not_even_through_function_local_imports():
    assert _cycles(_graph()) == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_only_the_pipeline_imports_the_registry():
    users = sorted(m for m, deps in _graph().items() if "mlmon.monitors.registry" in deps)
    assert users == ["mlmon.pipeline"]


def test_no_monitor_imports_another_monitor():
    """A monitor package imports shared modules (base, testkit, steps, quality, burnrate, delayed)
    and its own modules, never another monitor's."""
    shared = {
        "mlmon.monitors",
        "mlmon.monitors.base",
        "mlmon.monitors.testkit",
        "mlmon.monitors.steps",
        "mlmon.monitors.quality",
        "mlmon.monitors.burnrate",
        "mlmon.monitors.delayed",
        "mlmon.monitors.delayed_cases",
    }
    bad = []
    for mod, deps in _graph().items():
        parts = mod.split(".")
        if len(parts) < 3 or parts[1] != "monitors" or mod in shared or mod == "mlmon.monitors.registry":
            continue
        own = ".".join(parts[:3])
        for d in sorted(deps):
            if d.startswith("mlmon.monitors") and d not in shared and not (d == own or d.startswith(own + ".")):
                bad.append(f"{mod} imports {d}")
    assert bad == []


def test_presets_do_not_import_monitors():
    bad = [f"{m} imports {d}" for m, deps in _graph().items() if m.startswith("mlmon.presets") for d in deps if d.startswith("mlmon.monitors")]
    assert bad == []


def test_lint_does_not_import_heavy_modules(tmp_path):
    import shutil

    shutil.copy(REPO / "specs" / "payments.yaml", tmp_path / "s.yaml")
    shutil.copytree(REPO / "specs" / "baselines", tmp_path / "baselines")
    code = (
        "import sys; sys.argv=['mlmon','lint','s.yaml']\n"
        "from mlmon import app\n"
        "try:\n    app.main()\nexcept SystemExit:\n    pass\n"
        "heavy=[m for m in ('grafanalib', 'grafanalib.core', 'jsonschema', 'requests', 'prometheus_client') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(REPO / "cli"), "PATH": "/usr/bin:/bin"}
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1:] in ([""], []), r.stdout
