"""Planner behaviours a review found missing: variant moves, typed addresses, list diffs,
prevent_destroy on replace, the destroy reason."""

from __future__ import annotations

from plan_helpers import applied, project, story

from vidflow.plan.model import Action, FieldChange, Reason
from vidflow.plan.planner import make_plan
from vidflow.plan.render import clip_pair, render_plan

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


class TestListDiffs:
    def images(self, third: str) -> dict:
        return {"image_files": [{"path": f"assets/{n}.png", "sha256": h} for n, h in
                                (("a", "1" * 64), ("b", "2" * 64), ("c", third))]}

    def test_changing_the_third_image_names_its_index_and_field(self):
        lock = applied(project(story("imgs", mode="images", **self.images("ec60" + "0" * 60))))
        plan = make_plan(project(story("imgs", mode="images",
                                       **self.images("ec60" + "f" * 60))), lock)
        [change] = plan.changes
        assert change.action is Action.REPLACE
        assert change.fields == (FieldChange("params.image_files[2].sha256", "ec60" + "0" * 60,
                                             "ec60" + "f" * 60, True),)
        text = render_plan(plan)
        assert "params.image_files[2].sha256" in text
        assert "0" * 60 in text and "f" * 60 in text

    def test_an_added_list_item_is_null_before(self):
        lock = applied(project(story("a", elements={"objects": [{"name": "jar"}]})))
        plan = make_plan(project(story("a", elements={
            "objects": [{"name": "jar"}, {"name": "cup"}]})), lock)
        [change] = plan.changes
        assert change.fields == (FieldChange("params.elements.objects[1]", None,
                                             {"name": "cup"}, True),)

    def test_long_values_are_clipped_around_their_difference(self):
        """Two 200-character values differing near the end never print the same text."""
        before, after = "x" * 190 + "old-tail", "x" * 190 + "new-tail"
        shown = clip_pair(before, after)
        assert shown[0] != shown[1]
        assert "old-tail" in shown[0] and "new-tail" in shown[1]
        assert all(len(s) <= 90 for s in shown)
        assert clip_pair("short", "other") == ("short", "other")


class TestPreventDestroyBlocksReplace:
    def test_replacing_a_protected_story_is_a_plan_error(self):
        lock = applied(project(story("keep", prevent_destroy=True)))
        plan = make_plan(project(story("keep", "a new idea", prevent_destroy=True)), lock)
        [error] = plan.errors
        story_id = lock.entries["keep"].story_id
        assert error.startswith("keep: lifecycle.prevent_destroy is set")
        assert "params.idea" in error and story_id in error
        assert "revert" in error and "remove prevent_destroy first" in error
        assert "apply refuses it" in render_plan(plan)

    def test_in_place_changes_of_a_protected_story_are_fine(self):
        lock = applied(project(story("keep", prevent_destroy=True)))
        plan = make_plan(project(story("keep", title="New", prevent_destroy=True)), lock)
        assert not plan.errors and plan.changes[0].action is Action.UPDATE

    def test_removing_prevent_destroy_allows_the_replace(self):
        """As with Terraform, the spec's lifecycle decides."""
        lock = applied(project(story("keep", prevent_destroy=True)))
        plan = make_plan(project(story("keep", "a new idea")), lock)
        assert not plan.errors and plan.changes[0].action is Action.REPLACE


class TestDestroyReason:
    def test_destroy_plans_say_destroy_requested(self):
        proj = project(story("a"), story("b[tone=fun]"))
        plan = make_plan(proj, applied(proj), destroy=True)
        assert {c.action for c in plan.changes} == {Action.DELETE}
        assert {c.reasons for c in plan.changes} == {(Reason.DESTROY,)}
        assert "# destroy requested" in render_plan(plan)
        assert "gone from the specs" not in render_plan(plan)

    def test_destroy_of_a_protected_story_does_not_say_gone(self):
        proj = project(story("keep", prevent_destroy=True))
        plan = make_plan(proj, applied(proj), destroy=True)
        [error] = plan.errors
        assert "destroy was requested" in error and "put it back" not in error

    def test_destroy_keeps_the_spec_digest(self):
        proj = project(story("a"))
        assert make_plan(proj, applied(proj), destroy=True).spec_digest == \
            make_plan(proj, applied(proj)).spec_digest
