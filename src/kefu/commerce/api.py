"""HTTP routes of the commerce domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["commerce"])
