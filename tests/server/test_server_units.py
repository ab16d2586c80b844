"""Pure parts of the server: keys and accounts, upload checks, error mapping."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from server_support import image_bytes

from vidflow.errors import (
    InsufficientCredit,
    NotFound,
    TooManyRequests,
    ValidationFailed,
    VidflowError,
)
from vidflow.server.auth import KeyRing, account_id, generate_key, load_keys, parse_keys_text
from vidflow.server.errors import api_error_response, clean_items, missing_fields
from vidflow.server.uploads import sniff_image, store_image, store_images

KEYS = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1,
               max_size=40)


class TestKeys:
    @given(KEYS, KEYS)
    def test_accounts_are_stable_distinct_and_do_not_reveal_the_key(self, a: str,
                                                                    b: str) -> None:
        assert account_id(a) == account_id(a)
        assert (account_id(a) == account_id(b)) == (a == b)
        assert len(a) < 8 or a not in account_id(a)

    def test_ring_accepts_only_its_keys(self) -> None:
        ring = KeyRing.of(["alpha-key", "beta-key"])
        assert ring.account_for("alpha-key") == account_id("alpha-key")
        assert ring.account_for("gamma-key") is None
        assert ring.account_for("") is None and ring.account_for(None) is None
        assert "alpha-key" not in repr(ring)

    def test_generated_keys_are_random(self) -> None:
        keys = {generate_key() for _ in range(50)}
        assert len(keys) == 50 and all(len(k) > 40 for k in keys)

    def test_keys_from_file_and_environment(self, tmp_path: Path) -> None:
        keys_file = tmp_path / "keys"
        keys_file.write_text("# team keys\nfile-key-1\n\n  file-key-2  \n")
        env = {"VIDFLOW_SERVER_API_KEYS": "env-1, env-2,,"}
        assert load_keys(keys_file, env) == ["env-1", "env-2", "file-key-1", "file-key-2"]
        assert parse_keys_text("") == []

    def test_missing_keys_file_names_it(self, tmp_path: Path) -> None:
        with pytest.raises(VidflowError, match=r"nope\.txt"):
            load_keys(tmp_path / "nope.txt", {})


class TestUploads:
    @pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"),
                                              ("WEBP", "webp")])
    def test_sniffs_by_content(self, fmt: str, ext: str) -> None:
        assert sniff_image(image_bytes(fmt)[:16]) == ext

    @pytest.mark.parametrize("head", [b"GIF89a", b"%PDF-1.7", b"RIFF\0\0\0\0WAVE", b""])
    def test_refuses_other_types(self, head: bytes) -> None:
        assert sniff_image(head) is None

    def test_stored_under_a_random_name(self, tmp_path: Path) -> None:
        paths = store_images([io.BytesIO(image_bytes()), io.BytesIO(image_bytes("JPEG"))],
                             tmp_path / "acct")
        assert [p.suffix for p in paths] == [".png", ".jpg"]
        assert all(p.parent == tmp_path / "acct" and len(p.stem) == 32 for p in paths)

    def test_too_large_is_refused_and_removed(self, tmp_path: Path) -> None:
        big = image_bytes(size=(400, 400))
        result = store_image(io.BytesIO(big), tmp_path, 0, max_bytes=len(big) - 1)
        assert not isinstance(result, Path) and result.kind == "file_too_large"
        assert list(tmp_path.iterdir()) == []

    def test_truncated_image_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationFailed) as info:
            store_images([io.BytesIO(image_bytes()[:40])], tmp_path)
        assert info.value.details[0]["loc"] == ["body", "image_files", 0]

    def test_one_bad_file_stores_none(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationFailed, match=r"image_files\[1\]"):
            store_images([io.BytesIO(image_bytes()), io.BytesIO(b"plain text")], tmp_path)
        assert list(tmp_path.iterdir()) == []


class TestErrorMapping:
    def test_statuses(self) -> None:
        assert api_error_response(InsufficientCredit("no credit")).status_code == 402
        assert api_error_response(NotFound("gone")).status_code == 404
        resp = api_error_response(TooManyRequests("busy", retry_after=0.2))
        assert resp.status_code == 429 and resp.headers["Retry-After"] == "1"

    def test_validation_details_are_the_body(self) -> None:
        detail = [{"loc": ["body", "loop"], "msg": "must be 1..6", "type": "range",
                   "input": "99"}]
        resp = api_error_response(ValidationFailed("loop: must be 1..6", details=detail))
        assert resp.status_code == 422
        assert b'"input"' not in resp.body and b"must be 1..6" in resp.body

    def test_missing_and_blank_fields(self) -> None:
        errors = [{"loc": ("body", "idea"), "type": "missing", "msg": "Field required"},
                  {"loc": ("body", "title"), "type": "string_too_short", "input": " "},
                  {"loc": ("body", "idea"), "type": "string_pattern_mismatch", "input": "x"},
                  {"loc": ("body", "storyboard", "scenes"), "type": "missing"}]
        assert missing_fields(errors) == ["idea", "title"]
        assert clean_items(errors)[3] == {"loc": ["body", "storyboard", "scenes"], "msg": "",
                                          "type": "missing"}
