"""`vidflow schema`: the spec's JSON Schema, for editors and other tools."""

from __future__ import annotations

import click

from vidflow import output


def schema() -> int:
    from vidflow.spec.schema import schema_text

    output.raw(schema_text())
    return 0


@click.command("schema")
def command() -> int:
    """Print the JSON Schema (draft 2020-12) of vidflow specs.

    Editors with the YAML language server pick it up from a comment on a spec's first
    line: `# yaml-language-server: $schema=<path or URL of the schema>`.

    \b
    Example:
      vidflow schema > vidflow.schema.json
    """
    return schema()
