"""The Story API, written down once (from `shared/reference/story-api.txt`).

Every other layer derives from these modules: the spec's JSON Schema and rules, the form
encoder, the engine's request checks, the server's form parameters and so the OpenAPI
document, and the engine's prices. A fact about the API (a parameter, an enum, a default,
a price) lives here and nowhere else; `tests/contract/` fails when a layer drifts.

    enums       the reference's closed sets (aspect ratios with their render sizes, …)
    storyboard  the storyboard's shape: element kinds, element and scene fields, audio
    params      each parameter once, each operation with its route and parameters
    responses   the story object's fields and statuses
    prices      the embedded engine's price table, in credits
"""

from vidflow.contract.enums import (
    ASPECT_RATIOS,
    IMAGE_OPTIONS,
    IMAGE_TOOLS,
    LANGUAGES,
    MOTION_TYPES,
    NARRATORS,
    RENDER_SIZES,
    SCENE_DURATIONS,
    VIDEO_TOOLS,
    VISIBILITY,
    VISIBILITY_STATUSES,
)
from vidflow.contract.params import (
    DEFAULTS,
    OPERATIONS,
    PARAMS,
    SPEC_MODES,
    Operation,
    Param,
    mode_params,
)
from vidflow.contract.storyboard import AUDIO_DEFAULTS, ELEMENT_KINDS, STORYBOARD_KEYS

__all__ = [
    "ASPECT_RATIOS", "AUDIO_DEFAULTS", "DEFAULTS", "ELEMENT_KINDS", "IMAGE_OPTIONS",
    "IMAGE_TOOLS", "LANGUAGES", "MOTION_TYPES", "NARRATORS", "OPERATIONS", "PARAMS",
    "RENDER_SIZES", "SCENE_DURATIONS", "SPEC_MODES", "STORYBOARD_KEYS", "VIDEO_TOOLS",
    "VISIBILITY", "VISIBILITY_STATUSES", "Operation", "Param", "mode_params",
]
