"""vidflow completion: the shell completion script, commands, options and addresses."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_VIDFLOW_COMPLETE"


def completion(shell: str) -> int:
    from click.shell_completion import get_completion_class

    from vidflow import output
    from vidflow.cli import cli

    completer = get_completion_class(shell)
    assert completer is not None  # click ships all of SHELLS
    output.echo(completer(cli, {}, "vidflow", COMPLETE_VAR).source())
    return 0


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def command(shell: str) -> int:
    """Print the completion script for SHELL (commands, options, the project's addresses).

    \b
    Example:
      eval "$(vidflow completion bash)"          # in ~/.bashrc
      vidflow completion fish > ~/.config/fish/completions/vidflow.fish
    """
    return completion(shell)
