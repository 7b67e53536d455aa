"""The only place that serialises YAML and JSON. Deterministic bytes: stable key order (insertion
order where it carries meaning, sorted where it does not - callers decide by building dicts in
the order they want), block style, no aliases, ``\\n`` endings, one trailing newline."""

from __future__ import annotations

import json
import math
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # never emit &anchors / *aliases
        return True


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    if style:
        data = "\n".join(line.rstrip() for line in data.splitlines()) + ("\n" if data.endswith("\n") else "")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _float_representer(dumper: yaml.SafeDumper, data: float) -> yaml.Node:
    if math.isnan(data):
        text = ".nan"
    elif math.isinf(data):
        text = ".inf" if data > 0 else "-.inf"
    else:
        text = repr(data)
        if "e" in text or "E" in text:
            text = f"{data:.17f}".rstrip("0")
            if text.endswith("."):
                text += "0"
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(float, _float_representer)


def to_yaml(data: Any, header: str | None = None) -> str:
    """YAML text; ``header`` lines are written as ``#`` comments first."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000, indent=2)
    head = ""
    if header:
        head = "".join(("# " + line).rstrip() + "\n" if not line.startswith("#") else line + "\n" for line in header.splitlines())
    return head + body


def to_json(data: Any, *, sort_keys: bool = True) -> str:
    return json.dumps(data, indent=2, sort_keys=sort_keys, ensure_ascii=False, allow_nan=False) + "\n"
