"""`GET /v1/health`: the reverse proxy's check, without authentication."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


@router.get("/v1/health", response_model=Health, summary="The API is up")
def health() -> Health:
    """Answers while the process serves requests; reads nothing."""
    return Health(status="ok")
