"""Which version is current, which previous, and the training figures kept (pure)."""

from __future__ import annotations

from mlmon.registry.config import DEFAULT_CURRENT, ModelRef
from mlmon.registry.facts import RegisteredModel, RegistryVersion, current_version, entry

REF = ModelRef("credit-risk", "credit-risk", {"auc": "val_auc"})


def model(*versions: RegistryVersion) -> RegisteredModel:
    return RegisteredModel("credit-risk", versions)


def v(name: str, aliases=(), stage=None, **metrics: float) -> RegistryVersion:
    return RegistryVersion(name, 1000 * int(name), tuple(aliases), stage, f"run{name}", metrics)


def test_alias_before_stage_and_the_order_of_current():
    m = model(v("1", stage="Production"), v("2", ["champion"]), v("3", ["challenger"]))
    assert current_version(m, DEFAULT_CURRENT) == (m.versions[1], "champion")
    assert current_version(m, ("Production", "champion")) == (m.versions[0], "production")
    assert current_version(m, ("CHAMPION",)) == (m.versions[1], "CHAMPION")
    assert current_version(m, ("staging",)) is None


def test_the_highest_version_wins_when_several_hold_the_stage():
    m = model(v("2", stage="Production"), v("10", stage="Production"))
    assert current_version(m, DEFAULT_CURRENT)[0].version == "10"


def test_a_new_model_takes_the_version_below_as_previous():
    e, why = entry(REF, model(v("1"), v("2", ["champion"], val_auc=0.88, loss=0.3), v("3")), DEFAULT_CURRENT, None)
    assert why is None
    assert (e.version, e.stage, e.previous_version) == ("2", "champion", "1")
    assert e.current.training_metrics == {"auc": 0.88}  # mapped from val_auc; loss is no mlmon metric
    assert set(e.versions) == {"1", "2"}


def test_promotion_then_resync_then_rollback():
    first, _ = entry(REF, model(v("1"), v("2", ["champion"]), v("3")), DEFAULT_CURRENT, None)
    promoted, _ = entry(REF, model(v("1"), v("2"), v("3", ["champion"])), DEFAULT_CURRENT, first)
    assert (promoted.version, promoted.previous_version) == ("3", "2")
    again, _ = entry(REF, model(v("1"), v("2"), v("3", ["champion"])), DEFAULT_CURRENT, promoted)
    assert again == promoted
    rolled, _ = entry(REF, model(v("1"), v("2", ["champion"]), v("3")), DEFAULT_CURRENT, promoted)
    assert (rolled.version, rolled.previous_version) == ("2", "3")


def test_a_deleted_previous_version_falls_back():
    old, _ = entry(REF, model(v("1"), v("2"), v("5", ["champion"])), DEFAULT_CURRENT, None)
    old = old.__class__(old.model, old.registered_model, old.version, old.stage, "4", old.versions)
    e, _ = entry(REF, model(v("1"), v("2"), v("5", ["champion"])), DEFAULT_CURRENT, old)
    assert e.previous_version == "2"


def test_no_current_version_says_what_the_model_has():
    e, why = entry(REF, model(v("1", stage="Archived"), v("2", ["canary"])), DEFAULT_CURRENT, None)
    assert e is None
    assert why == "no version of registered model 'credit-risk' holds any of champion, Production as alias or stage (it has: Archived, canary)"


def test_non_finite_figures_are_left_out():
    e, _ = entry(REF, model(v("1", ["champion"], val_auc=float("nan"), f1=0.7)), DEFAULT_CURRENT, None)
    assert e.current.training_metrics == {"f1": 0.7} and e.previous_version is None


def test_regression_and_ranking_figures_are_kept_too():
    """A run's MAE, MRR or NDCG@k are training figures like AUC (the regression and ranking
    monitors compare with them); other keys are still left out."""
    e, _ = entry(
        REF, model(v("1", ["champion"], mae=3.5, rmse=4.0, ndcg_at_10=0.41, mrr=0.3, hit_rate_at_5=0.6, loss=0.2, ndcg_at_0=1.0)), DEFAULT_CURRENT, None
    )
    assert e.current.training_metrics == {"hit_rate_at_5": 0.6, "mae": 3.5, "mrr": 0.3, "ndcg_at_10": 0.41, "rmse": 4.0}
