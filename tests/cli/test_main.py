"""The top-level handler: one line per user error, a log path for surprises, docs for all."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from vidflow import cli as cli_module
from vidflow.cli import cli, main

README = Path(__file__).resolve().parents[2] / "README.md"


def _run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return int(exc.value.code or 0), capsys.readouterr().err


def test_user_error_is_one_line_and_exit_1(tmp_path: Path, capsys):
    """A VidflowError prints `Error:` once, no traceback, exit code 1."""
    spec = tmp_path / "videos.yaml"
    spec.write_text("version: 1\nstories:\n  a: {mode: idea, idea: x, aspect_ratio: '2:1'}\n")
    code, err = _run_main(["validate", str(tmp_path)], capsys)
    assert code == 1
    assert "Traceback" not in err
    assert re.search(r"videos\.yaml:3:\d+: stories\.a\.aspect_ratio", err)


def test_unexpected_error_exits_3_with_a_log(monkeypatch, capsys, tmp_path: Path):
    """A bug is not a user error: exit 3 and the traceback goes to a log file it names."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    @click.command()
    def boom() -> None:
        raise ZeroDivisionError("kaboom")

    monkeypatch.setattr(cli_module.LazyGroup, "get_command", lambda self, ctx, name: boom)
    monkeypatch.setattr(cli_module, "_command_names", lambda: ["boom"])
    code, err = _run_main(["boom"], capsys)
    assert code == 3
    log = re.search(r"traceback is in (\S+);", err)
    assert log, err
    assert Path(log.group(1)).parent == tmp_path
    assert "ZeroDivisionError: kaboom" in Path(log.group(1)).read_text()


def test_every_command_has_help_with_an_example():
    """Docs as tests: each subcommand's --help carries an Example block."""
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    assert {"validate", "render", "schema", "plan", "apply", "destroy", "serve"} <= set(names)
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None, name
        help_text = command.get_help(click.Context(command, info_name=name))
        assert "Example" in help_text, f"vidflow {name} --help has no example"


def test_every_command_is_in_the_readme():
    """The README mentions every command a user can run."""
    text = README.read_text()
    for name in cli.list_commands(click.Context(cli)):
        assert f"vidflow {name}" in text, f"README never mentions `vidflow {name}`"


def test_version_runs_as_a_real_process():
    out = subprocess.run([sys.executable, "-m", "vidflow", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "vidflow, version 0.1.0"
