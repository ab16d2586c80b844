"""Composition and concatenation, checked on the real output with PyAV."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from vidflow.engine.stages.animate import Shot, animate_scene, encode_crossfades
from vidflow.engine.stages.compose import compose_story, concat_videos, transition_offsets
from vidflow.engine.stages.ffmpeg import ffmpeg_exe, keyframe_indexes, probe
from vidflow.engine.stages.music import background_music
from vidflow.engine.stages.narration import synthesize, write_wav

from .conftest import FPS, SMALL

SR = 48000


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory, scene_png: Path) -> list[Path]:
    """Three 1.5 s clips at 320x180, 10 fps."""
    folder = tmp_path_factory.mktemp("clips")
    out = []
    for i, move in enumerate(("zoom_in", "pan_left", "zoom_out")):
        clip = folder / f"c{i}.mp4"
        animate_scene(scene_png, clip, duration=1.5, camera_movement=move, size=SMALL,
                      fps=FPS, preset="ultrafast")
        out.append(clip)
    return out


def _tone(path: Path, freq: float, seconds: float, level: float = 0.3,
          channels: int = 1) -> Path:
    t = np.arange(int(seconds * SR)) / SR
    wave = (level * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
    if channels == 2:
        wave = np.stack([wave, wave], axis=1)
    write_wav(path, wave, SR, channels=channels)
    return path


def _audio(path: Path) -> np.ndarray:
    """The output's first audio channel as float samples at 48 kHz."""
    with av.open(str(path)) as container:
        chunks = [f.to_ndarray()[0] for f in container.decode(audio=0)]
    return np.concatenate(chunks).astype(np.float64)


def _band(samples: np.ndarray, start: float, end: float, freq: float) -> float:
    seg = samples[int(start * SR):int(end * SR)]
    spectrum = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
    f = np.fft.rfftfreq(len(seg), 1 / SR)
    return float(spectrum[(f > freq - 15) & (f < freq + 15)].max())


def test_offsets_overlap_each_pair_by_the_transition() -> None:
    assert transition_offsets([5, 5, 5], 0.5) == [4.5, 9.0]


def test_transition_longer_than_half_a_clip_is_capped(tmp_path: Path,
                                                      clips: list[Path]) -> None:
    """A 2 s overlap of 1.5 s clips is cut to whole frames under half a clip (0.7 s)."""
    out = tmp_path / "x.mp4"
    duration = compose_story(clips, out, size=SMALL, fps=FPS, transition=2.0,
                             preset="ultrafast")
    assert duration == pytest.approx(4.5 - 2 * 0.7, abs=0.05)


def test_crossfades_shorten_by_the_overlaps_and_silent_has_no_audio(
        tmp_path: Path, clips: list[Path]) -> None:
    out = tmp_path / "x.mp4"
    duration = compose_story(clips, out, size=SMALL, fps=FPS, transition=0.5,
                             preset="ultrafast")
    info = probe(out, count_frames=True)
    assert duration == pytest.approx(3 * 1.5 - 2 * 0.5, abs=0.05)
    assert info.frames == 35
    assert (info.width, info.height, info.pix_fmt, info.video_codec) == (
        *SMALL, "yuv420p", "h264")
    assert not info.has_audio


def test_crossfade_blends_neighbouring_scenes(tmp_path: Path, scene_png: Path,
                                              gradient_png: Path) -> None:
    """Mid-transition frames are a mix of the two scenes, not a cut."""
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    for src, clip in ((scene_png, a), (gradient_png, b)):
        animate_scene(src, clip, duration=1.0, camera_movement="static", size=SMALL,
                      fps=FPS, preset="ultrafast")
    out = tmp_path / "x.mp4"
    compose_story([a, b], out, size=SMALL, fps=FPS, transition=0.5, preset="ultrafast")
    with av.open(str(out)) as c:
        frames = [f.to_ndarray(format="rgb24").astype(float) for f in c.decode(video=0)]
    first, last = frames[0], frames[-1]
    middle = frames[len(frames) // 2]
    assert len(frames) == 15
    assert np.abs(middle - first).mean() > 5 and np.abs(middle - last).mean() > 5
    assert np.abs(middle - (first + last) / 2).mean() < np.abs(first - last).mean() / 3


def test_audio_mix_with_narration_and_ducked_music(tmp_path: Path,
                                                   clips: list[Path]) -> None:
    """Narration starts at its scene; music dips while it plays; AAC stereo 48 kHz."""
    music = _tone(tmp_path / "m.wav", 220, 6.0, channels=2)
    voice = _tone(tmp_path / "v.wav", 1000, 1.2)
    out = tmp_path / "a.mp4"
    duration = compose_story(clips, out, size=SMALL, fps=FPS, narrations=[(voice, 2.0)],
                             music=music, preset="ultrafast")
    info = probe(out)
    assert duration == pytest.approx(4.5, abs=0.06)
    assert info.audio_codec == "aac" and info.audio.sample_rate == SR
    assert info.audio.channels == 2
    assert info.frames == 45
    samples = _audio(out)
    assert _band(samples, 0.8, 1.8, 1000) < 0.05 * _band(samples, 2.2, 3.0, 1000)
    ducked = _band(samples, 2.3, 3.0, 220)
    assert ducked < 0.5 * _band(samples, 0.9, 1.6, 220)  # at least 6 dB under the voice


def test_loudness_is_normalized_near_minus_16_lufs(tmp_path: Path, clips: list[Path]
                                                   ) -> None:
    quiet = _tone(tmp_path / "q.wav", 440, 6.0, level=0.02, channels=2)
    out = tmp_path / "l.mp4"
    compose_story(clips, out, size=SMALL, fps=FPS, music=quiet, preset="ultrafast")
    log = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(out),
                          "-af", "ebur128", "-f", "null", "-"], capture_output=True,
                         text=True, check=True).stderr
    integrated = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", log)[-1])
    assert -19.5 < integrated < -12.5


def test_real_narration_and_synth_music(tmp_path: Path, clips: list[Path]) -> None:
    """The other stages' outputs plug straight in: eSpeak WAV (22 kHz mono) + music."""
    voice = tmp_path / "n.wav"
    synthesize("Hello there.", out=voice)
    music = tmp_path / "m.wav"
    background_music(4.0, mood="calm", out=music)
    out = tmp_path / "r.mp4"
    compose_story(clips, out, size=SMALL, fps=FPS, transition=0.3,
                  narrations=[(voice, 0.0)], music=music, preset="ultrafast")
    info = probe(out)
    assert info.has_audio and info.duration == pytest.approx(3.9, abs=0.06)


def test_concat_scales_and_pads_mixed_sizes(tmp_path: Path, clips: list[Path],
                                            gradient_png: Path) -> None:
    tall = tmp_path / "tall.mp4"
    animate_scene(gradient_png, tall, duration=1.0, camera_movement="static",
                  size=(180, 320), fps=FPS, preset="ultrafast")
    out = tmp_path / "cat.mp4"
    duration = concat_videos([clips[0], tall], out, size=SMALL, fps=FPS)
    info = probe(out, count_frames=True)
    assert (info.width, info.height) == SMALL
    assert duration == pytest.approx(2.5, abs=0.06)
    assert info.frames == 25
    assert not info.has_audio


def test_concat_mixes_given_audio(tmp_path: Path, clips: list[Path]) -> None:
    song = _tone(tmp_path / "s.wav", 330, 1.0, channels=2)
    out = tmp_path / "cat.mp4"
    duration = concat_videos(clips[:2], out, audio=[song], fps=FPS)
    info = probe(out)
    assert info.has_audio and info.audio_codec == "aac"
    assert duration == pytest.approx(3.0, abs=0.06)
    samples = _audio(out)
    assert _band(samples, 0.2, 0.8, 330) > 10 * _band(samples, 1.6, 2.6, 330)


def test_concat_keeps_a_videos_own_sound(tmp_path: Path, clips: list[Path]) -> None:
    """A video with sound next to a silent one: its sound stays, silence fills the rest."""
    voiced = tmp_path / "voiced.mp4"
    music = _tone(tmp_path / "m.wav", 500, 6.0, channels=2)
    compose_story(clips[:1], voiced, size=SMALL, fps=FPS, music=music, preset="ultrafast")
    out = tmp_path / "cat.mp4"
    concat_videos([clips[1], voiced], out, fps=FPS)
    samples = _audio(out)
    assert _band(samples, 1.8, 2.8, 500) > 10 * _band(samples, 0.2, 1.2, 500)


def test_copy_path_matches_a_full_encode(tmp_path: Path, clips: list[Path]) -> None:
    """Copying clip middles and encoding only the crossfades gives the same pictures,
    frame for frame, as encoding everything (and keeps the clips' own keyframes)."""
    fast, full = tmp_path / "fast.mp4", tmp_path / "full.mp4"
    compose_story(clips, fast, size=SMALL, fps=FPS, transition=0.5, preset="ultrafast")
    compose_story(clips, full, size=SMALL, fps=FPS, transition=0.5, preset="ultrafast",
                  copy=False)
    assert {10, 15, 20} <= set(keyframe_indexes(fast))  # the clips' IDRs: copied
    with av.open(str(fast)) as a, av.open(str(full)) as b:
        pairs = list(zip(a.decode(video=0), b.decode(video=0), strict=True))
    assert len(pairs) == 35
    for x, y in pairs:
        diff = np.abs(x.to_ndarray(format="rgb24").astype(float)
                      - y.to_ndarray(format="rgb24").astype(float)).mean()
        assert diff < 4  # codec noise only: no shifted or missing frame


def test_copy_path_is_frame_exact_when_cuts_fall_between_microseconds(
        tmp_path: Path, scene_png: Path, caplog: pytest.LogCaptureFixture) -> None:
    """At 30 fps a cut at frame 89 is 2.9666... s: rounded to the microsecond it used to
    let one frame too many through, the join failed its check and the whole video was
    encoded again. Now the clips' middles are copied and the count is exact."""
    clips = []
    for i in range(3):
        clip = tmp_path / f"c{i}.mp4"
        animate_scene(scene_png, clip, duration=104 / 30, camera_movement="zoom_in",
                      size=SMALL, fps=30, preset="ultrafast")
        clips.append(clip)
    out = tmp_path / "story.mp4"
    compose_story(clips, out, size=SMALL, fps=30, transition=0.5, preset="ultrafast")
    assert "stream-copy join failed" not in caplog.text
    assert probe(out, count_frames=True).frames == 3 * 104 - 2 * 15
    assert {89, 89 + 15, 89 + 89, 89 + 89 + 15} <= set(keyframe_indexes(out))


MOVES = ("zoom_in", "pan_left", "zoom_out")


def _film(folder: Path, scene_png: Path, *, k: int = 5, presets: tuple[str, ...] = ()
          ) -> list[Path]:
    """What the engine composes: each 15-frame scene's cut between its crossfades, and
    each crossfade (encode_crossfades, one file per pair), in film order."""
    film = []
    for i, move in enumerate(MOVES):
        cut = folder / f"cut{i}.mp4"
        first, end = (k if i else 0), 15 - (k if i < len(MOVES) - 1 else 0)
        animate_scene(scene_png, cut, duration=1.5, camera_movement=move, size=SMALL,
                      fps=FPS, preset=(presets or ("ultrafast",) * 3)[i], first=first,
                      end=end)
        film.append(cut)
        if i < len(MOVES) - 1:
            fade = folder / f"fade{i}.mp4"
            encode_crossfades([Shot(scene_png, 15, m) for m in MOVES[i:i + 2]], fade, k=k,
                              size=SMALL, fps=FPS, preset="ultrafast")
            film.append(fade)
    return film


def test_cuts_and_crossfades_joined_by_copy_match_a_full_encode(
        tmp_path: Path, clips: list[Path], scene_png: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """The engine's film, the scenes' cuts and the crossfades drawn from the same frames,
    joined back to back by copy, is what FFmpeg's xfade of the whole clips shows."""
    film = _film(tmp_path, scene_png)
    assert [probe(p, count_frames=True).frames for p in film] == [10, 5, 5, 5, 10]
    fast, full = tmp_path / "fast.mp4", tmp_path / "full.mp4"
    compose_story(film, fast, size=SMALL, fps=FPS, preset="ultrafast")
    compose_story(clips, full, size=SMALL, fps=FPS, transition=0.5, preset="ultrafast",
                  copy=False)
    assert "encoding" not in caplog.text
    assert {0, 10, 15, 20, 25} <= set(keyframe_indexes(fast))  # each piece's IDR: copied
    with av.open(str(fast)) as a, av.open(str(full)) as b:
        pairs = list(zip(a.decode(video=0), b.decode(video=0), strict=True))
    assert len(pairs) == 35
    for x, y in pairs:
        diff = np.abs(x.to_ndarray(format="rgb24").astype(float)
                      - y.to_ndarray(format="rgb24").astype(float)).mean()
        assert diff < 4


def test_pieces_encoded_with_different_settings_are_encoded_again(
        tmp_path: Path, scene_png: Path, caplog: pytest.LogCaptureFixture) -> None:
    """One stream's parameter sets must describe every copied frame: pieces from
    encoders set up differently are not joined by copy."""
    film = _film(tmp_path, scene_png, presets=("ultrafast", "medium", "ultrafast"))
    out = tmp_path / "story.mp4"
    compose_story(film, out, size=SMALL, fps=FPS, preset="ultrafast")
    assert "encoded with different settings" in caplog.text
    assert probe(out, count_frames=True).frames == 35
    assert set(keyframe_indexes(out)) == {0}  # one encode of the whole film


def test_output_is_faststart(tmp_path: Path, clips: list[Path]) -> None:
    """The index (moov) comes before the media data, so players start at once."""
    out = tmp_path / "f.mp4"
    music = _tone(tmp_path / "m.wav", 220, 5.0, channels=2)
    compose_story(clips, out, size=SMALL, fps=FPS, transition=0.5, music=music,
                  preset="ultrafast")
    head = out.read_bytes()
    assert 0 < head.find(b"moov") < head.find(b"mdat")


def test_foreign_clips_are_fitted_before_crossfading(tmp_path: Path, clips: list[Path],
                                                     gradient_png: Path) -> None:
    """A clip of another size and frame rate is scaled and retimed to join the others."""
    other = tmp_path / "other.mp4"
    animate_scene(gradient_png, other, duration=1.0, camera_movement="zoom_in",
                  size=(180, 320), fps=15, preset="ultrafast")
    out = tmp_path / "x.mp4"
    duration = compose_story([clips[0], other], out, size=SMALL, fps=FPS, transition=0.3,
                             preset="ultrafast")
    info = probe(out, count_frames=True)
    assert (info.width, info.height, info.fps) == (*SMALL, FPS)
    assert duration == pytest.approx(1.5 + 1.0 - 0.3, abs=0.06)


def test_silent_narration_does_not_break_loudness_normalization(
        tmp_path: Path, clips: list[Path]) -> None:
    """Empty narration (digital silence) still gives a story with an audio stream."""
    quiet = tmp_path / "q.wav"
    synthesize("", out=quiet)
    out = tmp_path / "s.mp4"
    compose_story(clips[:1], out, size=SMALL, fps=FPS, narrations=[(quiet, 0.0)],
                  preset="ultrafast")
    assert probe(out).has_audio
    assert not _audio(out).any()
