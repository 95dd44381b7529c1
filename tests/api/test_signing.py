"""The signing algorithm as docs/api.md works it through: the figures there are these."""

from __future__ import annotations

import hashlib
from pathlib import Path

from registrar_tui.api.signing import sign, signature_matches, signed_headers, string_to_sign

KEY = "rtk_0a1b2c3d_example-secret-never-use-it-in-production-0000"
BODY = (
    b'{"client_reference":"req-0001","family_portal_id":"P0000002-6bad6be2",'
    b'"target_kind":"guardian","target_id":3,"fields":[{"field_name":"phone",'
    b'"seen_value":"418-555-0101","requested_value":"418-555-0199"}]}'
)
DOC = Path(__file__).parents[2] / "docs" / "api.md"


def test_the_documented_example_signs_as_documented() -> None:
    digest = "4e8a58729b298ce1f3718e87300717859c7c5976dd0de2f75c0138ca4264e565"
    assert hashlib.sha256(BODY).hexdigest() == digest
    assert string_to_sign("post", "/v1/change-requests", 1796400000, BODY) == (
        f"POST\n/v1/change-requests\n1796400000\n{digest}"
    )
    post = sign(KEY, "POST", "/v1/change-requests", 1796400000, BODY)
    get = sign(KEY, "GET", "/v1/families/P0000001-f38b2ffc/statement", 1796400000, b"")
    doc = DOC.read_text(encoding="utf-8")
    assert post == "672552537f8d43410eeafbb2c1a8e91480adb1779736e31b2d56c18294483cb3"
    assert get == "0eefab4c0111c5a94f772a2e2ee55d2441fe95ae63dd8da9d9d945288e59f84f"
    assert BODY.decode() in doc and post in doc and get in doc


def test_a_signature_matches_only_its_request() -> None:
    headers = signed_headers(KEY, "POST", "/v1/x", BODY, timestamp=1796400000)
    signature = headers["X-Registrar-Signature"]
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert signature_matches(KEY, "POST", "/v1/x", "1796400000", BODY, signature.upper())
    assert not signature_matches(KEY, "POST", "/v1/x", "1796400001", BODY, signature)
    assert not signature_matches(KEY, "POST", "/v1/y", "1796400000", BODY, signature)
    assert not signature_matches(KEY, "POST", "/v1/x", "1796400000", BODY + b" ", signature)
    assert not signature_matches(KEY + "x", "POST", "/v1/x", "1796400000", BODY, signature)
