"""The schemas ``mlmon validate`` checks Kubernetes objects against, and how they are made.

The package ships, in ``crds/``, the ``openAPIV3Schema`` of every served version of the
prometheus-operator CRDs mlmon writes objects of (Apache-2.0; ``crds/README.md`` names the
upstream files), without descriptions and defaults. The tests validate against the full upstream
files in ``tests/fixtures/upstream/prometheus-operator/`` and check that the shipped copies are
these functions' output. Refresh after updating the fixtures:

    python -m mlmon.tools.kubernetes.crds tests/fixtures/upstream/prometheus-operator/*.yaml
"""

from __future__ import annotations

import functools
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

SHIPPED = "crds"
DROP = {"description", "default"}  # documentation only: not needed to validate


class _CrdLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Reads ``- =`` (an enum value of AlertmanagerConfig matchers) as the string "=", as
    Kubernetes does; PyYAML would take it for YAML 1.1's ``value`` tag and fail."""


_CrdLoader.add_constructor("tag:yaml.org,2002:value", yaml.constructor.SafeConstructor.construct_yaml_str)  # type: ignore[type-var]


def load_crd(text: str) -> dict[str, Any]:
    data = yaml.load(text, Loader=_CrdLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(data, dict) or data.get("kind") != "CustomResourceDefinition":
        raise ValueError("not a CustomResourceDefinition")
    return data


def _strip(node: Any, in_properties: bool = False) -> Any:
    if isinstance(node, dict):
        if in_properties:  # keys are field names here, never keywords
            return {k: _strip(v) for k, v in node.items()}
        return {k: _strip(v, k == "properties") for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def trimmed(crd: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """File name -> ``{apiVersion, kind, schema}`` for every served version of ``crd``."""
    spec = crd["spec"]
    out = {}
    for version in spec["versions"]:
        if not version.get("served", True):
            continue
        name = f"{spec['names']['plural']}.{version['name']}.json"
        out[name] = {"apiVersion": f"{spec['group']}/{version['name']}", "kind": spec["names"]["kind"], "schema": _strip(version["schema"]["openAPIV3Schema"])}
    return out


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


@functools.lru_cache(maxsize=1)
def shipped() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> openAPIV3Schema, from the package's ``crds/``."""
    out = {}
    for entry in resources.files(__package__).joinpath(SHIPPED).iterdir():
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            out[(data["apiVersion"], data["kind"])] = data["schema"]
    return out


def main(argv: list[str]) -> int:
    """Write the trimmed schemas of the CRD files in ``argv`` into the package's ``crds/``."""
    target = Path(__file__).with_name(SHIPPED)
    for name in argv:
        for fname, data in trimmed(load_crd(Path(name).read_text(encoding="utf-8"))).items():
            (target / fname).write_text(dumps(data), encoding="utf-8")
            sys.stderr.write(f"wrote {target / fname}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
