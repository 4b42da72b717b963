"""Constrained value types shared by API schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# Row ids are 32-bit integers on PostgreSQL; anything outside can only be "not found" and must
# be refused before it reaches the database driver.
MAX_ID = 2**31 - 1

DbId = Annotated[int, Field(ge=1, le=MAX_ID)]

# PostgreSQL text cannot hold NUL, so it is refused at the edge for every text input (as a
# ``pattern=`` on fields and query parameters).
NO_NUL = r"^[^\x00]*$"
