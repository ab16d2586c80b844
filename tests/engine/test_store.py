"""The SQLite store and media folder: rows, monotonic progress, balances, safe paths."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vidflow.engine.store import SCHEMA_VERSION, Store
from vidflow.errors import InsufficientCredit, NotFound


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "data", starting_balance=100)
    yield s
    s.close()


def test_schema_is_versioned_and_wal(store: Store) -> None:
    """The database file records its schema version and runs in WAL mode."""
    conn = sqlite3.connect(store.db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_newer_schema_refused(tmp_path: Path) -> None:
    data = tmp_path / "d"
    Store(data, starting_balance=1).close()
    conn = sqlite3.connect(data / "engine.sqlite3")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        Store(data, starting_balance=1)


def test_row_round_trip_survives_reopen(tmp_path: Path) -> None:
    """JSON columns and timestamps come back as written, from a fresh connection."""
    s = Store(tmp_path / "d", starting_balance=1)
    row = s.create(account="a", mode="idea", params={"idea": "x", "n": [1, 2]}, title="T")
    s.update(row.id, storyboard={"scenes": [{"name": "s"}]}, status="processing")
    s.close()
    again = Store(tmp_path / "d", starting_balance=1)
    got = again.get(row.id)
    again.close()
    assert got is not None
    assert (got.params, got.storyboard, got.status, got.title) == (
        {"idea": "x", "n": [1, 2]}, {"scenes": [{"name": "s"}]}, "processing", "T")
    assert got.created_at.endswith("Z") and got.updated_at >= got.created_at


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=100), max_size=20))
def test_progress_is_monotonic(tmp_path_factory, values: list[int]) -> None:
    """Whatever order progress reports arrive in, the stored value is their running max."""
    s = Store(tmp_path_factory.mktemp("p"), starting_balance=1)
    row = s.create(account="a", mode="idea", params={})
    seen = 0
    for value in values:
        s.set_progress(row.id, value)
        seen = max(seen, value)
        assert s.get(row.id).progress_percentage == seen
    s.close()


def test_charge_refuses_without_spending(store: Store) -> None:
    assert store.charge("acct", 60) == 40
    with pytest.raises(InsufficientCredit, match="Insufficient credit") as info:
        store.charge("acct", 41)
    assert info.value.status == 402
    assert store.balance("acct") == 40
    assert store.balance("other") == 100  # accounts are separate


def test_delete_removes_row_and_files(store: Store) -> None:
    row = store.create(account="a", mode="idea", params={})
    (store.story_dir(row.id) / "assets").mkdir(parents=True)
    (store.story_dir(row.id) / "assets" / "x.png").write_bytes(b"x")
    store.delete(row.id)
    assert store.get(row.id) is None
    assert not store.story_dir(row.id).exists()


@pytest.mark.parametrize("bad", ["/media/../engine.sqlite3", "/media/%2e%2e/x", "/etc/passwd",
                                 "/media/", "/media/../../../etc/passwd", "media/x"])
def test_media_path_refuses_escapes(store: Store, bad: str) -> None:
    with pytest.raises(NotFound):
        store.media_path(bad)


def test_media_path_maps_urls_back(store: Store) -> None:
    row = store.create(account="a", mode="idea", params={})
    f = store.story_dir(row.id) / "final.mp4"
    f.write_bytes(b"v")
    url = store.url_for(f)
    assert url == f"/media/{row.id}/final.mp4"
    assert store.media_path(url) == f.resolve()
