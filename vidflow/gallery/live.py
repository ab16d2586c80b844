"""`vidflow serve`'s gallery: `/` lists the stories of the key the page is opened with.

A page cannot send a header on its first load, and the server authenticates by the
`X-Api-Key` header. The key is typed into a form and kept in the tab's sessionStorage;
the page's own script sends it as the header to `/gallery/stories` (same origin). A
`?key=` would be simpler but would write the key into the access log's request line,
the browser's history, bookmarks and Referer headers. Against a script stealing it from
sessionStorage: the page has no inline script (Content-Security-Policy `script-src
'self'`) and builds every element from the stories' text with textContent, never HTML.

None of these routes is in the OpenAPI document: they are not the Story API.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

from vidflow.gallery.site import ASSETS, asset_text
from vidflow.server.app import Account, Engine

router = APIRouter(include_in_schema=False)

_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self'; media-src 'self'; connect-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vidflow serve: your stories</title>
<link rel="stylesheet" href="gallery/assets/gallery.css">
<script src="gallery/assets/gallery.js" defer></script>
</head><body>
<h1>Your stories</h1>
<form id="key-form" autocomplete="off">
  <label>API key <input name="key" type="password" required></label>
  <button type="submit">show my stories</button>
  <button type="button" id="key-forget">forget the key</button>
</form>
<p id="served-status">The key stays in this tab and is sent as the X-Api-Key header.</p>
<div id="served-stories" class="ab"></div>
</body></html>
"""


@router.get("/")
def page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers=_HEADERS)


@router.get("/gallery/assets/{name}")
def asset(name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(status_code=404, detail="No such file")
    return Response(asset_text(name), media_type=_TYPES[name[name.rindex("."):]],
                    headers=_HEADERS)


@router.get("/gallery/stories")
def stories(account: Account, engine: Engine) -> dict[str, Any]:
    return {"data": engine.list_stories(account=account)}
