"""The click wiring: one lazily imported module per subcommand under vidflow/commands/.

Each `vidflow/commands/<name>.py` defines `command`, a click.Command (or Group). The module
name is the command name with `-` as `_` and a trailing `_` dropped (`import_` → `import`),
so adding a command never means editing this file, and `vidflow --version` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from vidflow import __version__, commands, output
from vidflow.errors import SpecError, SpecErrors, VidflowError

EXIT_ERROR = 1
EXIT_UNEXPECTED = 3
EXIT_INTERRUPTED = 130


def _module_for(name: str) -> str:
    return name.replace("-", "_") + ("_" if name in {"import"} else "")


def _command_names() -> list[str]:
    names = []
    for info in pkgutil.iter_modules(commands.__path__):
        if info.name.startswith("_"):
            continue
        names.append(info.name.rstrip("_").replace("_", "-"))
    return sorted(names)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return _command_names()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _command_names():
            return None
        module = importlib.import_module(f"vidflow.commands.{_module_for(cmd_name)}")
        return module.command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vidflow")
def cli() -> None:
    """Keep AI video stories as code: validate, plan and apply YAML specs.

    \b
    Example:
      vidflow validate examples/quickstart
      vidflow plan examples/quickstart
      vidflow apply --auto-approve examples/quickstart
    """


def _write_crash_log() -> str:
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile("w", prefix="vidflow-crash-", suffix=".log",
                                     delete=False) as fh:
        fh.write(f"vidflow {__version__}\n{traceback.format_exc()}")
    return fh.name


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors are one line (exit 1), surprises exit 3, Ctrl-C 130."""
    try:
        rc = cli.main(args=argv, prog_name="vidflow", standalone_mode=False)
    except SpecErrors as exc:
        output.problems([str(e) for e in exc.errors])
        sys.exit(exc.exit_code)
    except SpecError as exc:
        output.problems([str(exc)])
        sys.exit(exc.exit_code)
    except VidflowError as exc:
        output.error(str(exc))
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        output.error("Aborted.")
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        output.error("Interrupted.")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # the last line of defence: a short line plus a log path
        log = _write_crash_log()
        output.error(f"An unexpected error has occurred: {type(exc).__name__}: {exc}\n"
                     f"The traceback is in {log}; please include it in a bug report.")
        sys.exit(EXIT_UNEXPECTED)
    sys.exit(rc if isinstance(rc, int) else 0)
