"""Wide groups are split for a ruler's limit of rules per group: rules that read a series recorded
in the same group stay together in the named group, the others move to `-shard-<i>` groups
written before it, no group is over the limit, and no rule is lost, added or changed."""

from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.render.shard import shard_group, shard_groups


def _group(n_free: int, shardable: bool = True) -> RuleGroup:
    free = [RecordingRule("mlmon_x:bin:increase", f'sum(increase(h_bucket{{feature="f{i}"}}[1h]))', {"feature": f"f{i}"}) for i in range(n_free)]
    chain = [
        RecordingRule("mlmon_x:samples:increase", "sum by (feature) (mlmon_x:bin:increase)"),
        RecordingRule("mlmon_x:score", "mlmon_x:samples:increase > 0"),
        AlertRule("XHigh", "mlmon_x:score > 1", "5m"),
    ]
    return RuleGroup("mlmon-m-drift", tuple(free + chain), None, shardable)


def test_narrow_and_unmarked_groups_stay_as_they_are():
    g = _group(5)
    assert shard_group(g, 20) == [g]
    wide = _group(40, shardable=False)
    assert shard_group(wide, 20) == [wide]
    assert shard_group(_group(40), 0) == [_group(40)]  # 0: no limit


def test_wide_group_is_split_into_groups_of_at_most_n_rules():
    g = _group(50)
    out = shard_group(g, 20)
    assert [x.name for x in out] == ["mlmon-m-drift-shard-1", "mlmon-m-drift-shard-2", "mlmon-m-drift"]
    assert all(len(x.rules) <= 20 for x in out)
    assert sorted(map(repr, (r for x in out for r in x.rules))) == sorted(map(repr, g.rules))  # same rules, unchanged
    core = out[-1]
    # the rules that read the group's own records keep their order, in the group that keeps the name
    assert [r for r in core.rules if not isinstance(r, RecordingRule) or r.record != "mlmon_x:bin:increase"] == list(g.rules[-3:])
    assert len(core.rules) == 20  # filled up with the first independent rules
    assert all(x.shardable and x.interval == g.interval for x in out)


def test_group_whose_dependent_rules_exceed_the_limit_is_not_split():
    chain = tuple(RecordingRule(f"mlmon_x:r{i}", f"mlmon_x:r{i - 1} + 1" if i else "up") for i in range(25))
    g = RuleGroup("chain", chain, None, True)
    assert shard_group(g, 20) == [g]


def test_shard_groups_keeps_the_order_of_groups():
    a, b = _group(30), RuleGroup("other", (RecordingRule("mlmon_y:a", "up"),))
    names = [x.name for x in shard_groups([a, b], 20)]
    assert names == ["mlmon-m-drift-shard-1", "mlmon-m-drift", "other"]
