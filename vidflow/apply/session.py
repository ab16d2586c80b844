"""The I/O around a plan: refresh from the provider, approval, Ctrl-C, running, summary.

Commands (plan, apply, destroy, refresh, import) are thin wiring over these functions.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from vidflow import output
from vidflow.api.models import StoryRecord
from vidflow.apply.outputs import check_plan_outputs
from vidflow.apply.workspace import display_path
from vidflow.errors import NotFound, PlanError, VidflowError
from vidflow.plan.model import Plan
from vidflow.providers.base import Provider, local_element_images
from vidflow.spec.model import Project
from vidflow.state.lockfile import Lockfile, lockfile_path, scrub_provider
from vidflow.ui.events import EventStream

if TYPE_CHECKING:  # `vidflow plan` needs none of the apply machinery (nor rich's live view)
    from vidflow.apply.executor import ApplyResult

EXIT_OK, EXIT_FAILED, EXIT_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130


def lock_path(project: Project) -> Path:
    return lockfile_path(project.root)


def refresh_remote(provider: Provider, lock: Lockfile,
                   addresses: Iterable[str] | None = None) -> dict[str, StoryRecord | None]:
    """GET every locked story made by this provider: its record, or None when it is gone.

    Entries made by another provider are left out (the planner replaces those anyway).
    """
    identity = scrub_provider(provider.identity)
    wanted = set(addresses) if addresses is not None else None
    todo = [(a, e.story_id) for a, e in lock.entries.items()
            if e.provider == identity and (wanted is None or a in wanted)]

    failed = threading.Event()

    def fetch(item: tuple[str, str]) -> tuple[str, StoryRecord | None]:
        address, story_id = item
        if failed.is_set():  # a refused key or a server that is down fails every GET alike
            return address, None
        try:
            return address, provider.get(story_id)
        except NotFound:
            return address, None
        except BaseException:
            failed.set()
            raise

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="vidflow-refresh") as pool:
        return dict(pool.map(fetch, todo))  # re-raises the first failure


def check_plan(project: Project, plan: Plan) -> None:
    """Refuse a plan with errors (already printed with it) or that this provider cannot
    carry out (listed here: the planner cannot see them)."""
    problems = []
    if project.provider.type == "http":
        for change in plan.pending:
            if change.after is None:
                continue
            for field in local_element_images(change.after):
                problems.append(
                    f"{change.address}: {field}: a local file cannot be sent to the http "
                    "provider (the Story API has no upload for element images); use "
                    "image_url with a public URL, or provider: {type: local}")
    if plan.errors:
        count = len(plan.errors)
        problems.insert(0, f"{count} error{'s' if count > 1 else ''} in the plan (above)")
    if problems:
        raise PlanError("the plan cannot be applied: " + "\n  ".join(problems))
    check_plan_outputs(Path(project.root), plan)


def approve(plan: Plan, *, auto_approve: bool, verb: str = "apply",
            environ: Mapping[str, str] | None = None) -> bool:
    """Ask on a terminal; refuse outright in CI or without a terminal."""
    if auto_approve:
        return True
    environ = os.environ if environ is None else environ
    if environ.get("CI") or not sys.stdin.isatty():
        why = "CI is set" if environ.get("CI") else "stdin is not a terminal"
        raise VidflowError(f"refusing to {verb} without confirmation ({why})",
                           hint=f"review `vidflow plan`, then run `vidflow {verb} "
                                "--auto-approve`")
    output.echo()
    return click.confirm(f"Do you want to {verb} these changes?", default=False)


# Ctrl-C, and what CI runners and job timeouts send (GitHub Actions: SIGINT, SIGTERM, then
# SIGKILL), and a closed terminal: each means "stop, keep what was paid for"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stop(threading.Event):
    """The apply's stop flag, and the signal that set it (its exit code is 128 + it)."""

    signum: int | None = None


@contextlib.contextmanager
def signals_stop(stop: threading.Event) -> Iterator[None]:
    """First signal: start nothing new, let in-flight calls finish and be recorded, save,
    exit 128 + the signal (130, 143, 129). Second: exit at once; the lockfile is whole
    (every write is atomic) and an unanswered paid call is left as its intent."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            sys.stderr.write("Stopped at once; `vidflow apply` recovers what was in "
                             "flight.\n")
            sys.stderr.flush()
            os._exit(128 + signum)
        if isinstance(stop, Stop):
            stop.signum = signum
        stop.set()
        name = signal.Signals(signum).name
        output.warn(f"{name}: starting nothing new, waiting for calls in flight and saving "
                    "the lockfile (signal again to stop at once).")

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)




def execute(project: Project, plan: Plan, provider: Provider, lock: Lockfile, *,
            parallelism: int, stop: threading.Event | None = None,
            events: EventStream | None = None, deadline: float | None = None) -> ApplyResult:
    """Run the plan's steps, the lockfile written after every state change; progress goes
    to the terminal, or as JSON lines to `events`."""
    from vidflow.apply.executor import Executor
    from vidflow.apply.progress import ProgressDisplay
    from vidflow.apply.recorder import LockRecorder
    from vidflow.apply.steps import steps_from_plan

    stop = stop or Stop()
    recorder = LockRecorder(lock_path(project), lock, provider.identity,
                            render=getattr(provider, "render_quality", None))
    display = contextlib.nullcontext(events) if events is not None else ProgressDisplay()
    with display as on_event, signals_stop(stop):
        executor = Executor(provider, recorder, Path(project.root), parallelism=parallelism,
                            on_event=on_event, stop=stop, deadline=deadline)
        result = executor.run(steps_from_plan(plan))
    result.signum = getattr(stop, "signum", None)
    return result


def report(result: ApplyResult, *, verb: str = "Apply", root: Path | None = None,
           events: EventStream | None = None) -> int:
    """The final summary: videos made (as paths openable from the current folder),
    failures with the server's message; the exit code."""
    if events is not None:
        return _report_events(result, verb, events)
    output.echo()
    for r in sorted(result.results, key=lambda r: r.address):
        if r.ok and r.output:
            shown = display_path(root, r.output) if root is not None else r.output
            output.echo(f"  {r.address}: {shown}")
            if r.message:  # what the service said of the story (a page it could not read)
                output.echo(f"    [yellow]note:[/yellow] {output.escape(r.message)}",
                            markup=True)
    for r in result.failed:
        address, message = output.escape(r.address), output.escape(r.message or "")
        output.echo(f"  [red]failed[/red] {address}: {message}", markup=True)
    undecided = [r for r in result.results if r.outcome == "undecided"]
    for r in undecided:
        address, message = output.escape(r.address), output.escape(r.message or "")
        output.echo(f"  [magenta]needs a decision[/magenta] {address}: {message}", markup=True)
    done = sum(r.ok for r in result.results)
    skipped = sum(r.outcome in ("skipped", "interrupted") for r in result.results)
    line = f"{verb} finished: {done} done, {len(result.failed)} failed"
    if undecided:
        line += f", {len(undecided)} waiting for a decision"
    if skipped:
        line += f", {skipped} not finished"
    output.echo(line + ".")
    if result.unauthorized is not None:
        output.error(f"the API refused the key (401), so no further step was started: "
                     f"{result.unauthorized}")
    if result.out_of_credit:
        output.error("the account is out of credit (402): no further stories were started; "
                     "add credit, then run `vidflow apply` again")
    if result.interrupted:
        output.warn(INTERRUPTED_NOTE)
    return _exit_code(result)


INTERRUPTED_NOTE = ("apply was interrupted; stories still processing are in the lockfile "
                    "and `vidflow apply` resumes them without creating them again")


def _exit_code(result: ApplyResult) -> int:
    if result.interrupted:
        return 128 + result.signum if result.signum else EXIT_INTERRUPTED
    return EXIT_OK if result.ok else EXIT_FAILED


def _report_events(result: ApplyResult, verb: str, events: EventStream) -> int:
    """The summary as JSON lines: outputs, any stop's cause as a diagnostic, the counts."""
    events.outputs({r.address: r.output for r in result.results if r.ok and r.output})
    stops = [(result.unauthorized is not None, f"the API refused the key (401): "
              f"{result.unauthorized}"),
             (result.out_of_credit, "the account is out of credit (402): no further stories "
              "were started"),
             (result.interrupted, INTERRUPTED_NOTE)]
    for happened, why in stops:
        if happened:
            events.emit("diagnostic", why, level="error",
                        diagnostic={"severity": "error", "summary": why, "detail": ""})
    done = [r.kind.value for r in result.results if r.ok]
    changes = {"add": sum(k in ("create", "replace") for k in done),
               "change": sum(k in ("update", "regenerate", "resume") for k in done),
               "remove": sum(k in ("delete", "replace") for k in done),
               "move": done.count("move"), "failed": len(result.failed),
               "operation": verb.lower()}
    events.emit("change_summary", f"{verb} finished: {len(done)} done, "
                f"{len(result.failed)} failed.", changes=changes)
    return _exit_code(result)
