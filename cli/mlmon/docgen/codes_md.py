"""The diagnostic codes, from ``mlmon.diagnostics.CODES``, grouped by their hundreds."""

from __future__ import annotations

from mlmon.diagnostics import CODES, Severity
from mlmon.docgen.text import cell, code, page, table

PATH = "reference/diagnostics.md"
FAMILIES = {"0": "Reading files", "1": "Schema", "2": "Semantics", "3": "Validating generated output (`mlmon validate`)"}
EXAMPLE = """specs/payments.yaml:13:11: error: models[0].team: unknown team 'risk-m1' [MLM202]
  hint: did you mean 'risk-ml'?"""


def diagnostics() -> str:
    body = [
        "# Diagnostics",
        "",
        "Every problem is one line `file:line:col: severity: message [CODE]`, with an optional indented `hint:` line. "
        "Positions are 1-based and point at the offending key or value; the message starts with the JSON path of the "
        'field. `--format json` prints `{"diagnostics": [...], "summary": {...}}` instead. '
        f"Severities: {', '.join(code(s.label) for s in sorted(Severity, reverse=True))}; `mlmon lint --fail-on` sets the "
        "lowest one that fails. Codes are stable and never renumbered.",
        "",
        "```",
        EXAMPLE,
        "```",
        "",
    ]
    groups: dict[str, list[list[str]]] = {}
    for c in sorted(CODES):
        groups.setdefault(c[3:4], []).append([code(c), cell(CODES[c])])
    for digit, rows in groups.items():
        body += [f"## {FAMILIES.get(digit, f'MLM{digit}xx')}", ""] + table(("code", "meaning"), rows) + [""]
    return page("mlmon.diagnostics.CODES", body)
