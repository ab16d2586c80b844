"""Pipeline stages: pure functions from inputs to files, no database, no HTTP.

The contract the pipeline (vidflow/engine/pipeline.py) relies on:

storyboard.py
    write_storyboard(idea, *, scene_count, language, elements=None,
                     page_text=None, image_count=None) -> dict
        {"characters": [{name, description, ...}], "environments": [...],
         "objects": [...], "scenes": [{"name", "image_description", "narrator" (the
         narration text, as the reference's storyboard example names it),
         "camera_movement", "elements": [names], "environment": name}]}
        Deterministic. User `elements` are kept (with their image_url/URL/image) and
        placed in the scenes that mention them. `image_count` (images mode) fixes the
        scene count. A ChatStoryboardWriter (OpenAI-compatible endpoint) sits behind the
        same interface and falls back to the rule-based writer, saying so.
        Narration: story.py (one complete sentence or two per scene, the idea in order,
        its product named). camera_movement may carry the look's speed ("slow_zoom_in");
        image_description ends with the look's mark ("Mood: calm.").

looks.py
    TONES: the one table of tone words → Look (grade, camera speed and moves, music);
    look_for(text), mood_of(text), grade(image, look), split_speed(camera_movement)

canvas.py
    aspect_size(aspect_ratio, *, scale=1.0) -> (width, height)
        vidflow.contract.enums.RENDER_SIZES, scaled; even sizes
    font(px): the font every picture is lettered in (Pillow's own)

images.py
    render_element(element, kind, size, out, *, source=None) -> None   (PNG)
    render_scene(scene, storyboard, size, out, *, element_images={name: Path},
                 base_image=None) -> None   (PNG; base_image = a user image, images mode)
        graded in the look its image_description names; labels laid out by labels.py
        (never overlapping, always in frame; label_boxes(scene, storyboard, size))

narration.py
    synthesize(text, *, narrator, language, out) -> float  (WAV, seconds)

music.py
    background_music(duration, *, mood, out, sample_rate=48000) -> None   (WAV)
    ambient_sound(duration, *, environment, out, sample_rate=48000) -> None (WAV)

animate.py
    animate_scene(image, out, *, duration, camera_movement, size, fps=30, loop=1,
                  preset="veryfast", threads=0, transition=0.5, first=0, end=None) -> None
        a silent H.264 yuv420p clip of frames [first, end) of the round(duration*fps) the
        scene lasts (the engine's cut between crossfades, or the whole scene); a whole
        clip's keyframes `transition` s from each end let compose copy its middle
    encode_crossfades([Shot], out, *, k, size, fps=30, preset="veryfast", threads=0)
        each neighbouring pair's k-frame crossfade, drawn again, in the cuts' settings
    animate_scenes([SceneJob], *, size, fps=30, workers=2, ...)   several in parallel

compose.py
    compose_story(clips, out, *, size, fps=30, transition=0.0, narrations=[(wav, start_s)],
                  music=None, ambient=None, preset="veryfast", threads=0, copy=True)
                  -> float  (final MP4 duration, seconds)
        H.264/AAC, yuv420p, +faststart, music ducked under narration, loudnorm ~-16 LUFS;
        no audio stream when there is no audio input at all.
    concat_videos(videos, out, *, size=None, audio=[], fps=30, preset="veryfast") -> float

ffmpeg.py
    the one runner: ffmpeg_exe(), run_ffmpeg(args, ...) raising MediaError with the
    tail of FFmpeg's log; probe(path, count_frames=False) -> MediaInfo (duration, width,
    height, fps, frames, pix_fmt, codecs, streams); RawVideoEncoder (raw yuv420p → x264).
"""
