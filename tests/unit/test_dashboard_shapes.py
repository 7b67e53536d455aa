"""Model dashboards rendered once per shape (pipeline.model_dashboard): the same text as rendering
each model on its own, for ids short, long, prefixes of one another and of the stand-in; a
model whose own text holds the stand-in id is rendered directly. (The golden trees and
``generate --check`` on the shipped specs compare the rest byte for byte.)"""

from __future__ import annotations

import pytest

from mlmon import conventions as C
from mlmon import pipeline
from tests.helpers.specs import spec

IDS = ["z", "zq", "zq-mlmon", "a" * 63, "a", "a-b", "zq-mlmon-shape-id-2", "shape"]


def _fleet(ids: list[str], description: str = "") -> str:
    extra = f"    description: {description}\n" if description else ""
    return spec("".join(f"  - id: {i}\n    team: risk-ml\n{extra}    serving: {{preset: triton, targets: ['{i}.svc:8000']}}\n" for i in ids))


@pytest.fixture(autouse=True)
def _empty_cache():
    pipeline.SHAPES.clear()
    yield
    pipeline.SHAPES.clear()


def test_every_model_of_a_shape_gets_its_own_dashboard():
    s, diags = pipeline.check({"fleet.yaml": _fleet(IDS)})
    assert s is not None, [str(d) for d in diags]
    for m in s.models:
        assert pipeline.model_dashboard(s, m) == pipeline._model_dashboard(s, m), m.id
        assert f'"uid": "{C.grafana_uid("model", m.id)}"' in pipeline.model_dashboard(s, m)
    assert len(pipeline.SHAPES) == 1  # one shape, rendered once


def test_a_model_whose_text_holds_the_stand_in_is_rendered_directly():
    s, _ = pipeline.check({"fleet.yaml": _fleet(["m"], description=f"not {pipeline.SHAPE_ID}")})
    assert s is not None
    (m,) = s.models
    text = pipeline.model_dashboard(s, m)
    assert text == pipeline._model_dashboard(s, m) and f"not {pipeline.SHAPE_ID}" in text
    assert pipeline.SHAPES == {}


def test_the_cache_stays_bounded(monkeypatch):
    import dataclasses

    monkeypatch.setattr(pipeline, "MAX_SHAPES", 2)
    s, _ = pipeline.check({"fleet.yaml": _fleet(["m1"])})
    assert s is not None
    sizes = []
    for i in range(3):  # three shapes: the descriptions differ
        pipeline.model_dashboard(s, dataclasses.replace(s.models[0], description=f"shape {i}"))
        sizes.append(len(pipeline.SHAPES))
    assert sizes == [1, 2, 1]


def test_the_shipped_models_under_other_ids_match_their_direct_rendering():
    """Every model of ``specs/`` (every monitor and many presets), its id replaced by ids that sort
    before and after anything else in its dashboard (an id-dependent order would show here)."""
    import dataclasses
    from pathlib import Path

    from mlmon.commands._common import load

    repo = Path(__file__).resolve().parents[2]
    s, diags, _ = load([repo / "specs"], None, False)
    assert s is not None, [str(d) for d in diags]
    for m in s.models:
        for new_id in ("a", "zzzz-" + m.id, "m" + "-x" * 30):
            other = dataclasses.replace(m, id=new_id)
            assert pipeline.model_dashboard(s, other) == pipeline._model_dashboard(s, other), (m.id, new_id)
