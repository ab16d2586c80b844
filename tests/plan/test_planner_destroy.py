"""lifecycle.prevent_destroy blocks a replace as it blocks a delete, and destroy plans say
"destroy requested", not "gone from the specs"."""

from __future__ import annotations

from plan_helpers import applied, project, story

from vidflow.plan.model import Action, Reason
from vidflow.plan.planner import make_plan
from vidflow.plan.render import render_plan


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
