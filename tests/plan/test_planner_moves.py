"""`moved` blocks and --target for stories with variants: a bare story name moves every
variant, and variant keys match in any order."""

from __future__ import annotations

from plan_helpers import applied, project, story

from vidflow.plan.model import Action, Reason
from vidflow.plan.planner import make_plan

TONES = ("[aspect_ratio=16:9,tone=fun]", "[aspect_ratio=9:16,tone=fun]",
         "[aspect_ratio=9:16,tone=cinematic]")


def variants(name: str, **kw) -> list:
    return [story(name + keys, **kw) for keys in TONES]


def own(plan) -> dict:
    return {c.address: c for c in plan.changes if c.deposed is None}


class TestMovedVariants:
    def test_a_bare_story_name_moves_every_variant(self):
        """README's `{from: promo, to: winter-promo}` on a story with variants: moves only."""
        lock = applied(project(*variants("winter-promo")))
        plan = make_plan(project(*variants("promo2"), moved=(("winter-promo", "promo2"),)),
                         lock)
        assert not plan.errors
        changes = own(plan)
        assert set(changes) == {"promo2" + k for k in TONES}
        assert {a: c.moved_from for a, c in changes.items()} == {
            "promo2" + k: "winter-promo" + k for k in TONES}
        # the default output path follows the address: the video is moved, not remade
        assert {c.action for c in changes.values()} == {Action.UPDATE}
        assert {c.reasons for c in changes.values()} == {(Reason.OUTPUT, Reason.MOVED)}
        assert plan.summary() == "Plan: 0 to create, 3 to update, 0 to replace, 0 to delete."

    def test_a_bare_story_name_with_fixed_outputs_is_a_pure_move(self):
        old = [story("promo" + k, output=f"v/{i}.mp4") for i, k in enumerate(TONES)]
        new = [story("ad" + k, output=f"v/{i}.mp4") for i, k in enumerate(TONES)]
        plan = make_plan(project(*new, moved=(("promo", "ad"),)), applied(project(*old)))
        assert not plan.errors
        assert {c.action for c in plan.changes} == {Action.MOVE}
        assert plan.summary() == ("Plan: 0 to create, 0 to update, 0 to replace, "
                                  "0 to delete, 3 to move.")

    def test_an_exact_address_still_moves_only_itself(self):
        lock = applied(project(*variants("promo", output="")))
        keep = [s for s in variants("promo", output="") if "cinematic" not in s.address]
        moved = story("promo-cine[aspect_ratio=9:16,tone=cinematic]", output="")
        plan = make_plan(project(*keep, moved, moved=(
            ("promo[aspect_ratio=9:16,tone=cinematic]", moved.address),)), lock)
        assert not plan.errors
        assert {a: c.action for a, c in own(plan).items()} == {
            "promo[aspect_ratio=16:9,tone=fun]": Action.NOOP,
            "promo[aspect_ratio=9:16,tone=fun]": Action.NOOP,
            moved.address: Action.MOVE}

    def test_a_moved_address_with_keys_in_another_order_matches(self):
        lock = applied(project(story("promo[aspect_ratio=9:16,tone=fun]", output="")))
        plan = make_plan(project(story("ad[aspect_ratio=9:16,tone=fun]", output=""), moved=(
            ("promo[tone=fun,aspect_ratio=9:16]", "ad[tone=fun,aspect_ratio=9:16]"),)), lock)
        assert not plan.errors
        [change] = plan.changes
        assert change.action is Action.MOVE
        assert change.moved_from == "promo[aspect_ratio=9:16,tone=fun]"

    def test_bare_name_chains_are_followed(self):
        lock = applied(project(*variants("a", output="")))
        plan = make_plan(project(*variants("c", output=""), moved=(("b", "c"), ("a", "b"))),
                         lock)
        assert not plan.errors
        assert {c.action for c in plan.changes} == {Action.MOVE}

    def test_variants_cannot_move_onto_one_address(self):
        lock = applied(project(*variants("a")))
        plan = make_plan(project(*variants("a"), moved=(("a", "b[tone=fun]"),)), lock)
        assert any("has variants" in e and "'a'" in e for e in plan.errors)


def test_target_with_variant_keys_in_another_order_is_recognised():
    """--target 'winter-promo[tone=fun,aspect_ratio=9:16]' names the stored address."""
    lock = applied(project(*variants("winter-promo")))
    changed = [story(s.address, title="New") for s in variants("winter-promo")]
    plan = make_plan(project(*changed), lock,
                     targets=["winter-promo[tone=fun,aspect_ratio=9:16]"])
    assert not plan.errors
    assert [c.address for c in plan.changes] == ["winter-promo[aspect_ratio=9:16,tone=fun]"]
