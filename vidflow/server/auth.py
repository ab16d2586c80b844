"""`X-Api-Key` authentication: which keys are valid, and which account each one opens.

Only digests of the keys are kept in memory, and an account id is a second, independent
digest, so neither the key store, the database (which records the account id) nor a
webhook's `customer_id` ever holds something that could be replayed as a key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vidflow.errors import VidflowError

KEYS_ENV = "VIDFLOW_SERVER_API_KEYS"
_LOOKUP_SALT = b"vidflow-key-lookup:"
_ACCOUNT_SALT = b"vidflow-account:"


def _digest(salt: bytes, key: str) -> str:
    return hashlib.sha256(salt + key.encode("utf-8")).hexdigest()


def account_id(key: str) -> str:
    """The account a key opens: stable, not reversible, not the key's lookup digest."""
    return "acct_" + _digest(_ACCOUNT_SALT, key)[:24]


def generate_key() -> str:
    """A fresh random key for `vidflow serve --dev` (URL-safe, 256 bits)."""
    return "vf_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class KeyRing:
    """The accepted keys, held as digests only."""

    digests: frozenset[str]

    @classmethod
    def of(cls, keys: Iterable[str]) -> KeyRing:
        return cls(frozenset(_digest(_LOOKUP_SALT, k) for k in keys if k))

    def __len__(self) -> int:
        return len(self.digests)

    def account_for(self, key: str | None) -> str | None:
        """The account for a valid key; None for a missing or unknown one."""
        if not key:
            return None
        wanted = _digest(_LOOKUP_SALT, key)
        # compare against every digest so the time taken says nothing about which matched
        found = False
        for digest in self.digests:
            found |= hmac.compare_digest(digest, wanted)
        return account_id(key) if found else None


def parse_keys_text(text: str) -> list[str]:
    """One key per line; blank lines and `#` comments ignored."""
    keys = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keys.append(line)
    return keys


def load_keys(keys_file: Path | None = None, env: dict[str, str] | None = None) -> list[str]:
    """Keys from `--keys-file` and from VIDFLOW_SERVER_API_KEYS (comma-separated), together."""
    environ = os.environ if env is None else env
    keys = [k.strip() for k in environ.get(KEYS_ENV, "").split(",") if k.strip()]
    if keys_file is not None:
        try:
            keys += parse_keys_text(keys_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise VidflowError(f"Cannot read the keys file {keys_file}: {exc.strerror}",
                               hint="pass --keys-file with one API key per line") from exc
        except UnicodeDecodeError as exc:
            raise VidflowError(f"The keys file {keys_file} is not UTF-8 text") from exc
    return keys
