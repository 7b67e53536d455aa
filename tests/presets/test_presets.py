"""Every preset: normalised recording rules from input series in the framework's own dialect,
checked with exact numbers under the real promtool; an alert written against the normalised
names fires. Plus unit tests of the preset data model (alternatives, scales, overrides)."""

from __future__ import annotations

from types import SimpleNamespace as NS

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon import presets as P
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, ExprCheck, RuleGroup, RuleTest, Sample
from mlmon.presets import signals as S
from tests.presets.promtool_util import run_promtool

SERVING = [n for n in P.names("serving")]


def model(preset: str, mid: str = "m", overrides=None, match=None):
    return NS(id=mid, serving=NS(preset=preset, match=match or {}, targets=("h:1",), overrides=overrides or {}))


def rec(name: str, **extra: str) -> str:
    return S.rec("m", name, extra)


def test_every_expression_parses():
    pl = S.Placement(exporters=("dcgm", "cadvisor", "node", "opencost"), namespace="ml", node={"instance": "n:9100"})
    for name in SERVING:
        for r in S.signal_rules(model(name), pl):
            promql_parser.parse(r.expr)
        p = P.get(name)
        sel = p.selector("m", {})
        for e in (p.requests_rate(sel, "5m"), p.errors_rate(sel, "5m"), p.latency_quantile(sel, "5m", 0.99), p.latency_good_rate(sel, "5m", 0.25)):
            if e is not None:
                promql_parser.parse(e)


def test_alternative_spellings_are_ored_and_scaled():
    p = P.get("vllm")
    rules = {r.record: r.expr for r in S.signal_rules(model("vllm"), None)}
    assert "vllm:kv_cache_usage_perc{" in rules[C.KV_CACHE_USAGE] and " or vllm:gpu_cache_usage_perc{" in rules[C.KV_CACHE_USAGE]
    assert "time_per_output_token_seconds_sum" in rules[C.ITL_MEAN]
    t = {r.record: r.expr for r in S.signal_rules(model("torchserve"), None)}
    assert 'rate(Requests5XX_total{job="mlmon-m"}[5m]) or rate(Requests5XX{job="mlmon-m"}[5m])' in t[C.ERRORS_RATE]
    assert t[C.LATENCY_MEAN].endswith("* 0.000001")
    assert p.has_bucket(2.5) is True and p.has_bucket(0.25) is False


def test_overrides_replace_names_scales_and_model_label():
    m = model("kserve", overrides={"errors": "revision_app_request_count", "model_label": "service", "scales": {"latency": 0.001}})
    p = P.for_model(m)
    sel = P.model_selector(m)
    assert str(sel) == 'service="m"'
    assert p.errors_rate(sel, "5m") == 'sum(rate(revision_app_request_count{service="m"}[5m]))'
    assert p.latency_quantile(sel, "5m", 0.5).endswith("* 0.001")
    assert P.get("kserve").errors_rate(sel, "5m") is None  # the table itself is unchanged
    m2 = model("vllm", overrides={"target_match": {"job": "vllm-prod"}})
    assert 'job="vllm-prod"' in P.for_model(m2).requests_rate(P.model_selector(m2), "5m")


def test_exporter_priority_and_pod_selector():
    pl = S.Placement(exporters=("dcgm",), namespace="ml", pod="m-pred-.*", labels={"pod": "exported_pod"})
    chosen = S.plan(model("triton"), pl)
    assert chosen["gpu_util"][0].name == "dcgm" and chosen["requests"][0].name == "triton"
    rules = {r.record: r.expr for r in S.signal_rules(model("triton"), pl)}
    assert rules[C.GPU_UTILIZATION] == 'avg(DCGM_FI_DEV_GPU_UTIL{exported_pod=~"m-pred-.*",namespace="ml",container!="",container!="POD"}) * 0.01'
    both = S.plan(model("mlmon"), S.Placement(exporters=("node", "cadvisor"), node={"instance": "n"}))
    assert both["mem_ratio"][0].name == "cadvisor"


# --- serving presets: synthetic dialect series, exact normalised values ------------------------------
RPS, ERR = 10.0, 1.0


def _latency_for(p: P.Preset) -> float:
    if p.latency is not None and p.latency.buckets:
        b = sorted(p.latency.buckets)
        return b[2] * p.latency.scale  # on a bound: the observation falls in (b[1], b[2]]
    return 0.25


@pytest.mark.parametrize("name", SERVING)
def test_serving_preset_normalises_its_dialect(name, tmp_path):
    p = P.get(name)
    m = model(name)
    lat = _latency_for(p)
    s = S.Synth()
    S.synth_traffic(m, s, [(RPS, ERR, lat, 30)], 60.0)
    S.synth_up(m, s, [(1.0, 30)])
    rules = S.signal_rules(m, None)
    keys = S.available(m, None)
    checks = [
        ExprCheck(rec(C.REQUESTS_RATE), "20m", (Sample(rec(C.REQUESTS_RATE), RPS),)),
        ExprCheck(rec(C.TARGETS_UP), "20m", (Sample(rec(C.TARGETS_UP), 1.0),)),
    ]
    alerts = []
    if "error_ratio" in keys:
        checks.append(ExprCheck(rec(C.ERROR_RATIO), "20m", (Sample(rec(C.ERROR_RATIO), ERR / RPS),)))
        alerts.append(AlertRule("TestErrorRatio", f"{rec(C.ERROR_RATIO)} > 0.05", "5m", {"severity": "warning"}))
    if "latency_mean" in keys:
        checks.append(ExprCheck(rec(C.LATENCY_MEAN), "20m", (Sample(rec(C.LATENCY_MEAN), lat),)))
        alerts.append(AlertRule("TestSlow", f"{rec(C.LATENCY_MEAN)} > {lat / 2}", "5m", {"severity": "warning"}))
    if "latency" in keys:
        for q in S.QUANTILES:
            exp = p.latency.expected_quantile(lat, q)
            checks.append(ExprCheck(rec(C.LATENCY_QUANTILE, quantile=S.fmt_float(q)), "20m", (Sample(rec(C.LATENCY_QUANTILE, quantile=S.fmt_float(q)), exp),)))
    groups = [RuleGroup("signals", tuple(rules)), RuleGroup("alerts", tuple(alerts))]
    ac = tuple(AlertCheck("20m", a.alert, (ExpAlert({"severity": "warning", "model": "m"}, {}),)) for a in alerts)
    res = run_promtool(tmp_path, groups, [RuleTest(f"{name} dialect", "1m", s.items(), ac, tuple(checks))])
    assert res.returncode == 0, res.stdout[-4000:]
    assert "error_ratio" in keys or name == "kserve"


# --- hand-written dialect series: Triton, vLLM, exporters -----------------------------------------------
def test_triton_vllm_and_exporters_exact_values(tmp_path):
    pl = S.Placement(exporters=("dcgm", "cadvisor", "opencost"), namespace="ml")
    tri = model("triton", "tri")
    llm = model("vllm", "llm")
    nodem = model("mlmon", "host")
    node_pl = S.Placement(exporters=("node",), node={"instance": "gpu-1:9100"})
    k = 'namespace="ml",pod="tri-0",container="server",node="n1"'
    series = (
        # Triton: 9 ok + 1 failed req/s; 20 ms per successful request; 5 ms queueing; GPUs 0-1 and bytes
        ('nv_inference_request_success{model="tri",version="1",job="mlmon-tri"}', "0+540x30"),
        ('nv_inference_request_failure{model="tri",version="1",reason="BACKEND",job="mlmon-tri"}', "0+60x30"),
        ('nv_inference_request_duration_us{model="tri",version="1",job="mlmon-tri"}', "0+10800000x30"),
        ('nv_inference_queue_duration_us{model="tri",version="1",job="mlmon-tri"}', "0+2700000x30"),
        ('nv_inference_pending_request_count{model="tri",version="1",job="mlmon-tri"}', "3+0x30"),
        # DCGM (wins over Triton's own GPU gauges): 2 GPUs at 50% and 100%; 12 GiB used of 16 GiB each
        (f'DCGM_FI_DEV_GPU_UTIL{{gpu="0",UUID="GPU-a",Hostname="h",{k}}}', "50+0x30"),
        (f'DCGM_FI_DEV_GPU_UTIL{{gpu="1",UUID="GPU-b",hostname="h",{k}}}', "100+0x30"),
        (f'DCGM_FI_DEV_FB_USED{{gpu="0",UUID="GPU-a",Hostname="h",{k}}}', "12288+0x30"),
        (f'DCGM_FI_DEV_FB_FREE{{gpu="0",UUID="GPU-a",Hostname="h",{k}}}', "4096+0x30"),
        (f'DCGM_FI_DEV_FB_USED{{gpu="1",UUID="GPU-b",hostname="h",{k}}}', "8192+0x30"),
        (f'DCGM_FI_DEV_FB_FREE{{gpu="1",UUID="GPU-b",hostname="h",{k}}}', "8192+0x30"),
        ('nv_gpu_utilization{gpu_uuid="GPU-a",job="mlmon-tri"}', "0.1+0x30"),
        # cAdvisor: 1.5 cores of a 2-core quota; 3 GiB of 4 GiB; the pod-level cgroup (container="") is ignored
        (f"container_cpu_usage_seconds_total{{{k}}}", "0+90x30"),
        ('container_cpu_usage_seconds_total{namespace="ml",pod="tri-0",container=""}', "0+500x30"),
        (f"container_spec_cpu_quota{{{k}}}", "200000+0x30"),
        (f"container_spec_cpu_period{{{k}}}", "100000+0x30"),
        (f"container_memory_working_set_bytes{{{k}}}", "3221225472+0x30"),
        (f"container_spec_memory_limit_bytes{{{k}}}", "4294967296+0x30"),
        # OpenCost: 2 cores x $0.03, 8 GiB x $0.004, 2 GPUs x $2.5 per hour; a duplicate price series per node
        (f'container_cpu_allocation{{{k},instance="oc"}}', "2+0x30"),
        (f'container_memory_allocation_bytes{{{k},instance="oc"}}', "8589934592+0x30"),
        (f'container_gpu_allocation{{{k},instance="oc"}}', "2+0x30"),
        ('node_cpu_hourly_cost{node="n1",instance="oc-a"}', "0.03+0x30"),
        ('node_cpu_hourly_cost{node="n1",instance="oc-b"}', "0.03+0x30"),
        ('node_ram_hourly_cost{node="n1",instance="oc-a"}', "0.004+0x30"),
        ('node_gpu_hourly_cost{node="n1",instance="oc-a"}', "2.5+0x30"),
        # vLLM: 4 req/s (0.5 of them 5xx), tokens, TTFT, KV cache under the deprecated name
        ('http_requests_total{handler="/v1/chat/completions",method="POST",status="2xx",job="mlmon-llm"}', "0+210x30"),
        ('http_requests_total{handler="/v1/chat/completions",method="POST",status="5xx",job="mlmon-llm"}', "0+30x30"),
        ('http_requests_total{handler="/metrics",method="GET",status="2xx",job="mlmon-llm"}', "0+600x30"),
        ('vllm:prompt_tokens_total{model_name="llm",engine="0"}', "0+6000x30"),
        ('vllm:generation_tokens_total{model_name="llm",engine="0"}', "0+3000x30"),
        ('vllm:gpu_cache_usage_perc{model_name="llm",engine="0"}', "0.42+0x30"),
        ('vllm:num_requests_waiting{model_name="llm",engine="0"}', "7+0x30"),
        # node_exporter: 2 CPUs 25% idle; 48 GiB available of 64 GiB
        ('node_cpu_seconds_total{instance="gpu-1:9100",cpu="0",mode="idle"}', "0+15x30"),
        ('node_cpu_seconds_total{instance="gpu-1:9100",cpu="1",mode="idle"}', "0+15x30"),
        ('node_cpu_seconds_total{instance="gpu-1:9100",cpu="0",mode="user"}', "0+45x30"),
        ('node_cpu_seconds_total{instance="gpu-1:9100",cpu="1",mode="user"}', "0+45x30"),
        ('node_memory_MemAvailable_bytes{instance="gpu-1:9100"}', "51539607552+0x30"),
        ('node_memory_MemTotal_bytes{instance="gpu-1:9100"}', "68719476736+0x30"),
    )
    want = {
        ("tri", C.REQUESTS_RATE, ""): 10.0,
        ("tri", C.ERROR_RATIO, ""): 0.1,
        ("tri", C.LATENCY_MEAN, ""): 0.02,
        ("tri", C.QUEUE_MEAN, ""): 0.005,
        ("tri", C.QUEUE_DEPTH, ""): 3.0,
        ("tri", C.GPU_UTILIZATION, ""): 0.75,
        ("tri", C.GPU_COUNT, ""): 2.0,
        ("tri", C.GPU_MEMORY_USED, ""): 20 * 2**30,
        ("tri", C.GPU_MEMORY_TOTAL, ""): 32 * 2**30,
        ("tri", C.GPU_MEMORY_RATIO, ""): 0.75,
        ("tri", C.CPU_USAGE, ""): 1.5,
        ("tri", C.CPU_UTILIZATION, ""): 0.75,
        ("tri", C.MEMORY_USED, ""): 3 * 2**30,
        ("tri", C.MEMORY_LIMIT, ""): 4 * 2**30,
        ("tri", C.MEMORY_RATIO, ""): 0.75,
        ("tri", C.OPENCOST_HOURLY_BY_RESOURCE, "cpu"): 0.06,
        ("tri", C.OPENCOST_HOURLY_BY_RESOURCE, "ram"): 0.032,
        ("tri", C.OPENCOST_HOURLY_BY_RESOURCE, "gpu"): 5.0,
        ("tri", C.OPENCOST_HOURLY, ""): 5.092,
        ("llm", C.REQUESTS_RATE, ""): 4.0,
        ("llm", C.ERROR_RATIO, ""): 0.125,
        ("llm", C.TOKENS_RATE, ""): 150.0,
        ("llm", C.GENERATION_TOKENS_RATE, ""): 50.0,
        ("llm", C.KV_CACHE_USAGE, ""): 0.42,
        ("llm", C.QUEUE_DEPTH, ""): 7.0,
        ("host", C.CPU_UTILIZATION, ""): 0.75,
        ("host", C.CPU_USAGE, ""): 1.5,
        ("host", C.MEMORY_USED, ""): 16 * 2**30,
        ("host", C.MEMORY_LIMIT, ""): 64 * 2**30,
        ("host", C.MEMORY_RATIO, ""): 0.25,
    }
    rules = [*S.signal_rules(tri, pl), *S.signal_rules(llm, None), *S.signal_rules(nodem, node_pl)]
    checks = []
    for (mid, name, res), v in want.items():
        sel = S.rec(mid, name, {"resource": res} if res else None)
        checks.append(ExprCheck(sel, "20m", (Sample(sel, v),)))
    alert = AlertRule("TestGPUBusy", f"{S.rec('tri', C.GPU_UTILIZATION)} > 0.65", "5m", {"severity": "warning"})
    groups = [RuleGroup("signals", tuple(rules)), RuleGroup("alerts", (alert,))]
    t = RuleTest(
        "triton, vllm, dcgm, cadvisor, opencost, node_exporter dialects",
        "1m",
        series,
        (AlertCheck("20m", "TestGPUBusy", (ExpAlert({"severity": "warning", "model": "tri"}, {}),)),),
        tuple(checks),
    )
    res = run_promtool(tmp_path, groups, [t])
    assert res.returncode == 0, res.stdout[-5000:]


def test_selector_override_reads_the_queue_proxy_verbatim(tmp_path):
    """KServe counts no failures; the spec points requests/errors at Knative's queue-proxy counter."""
    m = model(
        "kserve",
        overrides={
            "requests": 'revision_app_request_count{service_name="m-predictor"}',
            "errors": 'revision_app_request_count{service_name="m-predictor",response_code_class="5xx"}',
        },
    )
    series = (
        ('revision_app_request_count{service_name="m-predictor",response_code_class="2xx",response_code="200"}', "0+570x30"),
        ('revision_app_request_count{service_name="m-predictor",response_code_class="5xx",response_code="503"}', "0+30x30"),
        ('revision_app_request_count{service_name="other",response_code_class="5xx",response_code="503"}', "0+600x30"),
    )
    checks = (
        ExprCheck(rec(C.REQUESTS_RATE), "20m", (Sample(rec(C.REQUESTS_RATE), 10.0),)),
        ExprCheck(rec(C.ERROR_RATIO), "20m", (Sample(rec(C.ERROR_RATIO), 0.05),)),
    )
    res = run_promtool(tmp_path, [RuleGroup("signals", tuple(S.signal_rules(m, None)))], [RuleTest("queue-proxy", "1m", series, (), checks)])
    assert res.returncode == 0, res.stdout[-3000:]
