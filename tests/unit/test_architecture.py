"""The pure core stays pure, and the lint path stays light."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PKG = REPO / "cli" / "mlmon"
CORE = ["spec", "monitors", "render", "presets", "plan.py", "diagnostics.py", "pipeline.py", "conventions.py", "baseline.py"]
FORBIDDEN = {"typer", "rich", "requests", "subprocess", "urllib3", "socket", "http", "mlmon.commands", "mlmon.tools", "mlmon.remote", "mlmon.fsio", "mlmon.app"}


def _core_files():
    for entry in CORE:
        p = PKG / entry
        if p.is_dir():
            yield from sorted(p.rglob("*.py"))
        elif p.exists():
            yield p


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_core_imports_no_shell_modules():
    bad = []
    for f in _core_files():
        for name in _imports(f):
            if any(name == x or name.startswith(x + ".") for x in FORBIDDEN):
                bad.append(f"{f.relative_to(REPO)}: imports {name}")
    assert bad == []


def test_core_does_no_io():
    calls = {"open", "print", "input"}
    bad = []
    for f in _core_files():
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in calls:
                bad.append(f"{f.relative_to(REPO)}:{node.lineno}: {node.func.id}()")
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "read_text", "write_text", "getenv"}:
                bad.append(f"{f.relative_to(REPO)}:{node.lineno}: .{node.attr}")
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
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(REPO / "cli"), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1:] in ([""], []), r.stdout
