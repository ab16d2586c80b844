"""Stories and account balances in SQLite; media files under the data folder.

Layout of `data_dir`:
    engine.sqlite3          stories, accounts (WAL; schema version in PRAGMA user_version)
    media/<story_id>/...    everything a story owns (uploads, assets, final.mp4)

Media URLs are stored relative ("/media/<story_id>/assets/x.png"); the service prefixes
`public_base_url` when it hands a story out, so a server moving ports breaks nothing.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vidflow.errors import InsufficientCredit, NotFound

SCHEMA_VERSION = 1
STATUSES = ("new", "processing", "success", "fail")
MEDIA_PREFIX = "/media/"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    mode TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    storyboard TEXT,
    scenes TEXT NOT NULL DEFAULT '[]',
    job TEXT,
    status TEXT NOT NULL DEFAULT 'new',
    progress_percentage INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    visibility_status TEXT NOT NULL DEFAULT '0',
    used_credits INTEGER NOT NULL DEFAULT 0,
    video_url TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_account ON stories(account);
CREATE INDEX IF NOT EXISTS stories_status ON stories(status);
CREATE TABLE IF NOT EXISTS idempotency (
    account TEXT NOT NULL,
    key TEXT NOT NULL,
    operation TEXT NOT NULL,
    digest TEXT NOT NULL,
    story_id TEXT,
    done INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account, key)
);
CREATE TABLE IF NOT EXISTS accounts (
    account TEXT PRIMARY KEY,
    balance INTEGER NOT NULL,
    spent INTEGER NOT NULL DEFAULT 0
);
"""

_JSON_COLUMNS = ("params", "storyboard", "scenes", "job")
_COLUMNS = ("account", "mode", "params", "storyboard", "scenes", "job", "status",
            "progress_percentage", "message", "title", "description", "visibility_status",
            "used_credits", "video_url")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class StoryRow:
    id: str
    account: str
    mode: str
    params: dict[str, Any] = field(default_factory=dict)
    storyboard: dict[str, Any] | None = None
    scenes: list[dict[str, Any]] = field(default_factory=list)
    job: dict[str, Any] | None = None  # the pending background job, for resume
    status: str = "new"
    progress_percentage: int = 0
    message: str | None = None
    title: str = ""
    description: str = ""
    visibility_status: str = "0"
    used_credits: int = 0
    video_url: str | None = None
    created_at: str = ""
    updated_at: str = ""


class Store:
    """Thread-safe: one SQLite connection (WAL) shared by all threads behind a lock.

    One connection rather than one per thread, so short-lived threads (animation workers,
    progress tickers) never leave connections open; SQLite serializes writes anyway.
    """

    def __init__(self, data_dir: Path, *, starting_balance: int) -> None:
        self.data_dir = Path(data_dir)
        self.media_root = self.data_dir / "media"
        self.media_root.mkdir(parents=True, exist_ok=True)
        self.db_path = self.data_dir / "engine.sqlite3"
        self.starting_balance = starting_balance
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._migrate()

    # --- connections --------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._db = conn
        return self._db

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn().execute(sql, params).fetchall()

    def _migrate(self) -> None:
        with self._lock:
            conn = self._conn()
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self.close()
                raise RuntimeError(f"{self.db_path} has schema version {version}, newer than "
                                   f"this vidflow ({SCHEMA_VERSION}); upgrade vidflow")
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- stories ------------------------------------------------------------------
    def create(self, *, account: str, mode: str, params: dict[str, Any], title: str = "",
               story_id: str | None = None, **fields: Any) -> StoryRow:
        stamp = now_iso()
        row = StoryRow(id=story_id or new_story_id(), account=account, mode=mode,
                       params=params,
                       title=title, created_at=stamp, updated_at=stamp, **fields)
        values = [_encode(c, getattr(row, c)) for c in _COLUMNS]
        self._execute(
            f"INSERT INTO stories (id, {', '.join(_COLUMNS)}, created_at, updated_at) "
            f"VALUES ({', '.join('?' * (len(_COLUMNS) + 3))})",
            [row.id, *values, row.created_at, row.updated_at])
        self.story_dir(row.id).mkdir(parents=True, exist_ok=True)
        return row

    def get(self, story_id: str) -> StoryRow | None:
        found = self._execute("SELECT * FROM stories WHERE id = ?", (story_id,))
        return _decode(found[0]) if found else None

    def update(self, story_id: str, **fields: Any) -> None:
        if not fields:
            return
        unknown = set(fields) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown story columns: {sorted(unknown)}")
        sets = ", ".join(f"{c} = ?" for c in fields)
        values = [_encode(c, v) for c, v in fields.items()]
        self._execute(f"UPDATE stories SET {sets}, updated_at = ? WHERE id = ?",
                             [*values, now_iso(), story_id])

    def set_progress(self, story_id: str, percent: int) -> None:
        """Monotonic: a lower value never overwrites a higher one."""
        self._execute(
            "UPDATE stories SET progress_percentage = ?, updated_at = ? "
            "WHERE id = ? AND progress_percentage < ?",
            (int(percent), now_iso(), story_id, int(percent)))

    def add_used_credits(self, story_id: str, amount: int) -> None:
        self._execute(
            "UPDATE stories SET used_credits = used_credits + ?, updated_at = ? WHERE id = ?",
            (amount, now_iso(), story_id))

    def delete(self, story_id: str) -> None:
        self._execute("DELETE FROM stories WHERE id = ?", (story_id,))
        shutil.rmtree(self.story_dir(story_id), ignore_errors=True)

    def of_account(self, account: str, *, limit: int = 500) -> list[StoryRow]:
        """An account's stories, newest first (the gallery page of `vidflow serve`)."""
        rows = self._execute("SELECT * FROM stories WHERE account = ? "
                             "ORDER BY created_at DESC LIMIT ?", (account, int(limit)))
        return [_decode(r) for r in rows]

    def unfinished(self) -> list[StoryRow]:
        """Stories a previous process left with a pending job."""
        rows = self._execute(
            "SELECT * FROM stories WHERE status IN ('new', 'processing') AND job IS NOT NULL "
            "ORDER BY created_at")
        return [_decode(r) for r in rows]

    # --- accounts -----------------------------------------------------------------
    def balance(self, account: str) -> int:
        found = self._execute("SELECT balance FROM accounts WHERE account = ?", (account,))
        return int(found[0][0]) if found else self.starting_balance

    def charge(self, account: str, amount: int, *, key: KeyRecord | None = None) -> int:
        """Atomically take `amount` from the balance; InsufficientCredit leaves it intact.
        With `key`, the idempotency key is recorded in the same transaction."""
        with self._lock:
            return self._charge(account, amount, key)

    # --- idempotency keys -----------------------------------------------------------
    def key_get(self, account: str, key: str) -> KeyRecord | None:
        found = self._execute("SELECT account, key, operation, digest, story_id, done "
                              "FROM idempotency WHERE account = ? AND key = ?", (account, key))
        return KeyRecord(**dict(found[0])) if found else None

    def key_forget(self, account: str, key: str) -> None:
        self._execute("DELETE FROM idempotency WHERE account = ? AND key = ?", (account, key))

    def key_done(self, account: str, key: str, story_id: str) -> None:
        self._execute("UPDATE idempotency SET done = 1, story_id = ? WHERE account = ? "
                      "AND key = ?", (story_id, account, key))

    def _charge(self, account: str, amount: int, key: KeyRecord | None = None) -> int:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if key is not None:
                conn.execute("INSERT INTO idempotency (account, key, operation, digest, "
                             "story_id, done, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
                             (key.account, key.key, key.operation, key.digest, key.story_id,
                              now_iso()))
            conn.execute("INSERT OR IGNORE INTO accounts (account, balance) VALUES (?, ?)",
                         (account, self.starting_balance))
            balance = conn.execute("SELECT balance FROM accounts WHERE account = ?",
                                   (account,)).fetchone()[0]
            if balance < amount:
                raise InsufficientCredit(
                    f"Insufficient credit: this request costs {amount} credits and the "
                    f"account has {balance}", details={"required": amount, "balance": balance})
            conn.execute("UPDATE accounts SET balance = balance - ?, spent = spent + ? "
                         "WHERE account = ?", (amount, amount, account))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return int(balance - amount)

    def refund(self, account: str, amount: int) -> None:
        """Give back credits for work that was charged but not delivered."""
        with self._lock:
            self._execute("INSERT OR IGNORE INTO accounts (account, balance) VALUES (?, ?)",
                          (account, self.starting_balance))
            self._execute("UPDATE accounts SET balance = balance + ?, spent = spent - ? "
                          "WHERE account = ?", (amount, amount, account))

    # --- media --------------------------------------------------------------------
    def story_dir(self, story_id: str) -> Path:
        return self.media_root / story_id

    def url_for(self, path: Path) -> str:
        rel = Path(path).resolve().relative_to(self.media_root.resolve())
        return MEDIA_PREFIX + rel.as_posix()

    def media_place(self, url_path: str) -> Path:
        """Where the file behind "/media/..." is, or would be; NotFound for anything
        outside the media folder."""
        if not isinstance(url_path, str) or not url_path.startswith(MEDIA_PREFIX):
            raise NotFound(f"Not a media path: {url_path!r}")
        rel = url_path[len(MEDIA_PREFIX):].split("?", 1)[0]
        root = self.media_root.resolve()
        candidate = (root / rel).resolve()
        if rel in ("", ".") or "\x00" in rel or not candidate.is_relative_to(root):
            raise NotFound(f"Media file not found: {url_path}")
        return candidate

    def media_path(self, url_path: str) -> Path:
        """The file behind "/media/..."; NotFound for anything outside the media folder."""
        candidate = self.media_place(url_path)
        if not candidate.is_file():
            raise NotFound(f"Media file not found: {url_path}")
        return candidate


def new_story_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class KeyRecord:
    """An idempotency key as recorded: what it paid for, and whether the work was done."""

    account: str
    key: str
    operation: str
    digest: str
    story_id: str | None = None
    done: int = 0


def _encode(column: str, value: Any) -> Any:
    if column in _JSON_COLUMNS:
        return None if value is None else json.dumps(value, sort_keys=True)
    return value


def _decode(found: sqlite3.Row) -> StoryRow:
    data = dict(found)
    for column in _JSON_COLUMNS:
        if data[column] is not None:
            data[column] = json.loads(data[column])
    data["scenes"] = data["scenes"] or []
    data["params"] = data["params"] or {}
    return StoryRow(**data)
