"""Entries read from a lockfile are the same values the dataclass constructor makes."""

from __future__ import annotations

from dataclasses import fields, replace

from hypothesis import given
from hypothesis import strategies as st

from vidflow.state.lockfile import LockEntry

REQUIRED = {"story_id": "s1", "provider": "local", "mode": "idea", "fingerprint": "f",
            "storyboard_fingerprint": None, "title": "T", "description": "",
            "visibility_status": "0", "status": "success"}
OPTIONAL = {"video_url": st.none() | st.just("/media/x.mp4"), "output": st.just("out/a.mp4"),
            "output_sha256": st.none() | st.just("a" * 64), "used_credits": st.integers(0, 9),
            "message": st.none() | st.just("m"), "created_at": st.none(),
            "updated_at": st.just("2026"), "params": st.none() | st.just({"idea": "x"}),
            "prevent_destroy": st.booleans(), "deposed": st.lists(st.just("old"), max_size=2),
            "storyboard": st.just({"scenes": []}), "overrides": st.just({"scenes": {}}),
            "overrides_fingerprint": st.just("b" * 64), "render": st.just({"scale": 1, "fps": 24}),
            "files": st.just({".srt": "c" * 64})}


@given(st.fixed_dictionaries({}, optional=OPTIONAL))
def test_from_json_equals_the_constructor(extra: dict) -> None:
    data = {**REQUIRED, **extra}
    fast, slow = LockEntry.from_json(data), LockEntry(**data)
    assert fast == slow and vars(fast) == vars(slow)
    assert list(vars(fast)) == [f.name for f in fields(LockEntry)]
    assert fast.deposed is data.get("deposed", fast.deposed)  # shared, as before
    assert replace(fast, title="U").title == "U" and fast.title == "T"


def test_entries_without_deposed_get_their_own_list() -> None:
    one, two = LockEntry.from_json(dict(REQUIRED)), LockEntry.from_json(dict(REQUIRED))
    assert one.deposed == [] and one.deposed is not two.deposed


def test_an_incomplete_entry_still_fails_as_the_constructor_does() -> None:
    data = dict(REQUIRED)
    del data["title"]
    try:
        LockEntry.from_json(data)
    except TypeError as exc:
        assert "title" in str(exc)
    else:
        raise AssertionError("an entry without a title was accepted")


@given(st.lists(st.fixed_dictionaries({}, optional=OPTIONAL), min_size=1, max_size=4))
def test_read_lockfile_entries_equal_the_constructor(tmp_path_factory, extras) -> None:
    import json

    from vidflow.state.lockfile import read_lockfile

    path = tmp_path_factory.mktemp("lock") / "vidflow.lock"
    entries = {f"s{i}": {**REQUIRED, **extra} for i, extra in enumerate(extras)}
    path.write_text(json.dumps({"version": 1, "serial": 1, "lineage": "x",
                                "entries": entries}))
    lock = read_lockfile(path)
    for address, data in entries.items():
        entry = lock.entries[address]
        assert entry == LockEntry(**data)
        assert {f.name: getattr(entry, f.name) for f in fields(LockEntry)} == \
            vars(LockEntry(**data))
