"""The gallery tests' project: a 2x2 variant matrix, one story left unapplied, one hostile
title."""

from __future__ import annotations

SPEC = """\
version: 1
provider: {type: local}
stories:
  fox:
    mode: idea
    title: "Fox {{ variant.tone }}"
    idea: "A {{ variant.tone }} fox in the snow."
    scene_count: 1
    scene_duration: "5"
    aspect_ratio: "{{ variant.aspect_ratio }}"
    audio_option: {has_bg_music: false, has_narration: false}
    variants:
      matrix: {tone: [fun, calm], aspect_ratio: ["16:9", "1:1"]}
  owl:
    mode: idea
    title: "<script>alert('owl')</script> & co"
    idea: An owl at night.
    scene_count: 2
    scene_duration: "5"
    aspect_ratio: "16:9"
    audio_option: {has_bg_music: false, has_narration: false}
"""
LATER = """\
  hare:
    mode: idea
    title: Hare
    idea: A hare in a meadow.
    scene_count: 1
    scene_duration: "5"
    aspect_ratio: "16:9"
    audio_option: {has_bg_music: false, has_narration: false}
"""
FOX_VARIANTS = ("fox[aspect_ratio=16:9,tone=calm]", "fox[aspect_ratio=16:9,tone=fun]",
                "fox[aspect_ratio=1:1,tone=calm]", "fox[aspect_ratio=1:1,tone=fun]")
