"""Plans name the exact list item and field that changed, and clip long values around the
difference."""

from __future__ import annotations

from plan_helpers import applied, project, story

from vidflow.plan.model import Action, FieldChange
from vidflow.plan.planner import make_plan
from vidflow.plan.render import clip_pair, render_plan


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
