"""Spec files with a registry block, written for the registry tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

HEAD = """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: lending}
routing:
  teams:
    credit: {slack: {channel: "#credit", api_url_file: /etc/secrets/slack}}
"""


def write_spec(tmp_path: Path, registry: str, models: str) -> Path:
    """``tmp_path/specs/lending.yaml``: the head, ``registry:`` with this body, ``models:`` with this body (YAML)."""
    path = tmp_path / "specs" / "lending.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = textwrap.indent(textwrap.dedent(registry).strip("\n"), "  ")
    path.write_text(f"{HEAD}registry:\n{body}\nmodels:\n{textwrap.dedent(models).strip(chr(10))}\n")
    return path
