"""``kubernetes_sd_configs`` for a promtool built without Kubernetes discovery.

Debian's Prometheus 2.42 (``2.42.0+ds``) is built without the Kubernetes service discovery, so its
``promtool check config`` rejects every ``kubernetes_sd_configs`` with ``field
kubernetes_sd_configs not found in type config.ScrapeConfig``. Then the configuration is checked
in two parts: promtool checks a copy in which each such block is replaced by a static target
(everything else, relabelling and rule files included, is still checked by promtool), and the
blocks themselves are checked here against the fields and rules of Prometheus' own
``discovery/kubernetes/kubernetes.go`` (SDConfig.UnmarshalYAML: known fields, the role, which
selector roles a role allows, no selector role twice, label selector syntax).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

MISSING = "field kubernetes_sd_configs not found"
SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"  # files that exist only inside a pod
PLACEHOLDER = "kubernetes-sd.invalid:80"  # stands for the discovered targets in the copy promtool checks
ROLES = ("pod", "service", "endpoints", "endpointslice", "node", "ingress")
ALLOWED_SELECTORS = {
    "pod": ("pod",),
    "service": ("service",),
    "endpointslice": ("pod", "service", "endpointslice"),
    "endpoints": ("pod", "service", "endpoints"),
    "node": ("node",),
    "ingress": ("ingress",),
}
_HTTP_CLIENT = (
    "basic_auth",
    "authorization",
    "oauth2",
    "bearer_token",
    "bearer_token_file",
    "tls_config",
    "proxy_url",
    "no_proxy",
    "proxy_from_environment",
    "proxy_connect_header",
    "follow_redirects",
    "enable_http2",
)
FIELDS = ("api_server", "role", "namespaces", "selectors", "kubeconfig_file", "attach_metadata", *_HTTP_CLIENT)
_LABEL_KEY = r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
_LABEL_VALUE = r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_REQUIREMENT = re.compile(rf"^\s*(!?{_LABEL_KEY}|{_LABEL_KEY}\s*(==|=|!=)\s*{_LABEL_VALUE}|{_LABEL_KEY}\s+(in|notin)\s+\(\s*[^()]*\))\s*$")


def label_selector_problem(text: str) -> str | None:
    """Why ``text`` is not a Kubernetes label selector (None when it is one)."""
    parts = re.split(r",(?![^()]*\))", text) if text else []
    for part in parts:
        if not _REQUIREMENT.match(part):
            return f"invalid label selector requirement {part.strip()!r}"
    return None


def sd_problems(sd: Any) -> list[str]:
    """Problems of one ``kubernetes_sd_configs`` entry, as Prometheus would report them."""
    if not isinstance(sd, dict):
        return ["a kubernetes_sd_configs entry must be a mapping"]
    out = [f"field {k} not found in type kubernetes.SDConfig" for k in sd if k not in FIELDS]
    role = sd.get("role")
    if not role:
        return out + ["role missing (one of: pod, service, endpoints, endpointslice, node, ingress)"]
    if role not in ROLES:
        return out + [f'unknown Kubernetes SD role "{role}"']
    ns = sd.get("namespaces")
    if ns is not None and (not isinstance(ns, dict) or any(k not in ("names", "own_namespace") for k in ns)):
        out.append("namespaces: only names and own_namespace are allowed")
    seen: set[str] = set()
    for sel in sd.get("selectors") or ():
        sel_role = sel.get("role", "")
        if sel_role in seen:
            out.append(f"duplicated selector role: {sel_role}")
        seen.add(sel_role)
        if sel_role not in ALLOWED_SELECTORS[role]:
            out.append(f"{role} role supports only {', '.join(ALLOWED_SELECTORS[role])} selectors")
        problem = label_selector_problem(sel.get("label", ""))
        if problem:
            out.append(problem)
    return out


def check(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(job name, problem) for every kubernetes_sd_configs entry of a parsed prometheus.yml."""
    out = []
    for job in config.get("scrape_configs") or ():
        for sd in job.get("kubernetes_sd_configs") or ():
            out += [(str(job.get("job_name")), p) for p in sd_problems(sd)]
    return out


def without(config: dict[str, Any]) -> dict[str, Any]:
    """A copy of the configuration whose kubernetes_sd_configs are replaced by a static target."""
    jobs = []
    for job in config.get("scrape_configs") or ():
        if "kubernetes_sd_configs" in job:
            job = {k: v for k, v in job.items() if k != "kubernetes_sd_configs"}
            job["static_configs"] = [*(job.get("static_configs") or ()), {"targets": [PLACEHOLDER]}]
        jobs.append(job)
    return {**config, "scrape_configs": jobs}


def in_cluster_files(data: Any, tmp: Path) -> Any:
    """``data`` with every path under the in-cluster service-account folder replaced by an empty
    file of the same name under ``tmp`` (promtool checks that the files exist)."""
    if isinstance(data, dict):
        return {k: in_cluster_files(v, tmp) for k, v in data.items()}
    if isinstance(data, list):
        return [in_cluster_files(v, tmp) for v in data]
    if isinstance(data, str) and data.startswith(SA_DIR + "/"):
        stand_in = tmp / data.rsplit("/", 1)[1]
        stand_in.touch()
        return str(stand_in)
    return data


def absolute_paths(config: dict[str, Any], base: Path) -> dict[str, Any]:
    """``config`` with its relative rule-file and file_sd paths made absolute against ``base``
    (the folder of the configuration), so that a copy can be checked from anywhere."""

    def fix(p: str) -> str:
        return p if p.startswith("/") else str(base / p)

    jobs = []
    for job in config.get("scrape_configs") or ():
        if job.get("file_sd_configs"):
            job = {**job, "file_sd_configs": [{**sd, "files": [fix(f) for f in sd.get("files", ())]} for sd in job["file_sd_configs"]]}
        jobs.append(job)
    return {**config, "rule_files": [fix(f) for f in config.get("rule_files") or ()], "scrape_configs": jobs}
