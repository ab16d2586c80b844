"""Pick the provider a project's spec asks for."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vidflow.engine import settings
from vidflow.errors import VidflowError
from vidflow.providers.base import Provider
from vidflow.spec.model import Project


def render_quality(project: Project, environ: Mapping[str, str] | None = None
                   ) -> dict[str, Any] | None:
    """The quality the local engine would render `project` at now ({"scale", "fps"}, as
    the local provider records it); None for other providers. Makes no provider."""
    if project.provider.type != "local":
        return None
    defaults = settings.DEFAULT_QUALITY  # not the engine itself: plan stays light
    return {**defaults, **{k: v for k, v in settings.engine_overrides(
        os.environ if environ is None else environ).items() if k in defaults}}


def make_provider(project: Project, *, environ: Mapping[str, str] | None = None,
                  engine_overrides: Mapping[str, Any] | None = None,
                  resume: bool = False) -> Provider:
    """The provider for `project`.

    `engine_overrides` (EngineConfig fields, e.g. {"scale": 0.25, "fps": 10}) applies to the
    local provider only and wins over VIDFLOW_ENGINE_SCALE / VIDFLOW_ENGINE_FPS.
    `resume` (local only): restart the renders an interrupted apply left in the engine.
    Only apply waits for stories, so only apply asks; plan, refresh, import and destroy
    read the engine without starting work they would stop again at once.
    """
    environ = os.environ if environ is None else environ
    config = project.provider
    root = Path(project.root)
    if config.type == "local":
        from vidflow.providers import local

        overrides = {**settings.engine_overrides(environ), **dict(engine_overrides or {})}
        return local.LocalProvider(root, data_dir=config.data_dir, overrides=overrides,
                                   resume=resume)
    if config.type == "http":
        from vidflow.providers.http import HttpProvider

        return HttpProvider(root, base_url=config.base_url or "",
                            api_key_env=config.api_key_env, environ=environ)
    raise VidflowError(f"unknown provider type {config.type!r}",
                       hint="use provider: {type: local} or {type: http, base_url: ...}")
