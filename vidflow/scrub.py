"""Credentials out of URLs: the one scrubber for every file and message vidflow writes.

A base URL may carry `user:key@`, a media or webhook URL a `?token=` or a signed-URL
`X-Amz-Signature`; a plan, the lockfile, `show --json` or an error line must carry none
of them. `scrub_url` drops the userinfo and replaces the value of every query (or fragment)
parameter whose name looks like a secret with REDACTED, keeping the rest readable.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"
# Parameter names (lowercased, punctuation dropped) that hold a secret, and the endings
# that do: api_key, X-Amz-Signature, access_token, auth, client_secret, ...
_SECRET_NAMES = frozenset({"pass", "pwd", "session", "sessionid", "jwt", "hmac"})
_SECRET_ENDINGS = ("token", "key", "secret", "password", "passwd", "sig", "signature",
                   "credential", "credentials", "auth", "authorization")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")


def is_secret_name(name: str) -> bool:
    """Does a query parameter called `name` look like it carries a secret?"""
    flat = re.sub(r"[^a-z0-9]", "", name.lower())
    return flat in _SECRET_NAMES or flat.startswith("auth") or flat.endswith(_SECRET_ENDINGS)


def scrub_url(url: str) -> str:
    """`url` without userinfo and with secret-looking parameters' values REDACTED; text
    that is not an absolute URL comes back unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, _scrub_params(parts.query),
                       _scrub_params(parts.fragment)))


def _scrub_params(text: str) -> str:
    if "=" not in text:
        return text
    pairs = parse_qsl(text, keep_blank_values=True)
    if not any(is_secret_name(k) for k, _ in pairs):
        return text  # unchanged, byte for byte
    return urlencode([(k, REDACTED if is_secret_name(k) else v) for k, v in pairs],
                     safe="/:")


def scrub_text(text: str) -> str:
    """Every URL inside `text` scrubbed (an idea naming a website, an error message), and
    every `?name=value` / `&name=value` with a secret-looking name, even outside a full URL
    (an HTTP library's message shows only the path and query)."""
    if "://" not in text and "=" not in text:
        return text
    clean = _URL_IN_TEXT.sub(lambda m: scrub_url(m.group(0)), text)
    clean = _PARAM_IN_TEXT.sub(_redact_param, clean)
    return text if clean == text else clean


_PARAM_IN_TEXT = re.compile(r"([?&#;])([A-Za-z0-9_.\-]+)=([^&#\s\"'<>)]*)")


def _redact_param(match: re.Match[str]) -> str:
    lead, name, value = match.groups()
    if not is_secret_name(name) or value == REDACTED:
        return match.group(0)
    return f"{lead}{name}={REDACTED}"


def scrub_urls_in(value: Any) -> Any:
    """A JSON-like value with every URL in its strings scrubbed; containers are copied only
    where something changed (a 10,000-story plan is mostly left as it is)."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        out = {k: scrub_urls_in(v) for k, v in value.items()}
        return value if all(out[k] is value[k] for k in value) else out
    if isinstance(value, list | tuple):
        items = [scrub_urls_in(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    return value
