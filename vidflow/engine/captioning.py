"""The captions step of a composition: a story's narration words, timed by eSpeak NG, on the
final film's timeline → `captions.srt` / `captions.vtt` beside `final.mp4`, burned in.

Runs after composition (steps._composition), from the numbers the composition used: each
scene's narration starts at `Timing.starts[i]` (the soundtrack's adelay), and no cue
passes the film's probed end. Word timings are an asset of their own, keyed like the
narration WAV (the same text, voice and language speak the same samples) and written by
the same synthesis when the story is captioned from the start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidflow.contract.captions import CAPTION_SUFFIXES
from vidflow.contract.params import DEFAULTS
from vidflow.contract.storyboard import AUDIO_DEFAULTS, narration_on
from vidflow.engine import pipeline
from vidflow.engine.assets import file_digest
from vidflow.engine.pipeline import Run, Timing

SIDECAR_STEM = "captions"  # captions.srt and captions.vtt in the story's folder


@dataclass(frozen=True)
class Captioned:
    video: Path  # the final video, captions burned in
    sidecars: dict[str, Path]  # suffix → file


def sidecar_paths(story_dir: Path) -> dict[str, Path]:
    return {suffix: story_dir / f"{SIDECAR_STEM}{suffix}" for suffix in CAPTION_SUFFIXES}


def remove_sidecars(story_dir: Path) -> None:
    """A film composed without captions has no sidecars (none left from before)."""
    for path in sidecar_paths(story_dir).values():
        path.unlink(missing_ok=True)


def words_asset(run: Run, text: str, *, voice: str, language: str) -> Path:
    """One scene's spoken words with their times (JSON), as eSpeak NG reported them:
    made with the narration when the run times words (`Run.words`), else spoken again."""
    from vidflow.engine.stages import narration as stage

    def speak(tmp: Path) -> None:
        wav = tmp.with_name(tmp.name + ".wav")
        try:
            stage.synthesize(text, narrator=voice, language=language, out=wav, words_out=tmp)
        finally:
            wav.unlink(missing_ok=True)

    inputs = pipeline.speech_inputs(text, voice=voice, language=language)
    return run.assets.get("words", inputs, "json", speak)


def caption(run: Run, board: dict[str, Any], params: dict[str, Any], timing: Timing,
            final: Path, options: dict[str, str],
            note: Callable[[str], None] = lambda text: None) -> Captioned:
    """Sidecars and the burned-in film for `final` (composed with `timing`); `note` adds
    to the story's message (characters the burned-in font cannot draw)."""
    from vidflow.engine.stages import captions as stage
    from vidflow.engine.stages import narration as speech
    from vidflow.engine.stages.ffmpeg import probe

    audio = params.get("audio") or {}
    language = str(params.get("language") or DEFAULTS["language"])
    voice = str(audio.get("narrator") or AUDIO_DEFAULTS["narrator"])
    aspect = str(params.get("aspect_ratio") or DEFAULTS["aspect_ratio"])
    scenes: list[tuple[float, Sequence[speech.SpokenWord]]] = []
    if narration_on(audio):
        for i, scene in enumerate(board.get("scenes", [])):
            text = pipeline.narration_text(scene)
            if text and i < len(timing.starts):
                words = speech.read_words(words_asset(run, text, voice=voice,
                                                      language=language))
                scenes.append((timing.starts[i], words))
    total = min(timing.seconds, probe(final).duration or timing.seconds)
    fits = stage.line_fits(run.size, aspect, options["size"])
    cues = stage.lines(stage.place(scenes, total=total), fits=fits)
    sidecars = sidecar_paths(run.story_dir)
    _write(sidecars[".srt"], stage.srt(cues))
    _write(sidecars[".vtt"], stage.vtt(cues))
    if not cues:  # nothing said (narration off): nothing to burn in
        return Captioned(final, sidecars)
    glyphs = stage.Glyphs()
    document = stage.ass(cues, size=run.size, aspect_ratio=aspect, options=options,
                         glyphs=glyphs)
    if glyphs.missing:
        note(f"captions: the burned-in font has no {''.join(sorted(glyphs.missing))[:20]!r}; "
             "those characters are only in the SRT and WebVTT sidecars")
    subtitles = run.assets.get("captions", {"ass": document}, "ass",
                               lambda tmp: tmp.write_text(document, encoding="utf-8"))
    fonts = stage.font_dir(run.story_dir / "fonts")
    inputs = {"video": file_digest(final), "ass": file_digest(subtitles),
              "font": file_digest(fonts / stage.FONT_FILE), "preset": run.preset}
    burned = run.assets.get("captioned", inputs, "mp4", lambda tmp: stage.burn(
        final, subtitles, tmp, fonts=fonts, preset=run.preset))
    return Captioned(pipeline.publish(run, burned), sidecars)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
