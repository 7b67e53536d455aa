"""promtool (Prometheus 2.x): ``check config``, ``check rules --lint=all --lint-fatal``, ``test rules``.

What promtool prints (2.42): "Checking FILE" / "Unit Testing: FILE" and SUCCESS lines on stdout,
FAILED details on stderr, so both streams are read merged, in order, to know which file a
message belongs to. Rule errors carry ``FILE: LINE:COL: message``; YAML errors say
``yaml: line N: ...`` or ``yaml: unmarshal errors:`` followed by ``line N: ...`` lines; the
duplicate-rule lint is a multi-line block without a file name. Exit codes: 0 ok, 1 error,
3 lint finding under ``--lint-fatal``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from mlmon.diagnostics import Diagnostic, Severity
from mlmon.tools import DEFAULT_TIMEOUT, go_runtime_env, kubesd, run

CODE = "MLM301"
TOOL = "promtool"

_POS = re.compile(r"^(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$")
_YAML_LINE = re.compile(r"^yaml: line (?P<line>\d+): (?P<msg>.*)$")
_UNMARSHAL_ITEM = re.compile(r"^line (?P<line>\d+): (?P<msg>.*)$")
_TEST_CASE = re.compile(r"^(alertname: |expr: )")


def _diag(file: str, line: int, col: int, msg: str, sev: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(file, line, col, sev, CODE, f"promtool: {msg}")


def _split_file(text: str, files: Iterable[str]) -> tuple[str, str] | None:
    """'FILE: rest' for one of ``files`` (longest match first)."""
    for f in sorted({f for f in files if f}, key=len, reverse=True):
        if text.startswith(f + ": "):
            return f, text[len(f) + 2 :]
    return None


def _record_line(cwd: Path, file: str, metric: str) -> tuple[int, int]:
    """Line/col of the last ``record: METRIC`` in ``file`` (the duplicate), or (0, 0)."""
    try:
        lines = (cwd / file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return (0, 0)
    pat = re.compile(r"^(\s*-?\s*record:\s*)['\"]?" + re.escape(metric) + r"['\"]?\s*(#.*)?$")
    found = (0, 0)
    for i, text in enumerate(lines, 1):
        m = pat.match(text)
        if m:
            found = (i, len(m.group(1)) + 1)
    return found


def parse_check_output(output: str, files: Iterable[str], *, cwd: Path, default_file: str) -> list[Diagnostic]:
    """Diagnostics from the merged output of ``promtool check config|rules``."""
    files = set(files) | {default_file}
    diags: list[Diagnostic] = []
    current = default_file
    yaml_file: str | None = None  # inside a "yaml: unmarshal errors:" list
    lint: list[str] | None = None

    def flush_lint() -> None:
        nonlocal lint
        if lint:
            text = " ".join(lint)
            text = text[len("lint error") :].strip() if text.startswith("lint error") else text
            m = re.search(r"Metric: (\S+)", text)
            line, col = _record_line(cwd, current, m.group(1)) if m else (0, 0)
            diags.append(_diag(current, line, col, "lint: " + re.sub(r"\s+", " ", text).strip()))
        lint = None

    for raw in output.splitlines():
        text = raw.strip()
        if lint is not None:
            if text and not raw.startswith("Checking "):
                lint.append(text)
                continue
            flush_lint()
        if not text:
            yaml_file = None
            continue
        if raw.startswith("Checking "):
            current = raw[len("Checking ") :].strip()
            files.add(current)
            yaml_file = None
            continue
        if text.startswith("SUCCESS") or text == "FAILED:":
            continue
        if text.startswith("FAILED: "):
            text = text[len("FAILED: ") :]
        if text.startswith("lint error"):
            lint = [text]
            continue
        if yaml_file is not None:
            m = _UNMARSHAL_ITEM.match(text)
            if m:
                diags.append(_diag(yaml_file, int(m.group("line")), 1, m.group("msg")))
                continue
            yaml_file = None
        if text.startswith("parsing YAML file "):
            split = _split_file(text[len("parsing YAML file ") :], files)
            if split is None:
                diags.append(_diag(current, 0, 0, text))
                continue
            file, msg = split
        else:
            split = _split_file(text, files)
            file, msg = split if split else (current, text)
        m = _POS.match(msg)
        if m:
            diags.append(_diag(file, int(m.group("line")), int(m.group("col")), m.group("msg")))
            continue
        m = _YAML_LINE.match(msg)
        if m:
            diags.append(_diag(file, int(m.group("line")), 1, "yaml: " + m.group("msg")))
            continue
        if msg.rstrip(":") == "yaml: unmarshal errors":
            yaml_file = file
            continue
        if text.startswith("WARNING"):  # e.g. "WARNING: no file match pattern ..."
            # a file_sd file that is not there yet (other tooling writes it) is only a warning
            diags.append(_diag(file, 0, 0, msg, Severity.WARNING if "for file_sd" in msg else Severity.ERROR))
            continue
        diags.append(_diag(file, 0, 0, msg))
    flush_lint()
    return sorted(set(diags), key=lambda d: (d.file, d.line, d.col, d.message))


def _fallback(res, file: str) -> list[Diagnostic]:
    text = " ".join((res.stdout + res.stderr).split())
    return [_diag(file, 0, 0, f"exited with status {res.returncode}: {text[:2000]}")]


def check_config(config: str, *, cwd: Path, timeout: float | None = DEFAULT_TIMEOUT) -> list[Diagnostic]:
    """``promtool check config CONFIG`` (also checks the rule files it references; promtool
    reports only the first configuration error). With a promtool built without Kubernetes
    discovery, ``kubernetes_sd_configs`` are checked by ``tools.kubesd`` and the rest by promtool."""
    res = run(TOOL, ["check", "config", config], cwd=cwd, timeout=timeout, merge=True)
    if res.returncode != 0 and (kubesd.MISSING in res.stdout or kubesd.SA_DIR in res.stdout):
        return _check_copy(config, cwd=Path(cwd), timeout=timeout, strip=kubesd.MISSING in res.stdout)
    diags = parse_check_output(res.stdout, [config], cwd=Path(cwd), default_file=config)
    if res.returncode != 0 and not diags:
        diags = _fallback(res, config)
    return diags


def _check_copy(config: str, *, cwd: Path, timeout: float | None, strip: bool) -> list[Diagnostic]:
    """Check a copy of CONFIG: without its kubernetes_sd_configs (checked by ``kubesd``) when this
    promtool lacks Kubernetes discovery, and with the in-cluster service-account files (which
    exist only inside a pod) standing in as empty files."""
    import tempfile

    import yaml

    path = cwd / config
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    diags = []
    if strip:
        diags = [_diag(config, 0, 0, f"job {job}: kubernetes_sd_configs: {problem}") for job, problem in kubesd.check(data)]
        data = kubesd.without(data)
        diags.append(
            _diag(config, 0, 0, "this promtool has no Kubernetes discovery; kubernetes_sd_configs were checked against Prometheus' own rules", Severity.INFO)
        )
    # the copy lives outside the checked folder (others may be reading it), its relative paths made absolute
    data = kubesd.absolute_paths(data, path.parent.resolve())
    with tempfile.TemporaryDirectory(prefix="mlmon-check-") as tmp:
        data = kubesd.in_cluster_files(data, Path(tmp))
        copy = Path(tmp) / path.name
        copy.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        res = run(TOOL, ["check", "config", str(copy)], cwd=cwd, timeout=timeout, merge=True)
        found = parse_check_output(res.stdout.replace(str(copy), config), [config], cwd=cwd, default_file=config)
        diags += found
        if res.returncode != 0 and not found:
            diags += _fallback(res, config)
    return diags


def check_rules(files: list[str], *, cwd: Path, timeout: float | None = DEFAULT_TIMEOUT, lint: bool = True) -> list[Diagnostic]:
    """``promtool check rules --lint=all --lint-fatal FILES``: every error, with positions
    (``lint=False``: ``--lint=none``, only what a server would reject)."""
    if not files:
        return []
    flags = ["--lint=all", "--lint-fatal"] if lint else ["--lint=none"]
    res = run(TOOL, ["check", "rules", *flags, *files], cwd=cwd, timeout=timeout, merge=True)
    diags = parse_check_output(res.stdout, files, cwd=Path(cwd), default_file=files[0])
    if res.returncode != 0 and not diags:
        diags = _fallback(res, files[0])
    return diags


# --- test rules ---------------------------------------------------------------------------------
def _test_cases(cwd: Path, file: str) -> list[tuple[str, str, str, int, int, str]]:
    """(kind, name-or-expr, eval_time, line, col, group name) of each alert_rule_test /
    promql_expr_test entry in document order, to point a failure at its test case."""
    from mlmon.tools.rulefiles import read_documents

    out = []
    for doc in read_documents(cwd, file) or []:
        data = doc.data if isinstance(doc.data, dict) else {}
        for gi, group in enumerate(data.get("tests") or []):
            if not isinstance(group, dict):
                continue
            for key, kind, name_key in (("alert_rule_test", "alertname", "alertname"), ("promql_expr_test", "expr", "expr")):
                for ci, case in enumerate(group.get(key) or []):
                    if isinstance(case, dict):
                        line, col = doc.source.pos(("tests", gi, key, ci))
                        out.append((kind, str(case.get(name_key, "")), str(case.get("eval_time", "")), line, col, str(group.get("name") or "")))
    return out


def _duration_key(text: str) -> str:
    """An eval_time as the test file writes it (90m) and as promtool prints it (model.Duration: 1h30m)."""
    from mlmon.compiler.units import duration_seconds

    try:
        return repr(duration_seconds(text))
    except ValueError:
        return text


def parse_test_output(output: str, files: Iterable[str], *, cwd: Path) -> list[Diagnostic]:
    """Diagnostics from the merged output of ``promtool test rules``: one per failed test case,
    pointing at the case in the test file when it can be found."""
    diags: list[Diagnostic] = []
    current: str | None = None
    failed = False
    block: list[str] = []
    cases: dict[str, list] = {}
    used: set[tuple[str, int, int]] = set()
    yaml_pending = False
    group_name = ""

    def flush() -> None:
        nonlocal block
        if not block or current is None:
            block = []
            return
        head = block[0]
        text = re.sub(r"\s+", " ", " ".join(block)).strip()
        line = col = 0
        group = ""
        m = re.match(r'^(alertname|expr): (".*?"|[^,]+), time: ([^,]+),', head)
        if m:
            kind, name, t = m.group(1), m.group(2), m.group(3)
            if kind == "expr" and name.startswith('"'):
                name = name[1:-1].replace('\\"', '"')
            if current not in cases:
                cases[current] = _test_cases(cwd, current)
            matches = [
                c for c in cases[current] if c[0] == kind and c[1] == name and _duration_key(c[2]) == _duration_key(t) and (current, c[3], c[4]) not in used
            ]
            # promtool prints "name: GROUP," before the failures of a named test group
            matches.sort(key=lambda c: c[5] != group_name)
            if matches:
                line, col, group = matches[0][3], matches[0][4], matches[0][5]
                used.add((current, line, col))
        text = re.sub(r"^alertname: ([^,]+), time: ([^,]+), ", r"alert \1 at \2: ", text)
        text = re.sub(r'^expr: (".*?"), time: ([^,]+), ?', r"expr \1 at \2: ", text)
        if group:
            text = f"[{group}] {text}"
        diags.append(_diag(current, line, col, f"rule test failed: {text}"[:4000]))
        block = []

    for raw in output.splitlines():
        text = raw.strip()
        if raw.startswith("Unit Testing:"):
            flush()
            current = raw[len("Unit Testing:") :].strip()
            failed = False
            group_name = ""
            yaml_pending = False
            continue
        if current is None:
            continue
        if text == "FAILED:":
            failed = True
            continue
        if text == "SUCCESS":
            continue
        if text.startswith("WARNING:"):  # e.g. "no file match pattern ../rules/x.yml": nothing would be tested
            diags.append(_diag(current, 0, 0, text[len("WARNING:") :].strip()))
            continue
        if not failed:
            continue
        if not text:
            flush()
            continue
        if text.startswith("name: ") and raw.startswith("    ") and not block:
            group_name = text[len("name: ") :].rstrip(",").strip()
            continue
        if _TEST_CASE.match(text) and raw.startswith("    "):
            flush()
            block = [text]
            continue
        if block:
            block.append(text)
            continue
        if text.rstrip(":") == "yaml: unmarshal errors":
            yaml_pending = True
            continue
        m = _UNMARSHAL_ITEM.match(text) if yaml_pending else None
        if m:
            diags.append(_diag(current, int(m.group("line")), 1, m.group("msg")))
            continue
        m = _YAML_LINE.match(text)
        if m:
            diags.append(_diag(current, int(m.group("line")), 1, "yaml: " + m.group("msg")))
            continue
        diags.append(_diag(current, 0, 0, text))
    flush()
    return sorted(set(diags), key=lambda d: (d.file, d.line, d.col, d.message))


def test_rules(files: list[str], *, cwd: Path, timeout: float | None = DEFAULT_TIMEOUT, parallel: int = 1) -> list[Diagnostic]:
    """``promtool test rules FILES``: one Diagnostic per failed case (or per broken file).
    ``parallel``: how many of these run at once (``go_runtime_env``)."""
    if not files:
        return []
    res = run(TOOL, ["test", "rules", *files], cwd=cwd, timeout=timeout, merge=True, env=go_runtime_env(parallel))
    diags = parse_test_output(res.stdout, files, cwd=Path(cwd))
    if res.returncode != 0 and not diags:
        diags = _fallback(res, files[0])
    return diags


test_rules.__test__ = False  # type: ignore[attr-defined]  # not a pytest test function
