"""Live progress per story: a rich table on a terminal, plain lines elsewhere (CI logs).

Plain mode prints a line when a story's status changes, or its progress passes another
25%, so a CI log stays short and readable.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from vidflow import output
from vidflow.apply.executor import Event

if TYPE_CHECKING:  # rich's live table only on a terminal: plain lines need no rich
    from rich.live import Live
    from rich.table import Table

_STYLE = {"success": "green", "failed": "red", "fail": "red", "skipped": "yellow",
          "interrupted": "yellow", "deleted": "green"}


@dataclass
class _Row:
    kind: str
    status: str = "pending"
    progress: int = 0
    message: str | None = None


class ProgressDisplay:
    def __init__(self, *, live: bool | None = None) -> None:
        if live is None:  # a pipe or a file needs no Console to say so
            live = not output.plain_stdout() and output.stdout.is_terminal
        self.live = live
        self.rows: dict[str, _Row] = {}
        self._mutex = threading.Lock()
        self._live: Live | None = None

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            from rich.live import Live

            self._live = Live(self._table(), console=output.stdout, refresh_per_second=4,
                              transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._live is not None:
            self._live.update(self._table())
            self._live.__exit__(exc_type, exc, tb)

    def __call__(self, event: Event) -> None:
        with self._mutex:
            row = self.rows.setdefault(event.address, _Row(event.kind.value))
            changed = event.status != row.status
            crossed = event.progress // 25 > row.progress // 25
            row.status, row.progress = event.status, max(event.progress, 0)
            row.message = event.message or row.message
            if self._live is not None:
                self._live.update(self._table())
            elif (changed or crossed) and event.status != "pending":
                output.echo(self._line(event))

    @staticmethod
    def _line(event: Event) -> str:
        text = f"{event.address}: {event.kind.value}: {event.status}"
        if event.status in ("new", "processing"):
            text += f" {event.progress}%"
        if event.message:
            text += f" ({event.message})"
        return text

    def _table(self) -> Table:
        from rich.markup import escape
        from rich.table import Table

        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        for name in ("story", "action", "status", "progress"):
            table.add_column(name)
        for address, row in sorted(self.rows.items()):
            style = _STYLE.get(row.status, "")
            status = escape(row.status) if not style else f"[{style}]{escape(row.status)}[/]"
            table.add_row(escape(address), row.kind, status, f"{row.progress:3d}%")
        return table
