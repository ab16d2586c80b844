"""Opening networks to the outbound guard: VIDFLOW_ALLOW_NETWORKS for every engine (the local
provider's included), `vidflow serve --allow-network` on top; nothing is open by default."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vidflow.commands.serve import engine_options
from vidflow.engine.settings import engine_overrides
from vidflow.errors import VidflowError
from vidflow.providers.factory import make_provider
from vidflow.spec.model import Project, ProviderConfig

LOOPBACK = ipaddress.ip_address("127.0.0.1")


def test_the_environment_names_networks_addresses_and_hosts() -> None:
    env = {"VIDFLOW_ALLOW_NETWORKS": " 10.0.0.0/8, 127.0.0.1 ,minio.internal,"}
    assert engine_overrides(env) == {
        "allow_networks": ("10.0.0.0/8", "127.0.0.1", "minio.internal")}
    assert "allow_networks" not in engine_overrides({})


def test_a_bad_entry_names_the_variable_and_the_entry() -> None:
    with pytest.raises(VidflowError, match=r"VIDFLOW_ALLOW_NETWORKS: '10\.0\.0\.0/33'"):
        engine_overrides({"VIDFLOW_ALLOW_NETWORKS": "127.0.0.1/32,10.0.0.0/33"})


def test_serve_adds_its_option_to_the_environment() -> None:
    options = engine_options({"VIDFLOW_ALLOW_NETWORKS": "10.0.0.0/8"}, ["127.0.0.1/32"])
    assert options["allow_networks"] == ("10.0.0.0/8", "127.0.0.1/32")
    assert engine_options({}, [])["allow_networks"] == ()
    with pytest.raises(VidflowError, match="--allow-network: 'nope!'"):
        engine_options({}, ["nope!"])


def test_the_local_provider_is_closed_unless_opened(tmp_path: Path) -> None:
    """A spec pulled from a PR is untrusted too: `vidflow apply` refuses private URLs."""
    project = Project(root=str(tmp_path), provider=ProviderConfig(), stories={})
    for env, admitted in (({}, False), ({"VIDFLOW_ALLOW_NETWORKS": "127.0.0.0/8"}, True)):
        provider = make_provider(project, environ=env, resume=False)
        try:
            assert provider.engine.opening.admits(LOOPBACK) is admitted
        finally:
            provider.close()


def test_serve_refuses_a_bad_option_without_a_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "vidflow", "serve", "--dev", "--port", "0", "--data",
         str(tmp_path / "data"), "--allow-network", "10.0.0.0/8", "--allow-network", "x y"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, env=dict(os.environ))
    assert proc.returncode == 1, proc.stderr
    assert "--allow-network: 'x y' is not a network" in proc.stderr
    assert "Traceback" not in proc.stderr
