"""Engine settings from the environment reach both the local provider and `vidflow serve`."""

from __future__ import annotations

import pytest

from vidflow.engine.settings import engine_overrides
from vidflow.errors import VidflowError
from vidflow.providers.factory import make_provider
from vidflow.spec.model import Project, ProviderConfig


def test_storyboard_endpoint_and_model_are_read():
    env = {"VIDFLOW_STORYBOARD_ENDPOINT": "http://127.0.0.1:9/v1",
           "VIDFLOW_STORYBOARD_MODEL": "tiny"}
    assert engine_overrides(env) == {"storyboard_endpoint": "http://127.0.0.1:9/v1",
                                     "storyboard_model": "tiny"}


def test_a_storyboard_endpoint_must_be_http():
    with pytest.raises(VidflowError, match="VIDFLOW_STORYBOARD_ENDPOINT"):
        engine_overrides({"VIDFLOW_STORYBOARD_ENDPOINT": "file:///etc/passwd"})


def test_the_local_provider_engine_gets_the_settings(tmp_path):
    """The environment's settings reach the engine the local provider starts."""
    project = Project(root=str(tmp_path), provider=ProviderConfig(), stories={})
    env = {"VIDFLOW_ENGINE_SCALE": "0.5", "VIDFLOW_STORYBOARD_ENDPOINT": "http://127.0.0.1:9"}
    provider = make_provider(project, environ=env, resume=False)
    try:
        config = provider.engine.config
        assert (config.scale, config.storyboard_endpoint) == (0.5, "http://127.0.0.1:9")
    finally:
        provider.close()
