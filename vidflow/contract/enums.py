"""The reference's closed sets, letter for letter, in the reference's order.

The first value of a tuple is not necessarily the default: defaults live with the
parameters (`params.py`), since one enum serves several parameters.
"""

from __future__ import annotations

# aspect_ratio, with the size the embedded engine renders it at (30 fps); both even,
# as yuv420p needs
RENDER_SIZES: dict[str, tuple[int, int]] = {
    "16:9": (1280, 720),
    "4:3": (960, 720),
    "1:1": (720, 720),
    "3:4": (720, 960),
    "9:16": (720, 1280),
}
ASPECT_RATIOS: tuple[str, ...] = tuple(RENDER_SIZES)

# automatic modes' image_tool; the advanced steps' `option` takes the longer list
IMAGE_TOOLS = ("Seedream", "FluxTurbo", "NanoBanana", "QwenImage")
IMAGE_OPTIONS = ("Seedream", "FluxPro", "FluxTurbo", "NanoBananaPro", "NanoBanana",
                 "FluxKontextPro", "FluxFinetuned", "QwenImage", "StableDiffusion3.5",
                 "LeonardoImage", "GPTImage", "Auto")
# automatic modes' video_tool; the advanced /videos step's `motion_type` takes the longer list
VIDEO_TOOLS = ("Auto", "KlingAI", "Seedance", "Pixverse", "VeoFast")
MOTION_TYPES = ("Auto", "AutoT3", "KlingAI", "KlingT4", "LumaAI", "LumaRay2", "VeoFast", "Veo",
                "RunwayML", "MinimaxHailuo", "Seedance", "SeedanceFast", "Hunyuan", "Pixverse",
                "PixverseT3", "PicoMotion", "StaticMotion", "Wan", "Sora", "SoraPro")
STATIC_MOTION = "StaticMotion"  # the motion type that keeps each scene still
assert STATIC_MOTION in MOTION_TYPES
# scene_duration is a string enum; the reference also accepts the numbers 5 and 10
SCENE_DURATIONS = ("5", "10")
LANGUAGES = ("Arabic", "Chinese", "English", "French", "German", "Hindi", "Japanese",
             "Korean", "Spanish", "Turkish")
NARRATORS = ("Rachel", "Aria", "Roger", "Sarah", "Laura", "Charlie", "George", "Callum",
             "River", "Liam", "Charlotte", "Alice", "Matilda", "Will", "Jessica", "Eric",
             "Chris", "Brian", "Daniel", "Lily", "Bill")
# PUT /story/{id} visibility_status, and the words a spec uses for each value
VISIBILITY: dict[str, str] = {"private": "0", "unlisted": "1", "public": "2"}
VISIBILITY_STATUSES: tuple[str, ...] = tuple(VISIBILITY.values())
