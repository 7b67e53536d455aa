"""Scrape jobs of the exporters in the spec's ``exporters:`` (pure): one job per exporter (per
probe for exporters configured by URL parameters), written after the models' own jobs and shared
by every model that reads the exporter. Where it runs becomes ``static_configs``,
``file_sd_configs`` or ``kubernetes_sd_configs`` (with the role, namespaces, label selector and a
relabelling that keeps the exporter's port)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.compiler.model import ExporterJob, KubernetesSD
from mlmon.compiler.units import format_duration
from mlmon.presets import exporters as E

# the meta label holding the port of a discovered target, by role: (number, name)
_PORT_LABELS = {
    "pod": ("__meta_kubernetes_pod_container_port_number", "__meta_kubernetes_pod_container_port_name"),
    "endpoints": ("__address__", "__meta_kubernetes_endpoint_port_name"),
    "service": ("__meta_kubernetes_service_port_number", "__meta_kubernetes_service_port_name"),
}


def _kubernetes(k: KubernetesSD) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    sd: dict[str, Any] = {"role": k.role}
    if k.namespaces:
        sd["namespaces"] = {"names": list(k.namespaces)}
    if k.selector:
        sd["selectors"] = [{"role": k.role, "label": ",".join(f"{n}={v}" for n, v in k.selector.items())}]
    relabel: list[dict[str, Any]] = []
    if k.port and k.role in _PORT_LABELS:
        number, name = _PORT_LABELS[k.role]
        numeric = k.port.isdigit()
        regex = f".+:{k.port}" if numeric and number == "__address__" else k.port
        relabel.append({"source_labels": [number if numeric else name], "regex": regex, "action": "keep"})
    if k.role == "node" and k.port:
        relabel.append({"source_labels": ["__address__"], "regex": "([^:]+)(?::\\d+)?", "replacement": f"${{1}}:{k.port}", "target_label": "__address__"})
    return sd, relabel


def _base(job: ExporterJob, exp: E.Exporter, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {"job_name": name}
    interval = job.scrape_interval if job.scrape_interval is not None else exp.scrape_interval
    if interval is not None:
        out["scrape_interval"] = format_duration(interval)
    out["metrics_path"] = job.metrics_path or exp.metrics_path
    out["scheme"] = job.scheme or exp.scheme
    if job.honor_labels if job.honor_labels is not None else exp.honor_labels:
        out["honor_labels"] = True
    if exp.kubelet and job.kubernetes is not None:
        out["tls_config"] = {"ca_file": f"{E.SA_DIR}/ca.crt"}
        out["authorization"] = {"credentials_file": f"{E.SA_DIR}/token"}
    if job.targets:
        out["static_configs"] = [{"targets": list(job.targets)}]
    if job.file_sd:
        out["file_sd_configs"] = [{"files": list(job.file_sd)}]
    if job.kubernetes is not None:
        sd, relabel = _kubernetes(job.kubernetes)
        out["kubernetes_sd_configs"] = [sd]
        if relabel:
            out["relabel_configs"] = relabel
    return out


def job_name(exporter: str, probe: str = "") -> str:
    return C.EXPORTER_JOB.format(exporter=exporter) + (f"-{probe}" if probe else "")


def jobs(spec: Any) -> list[dict[str, Any]]:
    out = []
    for name, job in sorted((getattr(spec, "exporters", None) or {}).items()):
        exp = E.EXPORTERS[name]
        if not exp.probes:
            item = _base(job, exp, job_name(name))
            if job.params:
                item["params"] = {k: list(v) for k, v in job.params.items()}
            out.append(item)
            continue
        for probe in exp.probes:
            item = _base(job, exp, job_name(name, probe.suffix))
            params = {**{k: list(v) for k, v in probe.params.items()}, **{k: list(v) for k, v in job.params.items()}}
            item["params"] = dict(sorted(params.items()))
            out.append(item)
    return out
