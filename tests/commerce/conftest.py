"""Fixtures of the commerce tests: a builder for products, orders, shipments and returns."""

from __future__ import annotations

import pytest

from kefu.shared.db import Database
from tests.commerce.builders import Commerce


@pytest.fixture
def commerce(db: Database) -> Commerce:
    return Commerce(db)
