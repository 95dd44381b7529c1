"""The committed OpenAPI schema is the application's: a change to the API shows in review."""

from __future__ import annotations

import json
from pathlib import Path

from registrar_tui.api.app import create_api

SCHEMA = Path(__file__).parents[2] / "docs" / "api" / "openapi.json"


def test_the_committed_schema_is_the_apps() -> None:
    committed = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert committed == create_api().openapi(), (
        "docs/api/openapi.json is out of date: run `make openapi` "
        "(registrar-tui serve-api --print-openapi > docs/api/openapi.json)"
    )


def test_every_route_but_health_is_signed_and_refuses_in_one_shape() -> None:
    paths = create_api().openapi()["paths"]
    for path, operations in paths.items():
        for operation in operations.values():
            if path == "/v1/health":
                continue
            assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"
            }, path
