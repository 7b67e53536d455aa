"""The exporter's text: valid exposition format (parsed by prometheus_client), sorted, escaped."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from mlmon.registry.exposition import Status, text
from mlmon.registry.fileformat import Entry, VersionFacts

ENTRIES = {
    "credit-risk": Entry("credit-risk", "cr", "3", "champion", "2", {"3": VersionFacts("3", 1700000100, (), None, None, {"f1": 0.74, "auc": 0.88})}),
    "a-model": Entry("a-model", "a", "7", 'we"ird\\stage', None, {"7": VersionFacts("7", 5)}),
}


def samples(body: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in text_string_to_metric_families(body) for s in f.samples}


def test_current_versions_and_figures():
    body = text(ENTRIES, Status(True, 1700000200.5))
    got = samples(body)
    assert got[("mlmon_model_info", (("model", "credit-risk"), ("stage", "champion"), ("version", "3")))] == 1
    assert got[("mlmon_model_info", (("model", "a-model"), ("stage", 'we"ird\\stage'), ("version", "7")))] == 1
    assert got[("mlmon_model_trained_timestamp_seconds", (("model", "credit-risk"), ("version", "3")))] == 1700000100
    assert got[("mlmon_model_training_metric", (("metric", "auc"), ("model", "credit-risk"), ("version", "3")))] == 0.88
    assert got[("mlmon_registry_up", ())] == 1
    assert got[("mlmon_registry_last_success_timestamp_seconds", ())] == 1700000200.5
    assert body.index('model="a-model"') < body.index('model="credit-risk"')
    assert text(ENTRIES, Status(True, 1700000200.5)) == body


def test_down_before_any_success():
    got = samples(text({}, Status(False, None)))
    assert got == {("mlmon_registry_up", ()): 0.0}
