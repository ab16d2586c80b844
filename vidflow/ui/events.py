"""The machine-readable UI of plan, apply, destroy and refresh: one JSON object per line,
in Terraform's shapes (`terraform plan -json`), in the order things happen.

Every line has `@level`, `@message`, `@module`, `@timestamp` and `type`; the types are
version, log, planned_change, change_summary, apply_start, apply_progress, apply_complete,
apply_errored, refresh_start, refresh_complete, diagnostic and outputs. The schema of the
lines is vidflow/schemas/ui-events.schema.json.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from vidflow import __version__
from vidflow.errors import VidflowError
from vidflow.ui.diagnostics import diagnostics_of

UI_VERSION = "1.0"
MODULE = "vidflow.ui"
# vidflow's actions under Terraform's names where Terraform has one
ACTIONS = {"create": "create", "update": "update", "replace": "replace", "delete": "delete",
           "move": "move", "regenerate": "regenerate", "resume": "resume", "no-op": "noop",
           "unknown": "unknown", "decide": "decide", "forget": "forget"}
_DOING = {"create": "Creating", "update": "Modifying", "replace": "Replacing",
          "delete": "Destroying", "move": "Moving", "regenerate": "Regenerating",
          "resume": "Resuming", "forget": "Forgetting"}
_FINAL = {"success": "apply_complete", "done": "apply_complete", "deleted": "apply_complete",
          "forgotten": "apply_complete",
          "moved": "apply_complete", "fail": "apply_errored", "failed": "apply_errored",
          "interrupted": "apply_errored", "skipped": "apply_errored",
          "needs a decision": "apply_errored"}


def resource(address: str) -> dict[str, Any]:
    name, _, key = address.partition("[")
    out: dict[str, Any] = {"addr": address, "resource_type": "story", "resource_name": name,
                           "module": ""}
    if key:
        out["resource_key"] = key.rstrip("]")
    return out


class EventStream:
    """Writes the events; thread-safe (the executor reports from its workers)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._mutex = threading.Lock()
        self._started: dict[str, float] = {}
        self._last: dict[str, tuple[str, int]] = {}

    def emit(self, kind: str, message: str, *, level: str = "info", **fields: Any) -> None:
        line = {"@level": level, "@message": message, "@module": MODULE,
                "@timestamp": datetime.now(UTC).isoformat(timespec="microseconds"),
                "type": kind, **fields}
        with self._mutex:
            self.stream.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            self.stream.flush()

    def version(self) -> None:
        self.emit("version", f"vidflow {__version__}", vidflow=__version__, ui=UI_VERSION)

    def plan(self, plan: Any, *, operation: str = "plan") -> None:
        """planned_change for each pending change, then change_summary."""
        for change in plan.pending:
            action = ACTIONS.get(change.action.value[0], change.action.value[0])
            body: dict[str, Any] = {"resource": resource(change.address), "action": action,
                                    "reason": "; ".join(r.sentence for r in change.reasons)}
            if change.moved_from:
                body["previous_resource"] = resource(change.moved_from)
            if plan.cost is not None:
                body["credits"] = plan.cost.of(change)
                if plan.cost.unsure(change):  # a replayed call: charged only if unsent
                    body["possible_credits"] = plan.cost.unsure(change)
            self.emit("planned_change", f"{change.address}: Plan to {action}", change=body)
        counts = {a.value[0]: n for a, n in plan.counts().items()}
        summary = {"add": counts.get("create", 0) + counts.get("replace", 0),
                   "change": sum(counts.get(k, 0) for k in ("update", "regenerate", "resume")),
                   "remove": counts.get("delete", 0) + counts.get("replace", 0),
                   "move": counts.get("move", 0), "operation": operation}
        message = plan.summary()
        if plan.cost is not None:
            summary.update(credits=plan.cost.total, cost_basis=plan.cost.basis)
            if plan.cost.uncertain:
                summary["possible_credits"] = plan.cost.uncertain
            message += " " + plan.cost.line() + "."
        self.emit("change_summary", message, changes=summary)
        for problem in plan.errors:
            self.emit("diagnostic", problem, level="error",
                      diagnostic={"severity": "error", "summary": problem, "detail": ""})

    def __call__(self, event: Any) -> None:
        """An executor Event → apply_start / apply_progress / apply_complete / errored."""
        address, action = event.address, ACTIONS.get(event.kind.value, event.kind.value)
        hook: dict[str, Any] = {"resource": resource(address), "action": action}
        if address not in self._started:
            self._started[address] = time.monotonic()
            doing = _DOING.get(action, action.capitalize())
            self.emit("apply_start", f"{address}: {doing}...", hook=hook)
        elapsed = round(time.monotonic() - self._started[address], 3)
        final = _FINAL.get(event.status)
        if final is not None:
            hook["elapsed_seconds"] = elapsed
            if event.message:
                hook["message"] = event.message
            level = "error" if final == "apply_errored" else "info"
            self.emit(final, f"{address}: {event.status}"
                      + (f": {event.message}" if event.message else ""), level=level, hook=hook)
            return
        if self._last.get(address) == (event.status, event.progress):
            return
        self._last[address] = (event.status, event.progress)
        hook.update(status=event.status, percentage=max(event.progress, 0),
                    elapsed_seconds=elapsed)
        self.emit("apply_progress", f"{address}: {event.status} {event.progress}%", hook=hook)

    def refresh(self, addresses: Iterable[str], *, done: bool) -> None:
        kind = "refresh_complete" if done else "refresh_start"
        for address in addresses:
            self.emit(kind, f"{address}: Refresh {'complete' if done else 'started'}...",
                      hook={"resource": resource(address)})

    def diagnostics(self, error: VidflowError) -> None:
        for found in diagnostics_of(error):
            self.emit("diagnostic", found["summary"], level=found["severity"],
                      diagnostic=found)

    def outputs(self, paths: dict[str, str]) -> None:
        values = {a: {"sensitive": False, "type": "string", "value": p}
                  for a, p in sorted(paths.items())}
        self.emit("outputs", f"Outputs: {len(values)}", outputs=values)


@contextlib.contextmanager
def json_ui(enabled: bool) -> Iterator[EventStream | None]:
    """The event stream of a `--json` command (its version line first), or None; a user
    error inside is also written as a diagnostic line, then raised as usual (exit 1)."""
    if not enabled:
        yield None
        return
    events = EventStream()
    events.version()
    try:
        yield events
    except VidflowError as exc:
        events.diagnostics(exc)
        raise
