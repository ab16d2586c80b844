"""What a plan costs, per action: priced with the contract's own price functions (the
engine's), a paid change per create, replace and regenerate, nothing for the rest; an http
provider's estimate from its `prices:`, else the lockfile's credits per scene."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from plan_helpers import applied, empty_lock, project, story

from vidflow.contract import prices
from vidflow.contract.storyboard import effective_audio
from vidflow.errors import PlanError, SpecErrors
from vidflow.plan.cost import check_budget
from vidflow.plan.model import Action
from vidflow.plan.planner import make_plan
from vidflow.spec import load_project
from vidflow.spec.model import ProviderConfig

AUDIO = {"has_bg_music": True, "narrator": "Rachel"}  # the story builder's audio_option
HTTP = ProviderConfig(type="http", base_url="http://127.0.0.1:9/")


def board(scenes: int, word: str = "one") -> dict:
    return {"scenes": [{"name": f"{word}{i}", "narrator": f"line {i}"} for i in range(scenes)]}


def only(plan):
    [change] = plan.pending
    return change, plan.cost.of(change)


class TestLocalEngine:
    def test_an_idea_create_costs_the_automatic_pipeline(self):
        plan = make_plan(project(story("a", scene_count=4, scene_duration="10",
                                       is_transition=True)), empty_lock())
        change, credits = only(plan)
        assert change.action is Action.CREATE
        assert credits == prices.automatic_price(scenes=4, seconds=10, transition=True,
                                                 audio=effective_audio(AUDIO))
        assert plan.cost.total == credits and plan.cost.exact and plan.cost.basis == "engine"

    def test_more_scenes_cost_more(self):
        two = make_plan(project(story("a", scene_count=2)), empty_lock()).cost.total
        five = make_plan(project(story("a", scene_count=5)), empty_lock()).cost.total
        assert five > two > 0

    def test_images_mode_pays_no_image_rendering_one_scene_per_image(self):
        urls = [f"https://example.org/{i}.png" for i in range(3)]
        plan = make_plan(project(story("a", mode="images", image_urls=urls)), empty_lock())
        assert plan.cost.total == prices.automatic_price(
            scenes=3, seconds=5, transition=False, audio=effective_audio(AUDIO),
            user_images=True)

    def test_a_storyboard_create_is_its_three_paid_posts(self):
        plan = make_plan(project(story("a", mode="storyboard", storyboard=board(2),
                                       duration=10, loop=2)), empty_lock())
        audio = effective_audio(AUDIO)
        assert plan.cost.total == (
            prices.storyboard_price()
            + prices.scenes_price(scenes=2, audio=audio)
            + prices.videos_price(scenes=2, seconds=10, loop=2, transition=False, audio=audio))

    def test_a_regenerate_pays_every_scene_of_the_storyboard_as_the_engine_charges(self):
        lock = applied(project(story("a", mode="storyboard", storyboard=board(4))))
        edited = board(4)
        edited["scenes"][1]["narrator"] = "a new line"  # one scene of four
        change, credits = only(make_plan(project(story("a", mode="storyboard",
                                                       storyboard=edited)), lock))
        assert change.action is Action.REGENERATE and change.scenes == ((2,), 4)
        audio = effective_audio(AUDIO)
        assert credits == prices.scenes_price(scenes=4, audio=audio) + prices.videos_price(
            scenes=4, seconds=5, transition=False, audio=audio)

    def test_a_replace_costs_a_new_story(self):
        lock = applied(project(story("a", "snow")))
        change, credits = only(make_plan(project(story("a", "rain")), lock))
        fresh = make_plan(project(story("a", "rain")), empty_lock()).cost.total
        assert change.action is Action.REPLACE and credits == fresh > 0

    @pytest.mark.parametrize("action", ["update", "delete", "move", "noop"])
    def test_unpaid_changes_cost_nothing(self, action):
        lock = applied(project(story("a", output="out/a.mp4"), story("b")))
        if action == "update":
            plan = make_plan(project(story("a", title="New", output="out/a.mp4"),
                                     story("b")), lock)
        elif action == "delete":
            plan = make_plan(project(story("b")), lock)
        elif action == "move":
            plan = make_plan(project(story("c", output="out/a.mp4"), story("b"),
                                     moved=(("a", "c"),)), lock)
        else:
            plan = make_plan(project(story("a", output="out/a.mp4"), story("b")), lock)
        assert all(plan.cost.of(c) == 0 for c in plan.changes)
        assert plan.cost.total == 0
        if action != "noop":
            assert {c.action.key for c in plan.pending} == {action}

    def test_the_total_is_the_sum_and_the_biggest_come_first(self):
        lock = applied(project(story("keep")))
        plan = make_plan(project(story("keep", title="T"), story("small", scene_count=1),
                                 story("big", scene_count=6)), lock)
        assert plan.cost.total == sum(plan.cost.of(c) for c in plan.changes)
        assert [a for a, _ in plan.cost.biggest(2)] == ["big", "small"]

    def test_the_plan_document_carries_credits_per_change_and_the_total(self):
        plan = make_plan(project(story("a"), story("b", scene_count=1)), empty_lock())
        data = plan.to_json()
        assert data["cost"]["total"] == sum(c["credits"] for c in data["changes"])
        assert data["cost"]["exact"] is True


class TestHttpEstimate:
    def test_without_history_or_prices_it_is_the_engine_table_labelled_estimate(self):
        plan = make_plan(project(story("a"), provider=HTTP), empty_lock())
        local = make_plan(project(story("a")), empty_lock())
        assert plan.cost.total == local.cost.total
        assert not plan.cost.exact and plan.cost.basis == "engine-prices"
        assert "estimate" in plan.cost.line()

    def test_the_provider_prices_table_is_used(self):
        doubled = {name: 2 * getattr(prices.ENGINE, name) for name in prices.PRICE_NAMES}
        provider = dataclasses.replace(HTTP, prices=doubled)
        plan = make_plan(project(story("a"), provider=provider), empty_lock())
        local = make_plan(project(story("a")), empty_lock())
        assert plan.cost.total == 2 * local.cost.total
        assert plan.cost.basis == "provider-prices"

    def test_the_lockfile_teaches_credits_per_scene(self):
        lock = applied(project(story("old", scene_count=2), provider=HTTP))
        lock = dataclasses.replace(lock, entries={
            "old": dataclasses.replace(lock.entries["old"], used_credits=50)})
        plan = make_plan(project(story("old", scene_count=2), story("new", scene_count=3),
                                 provider=HTTP), lock)
        assert plan.cost.basis == "lockfile-average"
        assert plan.cost.credits == {"new": 75}  # 25 per scene, 3 scenes


class TestBudget:
    def test_over_the_limit_is_refused_naming_total_limit_and_biggest(self):
        plan = make_plan(project(story("big", scene_count=6), story("small", scene_count=1)),
                         empty_lock())
        with pytest.raises(PlanError) as caught:
            check_budget(plan.cost, plan.cost.total - 1)
        message = str(caught.value)
        assert f"{plan.cost.total} credits" in message
        assert f"limit of {plan.cost.total - 1}" in message
        assert message.index("big (") < message.index("small (")

    def test_at_the_limit_or_without_one_it_passes(self):
        plan = make_plan(project(story("a")), empty_lock())
        check_budget(plan.cost, plan.cost.total)
        check_budget(plan.cost, None)


class TestSpec:
    def write(self, tmp_path: Path, provider: str) -> Path:
        (tmp_path / "videos.yaml").write_text(
            f"version: 1\nprovider:\n{provider}stories: {{}}\n", encoding="utf-8")
        return tmp_path

    def test_prices_and_max_credits_are_read_from_the_provider_block(self, tmp_path):
        root = self.write(tmp_path, "  type: http\n  base_url: http://127.0.0.1:9\n"
                                    "  max_credits: 500\n  prices: {scene_image: 7}\n")
        provider = load_project(root).provider
        assert provider.max_credits == 500 and provider.prices == {"scene_image": 7}

    def test_an_unknown_price_is_a_located_error(self, tmp_path):
        root = self.write(tmp_path, "  type: http\n  base_url: http://127.0.0.1:9\n"
                                    "  prices: {scene_imag: 7}\n")
        with pytest.raises(SpecErrors) as caught:
            load_project(root)
        [error] = caught.value.errors
        assert "scene_imag" in error.message and error.location.line == 5

    def test_prices_on_the_local_engine_are_refused(self, tmp_path):
        root = self.write(tmp_path, "  type: local\n  prices: {scene_image: 7}\n")
        with pytest.raises(SpecErrors) as caught:
            load_project(root)
        assert "http provider" in str(caught.value) and caught.value.errors[0].location
