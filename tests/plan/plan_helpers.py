"""Building projects and lockfiles for planner tests, with the spec's own fingerprints."""

from __future__ import annotations

from support.stories import story

from vidflow.apply.simulate import simulate_apply
from vidflow.plan.planner import make_plan
from vidflow.spec.model import Moved, Project, ProviderConfig, ResolvedStory
from vidflow.state.lockfile import Lockfile

__all__ = ["applied", "empty_lock", "project", "story"]

LOCAL = ProviderConfig()


def project(*stories: ResolvedStory, moved: tuple[tuple[str, str], ...] = (),
            provider: ProviderConfig = LOCAL) -> Project:
    return Project(root="/project", provider=provider,
                   stories={s.address: s for s in sorted(stories, key=lambda s: s.address)},
                   moved=tuple(Moved(a, b) for a, b in moved))


def empty_lock() -> Lockfile:
    return Lockfile(lineage="")


def applied(proj: Project, lock: Lockfile | None = None) -> Lockfile:
    """The lockfile after a successful apply of `proj`."""
    lock = lock if lock is not None else empty_lock()
    return simulate_apply(make_plan(proj, lock), lock)
