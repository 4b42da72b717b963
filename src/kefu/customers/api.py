"""HTTP routes of the customers domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["customers"])
