"""The engine's one step table: order, progress weights, and resuming after the last step."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from vidflow.engine import steps
from vidflow.engine.jobs import JobControl
from vidflow.engine.pipeline import Run
from vidflow.engine.service import StoryEngine
from vidflow.engine.steps import Context, Step
from vidflow.engine.store import Store

NO_AUDIO = {"has_bg_music": False, "has_narration": False, "native_audio": False}


def _names(table: tuple[Step, ...]) -> list[str]:
    return [s.name for s in table]


def test_each_kind_runs_the_reference_steps_in_order() -> None:
    seven = ["storyboard", "elements", "scenes", "narration", "music", "animation",
             "composition"]
    assert _names(steps.table({"kind": "auto"}, "idea")) == seven
    assert _names(steps.table({"kind": "auto"}, "images")) == [
        n for n in seven if n != "elements"]
    assert _names(steps.table({"kind": "videos"}, "storyboard")) == seven
    assert _names(steps.table({"kind": "concat"}, "storyboard")) == ["composition"]
    # unchanged scenes are re-read from the cache, and move no progress
    quiet = steps.weights(steps.table({"kind": "videos"}, "storyboard"))
    assert [n for n, w in quiet.items() if w == 0] == ["storyboard", "elements", "scenes",
                                                         "narration"]
    again = steps.weights(steps.table({"kind": "videos", "rescene": True}, "storyboard"))
    assert again["scenes"] > 0 and again["narration"] > 0
    for kind in steps.KINDS:
        for mode in ("idea", "images"):
            table = steps.table({"kind": kind}, mode)
            assert len(set(_names(table))) == len(table)


def _run(tmp_path: Path, control: JobControl | None = None) -> Run:
    return Run(story_dir=tmp_path, size=(64, 36), fps=10, preset="ultrafast",
               url_for=str, resolve=lambda url: None, control=control)


def test_execute_reports_progress_by_weight_and_resumes_after_done(tmp_path: Path) -> None:
    calls: list[str] = []
    reported: list[int] = []

    def step(name: str) -> Callable[[Context, dict], dict]:
        def run(ctx: Context, state: dict) -> dict:
            calls.append(name)
            ctx.run.progress(0.5)
            return {name: len(state)}
        return run

    table = (Step("a", 1, step("a")), Step("b", 3, step("b")), Step("c", 0, step("c")))
    control = JobControl("s", "acct", steps.weights(table), reported.append, lambda: False)
    saved: list[tuple[list[str], dict]] = []
    out = steps.execute(table, Context(_run(tmp_path, control), "idea", {}), {"a": 0},
                        done=["a"], saved=lambda d, s: saved.append((d, s)))
    assert calls == ["b", "c"]  # "a" was done before the restart
    assert out == {"a": 0, "b": 1, "c": 2}
    assert saved == [(["a", "b"], {"a": 0, "b": 1}), (["a", "b", "c"], out)]
    assert reported == [25, 62, 99, 99, 99]  # a done; half of b; b done; c weighs nothing


@pytest.mark.slow
def test_a_restarted_story_resumes_after_its_last_finished_step(
        make_engine: Callable[..., StoryEngine], tmp_path: Path) -> None:
    data = tmp_path / "shared"
    first = make_engine(data, workers=1)
    story = first.idea_to_video(idea="A fox explores a snowy forest. It finds a lantern.",
                                scene_count=2, audio_option=NO_AUDIO)
    deadline = time.monotonic() + 60
    while "narration" not in ((first.store.get(story["id"]).job or {}).get("done") or []):
        assert time.monotonic() < deadline
        time.sleep(0.005)
    first.close()
    peek = Store(data, starting_balance=0)
    job = peek.get(story["id"]).job
    peek.close()
    if job is None:
        pytest.skip("the story finished before close() could interrupt it")
    assert job["done"][:4] == ["storyboard", "elements", "scenes", "narration"]
    images = job["state"]["images"]
    second = make_engine(data, workers=1)
    done = second.wait(story["id"], timeout=180)
    assert done["status"] == "success", done["message"]
    # the scene images the first process made are the ones the film was made of
    made = [second.media_path(s["image_url"]) for s in done["scenes"]]
    assert [p.name for p in made] == [Path(r).name for r in images]


@pytest.mark.slow
def test_a_state_saved_when_the_film_was_whole_clips_is_cut_before_composing(
        make_engine: Callable[..., StoryEngine], tmp_path: Path) -> None:
    """An older engine saved the animation step's whole clips ("clips", the crossfades
    as one file); composing from such a state animates the scenes' cuts first."""
    from vidflow.engine.stages.ffmpeg import probe

    engine = make_engine(tmp_path / "data")
    story = engine.wait(engine.idea_to_video(
        idea="A fox explores a snowy forest. It finds a lantern.", scene_count=2,
        is_transition=True, audio_option=NO_AUDIO)["id"], timeout=120)
    assert story["status"] == "success", story["message"]
    row = engine.store.get(story["id"])
    run = Run(story_dir=tmp_path / "old", size=(64, 36), fps=10, preset="ultrafast",
              url_for=str, resolve=lambda url: None)
    ctx = Context(run, row.mode, row.params, row.title, {"kind": "auto"})
    table = steps.table({"kind": "auto"}, row.mode)
    state = steps.execute(table[:-1], ctx, {"board": None})
    assert "pieces" in state
    old = {k: v for k, v in state.items() if k != "pieces"}
    old.update(clips=["assets/clip-gone.mp4"] * 2, fades="assets/fades-gone.mp4")
    out = steps.execute(table[-1:], ctx, old)
    assert out["pieces"] == state["pieces"] and out["fades"] == state["fades"]
    durations = out["timing"]["durations"]
    frames = probe(ctx.path(out["final"]), count_frames=True).frames
    assert frames == sum(round(d * 10) for d in durations) - 5  # one 0.5 s crossfade
