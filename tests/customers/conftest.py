"""Fixtures of the customers tests: a builder for their orders."""

from __future__ import annotations

import pytest

from kefu.shared.db import Database
from tests.commerce.builders import Commerce


@pytest.fixture
def commerce(db: Database) -> Commerce:
    return Commerce(db)
