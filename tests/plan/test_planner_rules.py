"""Each rule of the planner (design.md's action table), one behaviour per test."""

from __future__ import annotations

from dataclasses import replace

from plan_helpers import applied, empty_lock, project, story

from vidflow.api.models import StoryRecord
from vidflow.plan.model import Action, FieldChange, Reason
from vidflow.plan.planner import make_plan, spec_digest
from vidflow.spec.model import ProviderConfig


def actions(plan) -> dict[str, Action]:
    return {c.address: c.action for c in plan.changes if c.deposed is None}


class TestCreateAndNoop:
    def test_new_address_is_created(self):
        """A story absent from the lockfile is a create carrying the resolved story."""
        s = story("promo")
        plan = make_plan(project(s), empty_lock())
        [change] = plan.changes
        assert change.action is Action.CREATE
        assert change.reasons == (Reason.NEW,)
        assert change.after == s and change.before is None
        assert plan.summary() == "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete."

    def test_unchanged_story_is_noop(self):
        """After an apply, the same specs plan nothing."""
        proj = project(story("a"), story("b[tone=fun]"))
        plan = make_plan(proj, applied(proj))
        assert set(actions(plan).values()) == {Action.NOOP}
        assert not plan.has_changes and plan.pending == ()


class TestUpdate:
    def test_title_change_updates_in_place_with_old_and_new(self):
        """Metadata edits are an in-place update naming the field, not a replacement."""
        lock = applied(project(story("a", title="Old")))
        plan = make_plan(project(story("a", title="New")), lock)
        [change] = plan.changes
        assert change.action is Action.UPDATE
        assert change.reasons == (Reason.METADATA,)
        assert change.fields == (FieldChange("title", "Old", "New", False),)
        assert change.before.story_id == lock.entries["a"].story_id

    def test_visibility_and_description_are_metadata(self):
        lock = applied(project(story("a")))
        plan = make_plan(project(story("a", description="d", visibility="2")), lock)
        [change] = plan.changes
        assert change.action is Action.UPDATE
        assert {f.path for f in change.fields} == {"description", "visibility_status"}

    def test_output_path_change_is_an_update(self):
        """A new output path moves the video; it never regenerates it."""
        lock = applied(project(story("a", output="out/a.mp4")))
        plan = make_plan(project(story("a", output="videos/a.mp4")), lock)
        [change] = plan.changes
        assert change.action is Action.UPDATE
        assert change.fields == (FieldChange("output", "out/a.mp4", "videos/a.mp4"),)

    def test_lifecycle_change_is_recorded_by_an_update(self):
        lock = applied(project(story("a")))
        plan = make_plan(project(story("a", prevent_destroy=True)), lock)
        [change] = plan.changes
        assert change.action is Action.UPDATE
        assert change.reasons == (Reason.LIFECYCLE,)


class TestReplace:
    def test_generation_input_change_replaces_and_names_the_field(self):
        lock = applied(project(story("a", idea="snow")))
        plan = make_plan(project(story("a", idea="rain", title="T2")), lock)
        [change] = plan.changes
        assert change.action is Action.REPLACE
        assert Reason.FINGERPRINT in change.reasons
        assert FieldChange("params.idea", "snow", "rain", True) in change.fields
        # the metadata change rides along, without forcing anything
        assert FieldChange("title", "Title", "T2", False) in change.fields
        assert plan.summary() == "Plan: 0 to create, 0 to update, 1 to replace, 0 to delete."

    def test_nested_param_change_has_a_dotted_path(self):
        lock = applied(project(story("a")))
        changed = story("a", audio_option={"has_bg_music": True, "narrator": "Adam"})
        [change] = make_plan(project(changed), lock).changes
        assert change.fields == (
            FieldChange("params.audio_option.narrator", "Rachel", "Adam", True),)

    def test_mode_change_replaces(self):
        lock = applied(project(story("a")))
        [change] = make_plan(project(story("a", mode="url")), lock).changes
        assert change.action is Action.REPLACE
        assert FieldChange("mode", "idea", "url", True) in change.fields
        assert Reason.MODE in change.reasons

    def test_provider_change_replaces(self):
        lock = applied(project(story("a")))
        http = ProviderConfig(type="http", base_url="http://127.0.0.1:8000/")
        [change] = make_plan(project(story("a"), provider=http), lock).changes
        assert change.action is Action.REPLACE
        assert change.fields == (
            FieldChange("provider", "local", "http:http://127.0.0.1:8000", True),)

    def test_credentials_in_base_url_do_not_look_like_a_provider_change(self):
        """The lockfile keeps the scrubbed identity; the planner compares scrubbed to scrubbed."""
        http = ProviderConfig(type="http", base_url="https://user:secret@api.example/v1")
        proj = project(story("a"), provider=http)
        lock = applied(proj)
        assert lock.entries["a"].provider == "http:https://api.example/v1"
        assert not make_plan(proj, lock).has_changes

    def test_entry_without_params_shows_the_fingerprints(self):
        """An imported entry has no params; the plan still says what forced the replace."""
        lock = applied(project(story("a")))
        lock = lock.with_entry("a", replace(lock.entries["a"], params=None))
        [change] = make_plan(project(story("a", idea="other")), lock).changes
        assert change.action is Action.REPLACE
        assert [f.path for f in change.fields] == ["fingerprint"]
        assert change.fields[0].forces_replacement


class TestRegenerate:
    def test_pinned_storyboard_change_regenerates_the_same_story(self):
        board = {"scenes": [{"name": "one"}]}
        lock = applied(project(story("a", mode="storyboard", storyboard=board)))
        edited = story("a", mode="storyboard", storyboard={"scenes": [{"name": "two"}]})
        plan = make_plan(project(edited), lock)
        [change] = plan.changes
        assert change.action is Action.REGENERATE
        assert change.reasons[0] is Reason.STORYBOARD
        # shown scene by scene (numbered from 1), as the lockfile recorded the old one
        assert change.fields[0].path == "scenes[1].name"
        assert (change.fields[0].before, change.fields[0].after) == ("one", "two")
        assert change.scenes == ((1,), 1)
        assert not change.fields[0].forces_replacement
        assert change.story_id == lock.entries["a"].story_id
        assert "1 to regenerate" in plan.summary()

    def test_storyboard_and_inputs_changed_is_a_replace(self):
        lock = applied(project(story("a", mode="storyboard", storyboard={"s": 1})))
        edited = story("a", "new idea", mode="storyboard", storyboard={"s": 2})
        [change] = make_plan(project(edited), lock).changes
        assert change.action is Action.REPLACE


class TestDelete:
    def test_address_gone_from_specs_is_deleted(self):
        lock = applied(project(story("a"), story("b")))
        plan = make_plan(project(story("a")), lock)
        assert actions(plan) == {"a": Action.NOOP, "b": Action.DELETE}
        delete = plan.change_for("b")
        assert delete.before == lock.entries["b"] and delete.after is None
        assert delete.reasons == (Reason.GONE,)

    def test_prevent_destroy_turns_the_delete_into_a_plan_error(self):
        lock = applied(project(story("keep", prevent_destroy=True)))
        plan = make_plan(project(), lock)
        assert plan.changes == ()
        [error] = plan.errors
        assert "keep" in error and "prevent_destroy" in error
        assert "vidflow state rm 'keep'" in error


class TestMoved:
    def test_rename_through_moved_is_a_move_without_api_calls(self):
        lock = applied(project(story("promo", title="T")))
        renamed = story("winter-promo", title="T", output="out/promo.mp4")
        plan = make_plan(project(renamed, moved=(("promo", "winter-promo"),)), lock)
        [change] = plan.changes
        assert change.action is Action.MOVE
        assert change.moved_from == "promo"
        assert change.story_id == lock.entries["promo"].story_id
        assert "1 to move" in plan.summary()

    def test_moved_then_compared_under_the_new_address(self):
        lock = applied(project(story("promo", title="T")))
        renamed = story("winter-promo", title="T2", output="out/promo.mp4")
        [change] = make_plan(project(renamed, moved=(("promo", "winter-promo"),)), lock).changes
        assert change.action is Action.UPDATE
        assert change.moved_from == "promo"
        assert Reason.MOVED in change.reasons
        assert change.fields == (FieldChange("title", "T", "T2"),)

    def test_chains_are_followed_in_any_order(self):
        lock = applied(project(story("a", output="out/x.mp4")))
        target = story("c", output="out/x.mp4")
        plan = make_plan(project(target, moved=(("b", "c"), ("a", "b"))), lock)
        [change] = plan.changes
        assert (change.address, change.action, change.moved_from) == ("c", Action.MOVE, "a")

    def test_moving_onto_a_recorded_address_is_an_error(self):
        lock = applied(project(story("a"), story("b")))
        plan = make_plan(project(story("a"), story("b"), moved=(("a", "b"),)), lock)
        assert any("already has a story at 'b'" in e for e in plan.errors)

    def test_cycle_is_an_error(self):
        lock = applied(project(story("a")))
        plan = make_plan(project(story("a"), moved=(("a", "b"), ("b", "a"))), lock)
        assert any("cycle" in e for e in plan.errors)

    def test_moved_block_already_applied_is_ignored(self):
        """After the rename is in the lockfile, the block does nothing."""
        proj = project(story("b"), moved=(("a", "b"),))
        plan = make_plan(proj, applied(proj))
        assert not plan.has_changes and not plan.errors


class TestRemoteState:
    def test_story_deleted_outside_vidflow_is_created_again(self):
        lock = applied(project(story("a")))
        [change] = make_plan(project(story("a")), lock, {"a": None}).changes
        assert change.action is Action.CREATE
        assert change.reasons == (Reason.REMOTE_DELETED,)
        assert change.before == lock.entries["a"]

    def test_failed_story_is_created_again(self):
        lock = applied(project(story("a")))
        sid = lock.entries["a"].story_id
        remote = {"a": StoryRecord(id=sid, status="fail", title="Title")}
        [change] = make_plan(project(story("a")), lock, remote).changes
        assert change.action is Action.CREATE
        assert change.reasons == (Reason.REMOTE_FAILED,)

    def test_locked_fail_status_is_created_again_without_refresh(self):
        lock = applied(project(story("a")))
        lock = lock.with_entry("a", replace(lock.entries["a"], status="fail"))
        [change] = make_plan(project(story("a")), lock).changes
        assert change.action is Action.CREATE

    def test_title_changed_outside_vidflow_is_drift(self):
        lock = applied(project(story("a", title="Mine")))
        sid = lock.entries["a"].story_id
        record = StoryRecord.from_api({"id": sid, "status": "success", "title": "Theirs"})
        [change] = make_plan(project(story("a", title="Mine")), lock, {"a": record}).changes
        assert change.action is Action.UPDATE
        assert change.reasons == (Reason.REMOTE_DRIFT,)
        assert change.fields == (FieldChange("title", "Theirs", "Mine"),)

    def test_fields_the_server_did_not_send_are_not_drift(self):
        """GET may omit visibility_status: its default must not look like a change."""
        lock = applied(project(story("a", visibility="2")))
        sid = lock.entries["a"].story_id
        record = StoryRecord.from_api({"id": sid, "status": "success", "title": "Title"})
        plan = make_plan(project(story("a", visibility="2")), lock, {"a": record})
        assert not plan.has_changes

    def test_unrefreshed_addresses_plan_from_the_lockfile(self):
        lock = applied(project(story("a"), story("b")))
        plan = make_plan(project(story("a"), story("b")), lock, {"a": None})
        assert actions(plan) == {"a": Action.CREATE, "b": Action.NOOP}


class TestResume:
    def test_processing_story_is_resumed_not_created(self):
        lock = applied(project(story("a")))
        lock = lock.with_entry("a", replace(lock.entries["a"], status="processing"))
        plan = make_plan(project(story("a")), lock)
        [change] = plan.changes
        assert change.action is Action.RESUME
        assert change.reasons == (Reason.RESUMED,)
        assert change.story_id == lock.entries["a"].story_id
        assert plan.has_changes and "1 to resume" in plan.summary()

    def test_refresh_status_wins_over_the_lockfile(self):
        lock = applied(project(story("a")))
        lock = lock.with_entry("a", replace(lock.entries["a"], status="processing"))
        sid = lock.entries["a"].story_id
        record = StoryRecord(id=sid, status="success", title="Title")
        assert not make_plan(project(story("a")), lock, {"a": record}).has_changes

    def test_success_not_downloaded_is_resumed(self):
        lock = applied(project(story("a")))
        lock = lock.with_entry("a", replace(lock.entries["a"], output_sha256=None))
        [change] = make_plan(project(story("a")), lock).changes
        assert (change.action, change.reasons) == (Action.RESUME, (Reason.NOT_DOWNLOADED,))

    def test_processing_with_new_title_is_an_update_that_also_resumes(self):
        lock = applied(project(story("a")))
        lock = lock.with_entry("a", replace(lock.entries["a"], status="new"))
        [change] = make_plan(project(story("a", title="New")), lock).changes
        assert change.action is Action.UPDATE
        assert change.reasons == (Reason.METADATA, Reason.RESUMED)


class TestDeposed:
    def test_older_story_of_an_interrupted_replace_is_deleted(self):
        lock = applied(project(story("a")))
        lock = lock.with_entry("a", replace(lock.entries["a"], deposed=["old-1"]))
        plan = make_plan(project(story("a")), lock)
        assert [(c.action, c.deposed) for c in plan.changes] == [
            (Action.NOOP, None), (Action.DELETE, "old-1")]
        assert plan.changes[1].story_id == "old-1"
        assert plan.changes[1].reasons == (Reason.DEPOSED,)
        assert plan.change_for("a").action is Action.NOOP


class TestTargets:
    def test_exact_address(self):
        proj = project(story("a"), story("b"))
        plan = make_plan(proj, empty_lock(), targets=["b"])
        assert list(actions(plan)) == ["b"]

    def test_bare_name_selects_every_variant(self):
        proj = project(story("p[tone=fun]"), story("p[tone=sad]"), story("q"))
        plan = make_plan(proj, empty_lock(), targets=["p"])
        assert list(actions(plan)) == ["p[tone=fun]", "p[tone=sad]"]

    def test_target_covers_deletes_and_moves(self):
        lock = applied(project(story("old", output="out/x.mp4"), story("gone")))
        proj = project(story("new", output="out/x.mp4"), moved=(("old", "new"),))
        assert list(actions(make_plan(proj, lock, targets=["old"]))) == ["new"]
        assert list(actions(make_plan(proj, lock, targets=["gone"]))) == ["gone"]

    def test_unknown_target_is_an_error(self):
        plan = make_plan(project(story("a")), empty_lock(), targets=["nope"])
        assert plan.errors == ("--target 'nope' matches no story in the specs or the lockfile",)


class TestDigest:
    def test_digest_follows_planned_fields_only(self):
        base = spec_digest(project(story("a")))
        assert spec_digest(project(story("a"))) == base
        assert spec_digest(project(story("a", title="x"))) != base
        assert spec_digest(project(story("a", idea="x"))) != base
        assert spec_digest(project(story("a"), moved=(("z", "a"),))) != base


class TestWebhook:
    def test_webhook_url_is_neither_a_change_nor_recorded(self):
        """A webhook URL may embed a token: it never reaches the committed lockfile."""
        hooked = story("a", webhook_url="https://hooks.example/T0/secret-token")
        lock = applied(project(hooked))
        assert "webhook_url" not in lock.entries["a"].params
        plan = make_plan(project(story("a", webhook_url="https://other.example/")), lock)
        assert not plan.has_changes

    def test_replace_diff_does_not_list_the_webhook(self):
        lock = applied(project(story("a", webhook_url="https://hooks.example/1")))
        edited = story("a", idea="new", webhook_url="https://hooks.example/2")
        [change] = make_plan(project(edited), lock).changes
        assert [f.path for f in change.fields] == ["params.idea"]


def test_empty_output_keeps_the_path_the_executor_chose():
    """A story without `output` goes to the executor's default; that is not a change."""
    lock = applied(project(story("a", output="")))
    lock = lock.with_entry("a", replace(lock.entries["a"], output="out/a.mp4"))
    assert not make_plan(project(story("a", output="")), lock).has_changes


def test_moved_source_still_declared_is_an_error():
    lock = applied(project(story("a")))
    plan = make_plan(project(story("a"), story("b"), moved=(("a", "b"),)), lock)
    assert any("'a' is moved to 'b' but is still declared" in e for e in plan.errors)


def test_create_again_names_the_lost_story_but_acts_on_none():
    lock = applied(project(story("a")))
    [change] = make_plan(project(story("a")), lock, {"a": None}).changes
    assert change.story_id is None and change.before.story_id == lock.entries["a"].story_id
