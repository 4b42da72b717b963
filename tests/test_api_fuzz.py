"""Schemathesis walks every operation of the OpenAPI spec with generated input, valid and not:
the server never fails with a 5xx, answers only with documented status codes and error envelopes,
and every 4xx carries a machine-readable code."""

from __future__ import annotations

import asyncio
import itertools
import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr

from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.accounts.schemas import TokenCreate
from kefu.accounts.service import create_api_token
from kefu.app import create_app
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory


async def _owner_token(database_url: str) -> str:
    db = Database(database_url)
    try:
        factory = Factory(db)
        shop = await factory.shop("模糊测试店")
        owner = await factory.user(shop, role="owner")
        await factory.conversation(shop)
        actor = Principal(shop_id=shop.id, role=Role.OWNER, user_id=owner.id)
        async with db.session() as session:
            _token, secret = await create_api_token(
                session, actor=actor, data=TokenCreate(name="fuzz", role=Role.OWNER), now=utcnow()
            )
        return secret
    finally:
        await db.dispose()


def test_api_never_fails_on_generated_input(database_url: str) -> None:
    token = asyncio.run(_owner_token(database_url))
    app = create_app(
        Settings(
            env="test",
            database_url=database_url,
            secret_key=SecretStr("f" * 40),
            login_max_failures=10_000,
        )
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10

    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    for operation, mode in itertools.product(operations, modes):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=int(os.environ.get("KEFU_FUZZ_EXAMPLES", "15")),
            derandomize=bool(os.environ.get("CI")),
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.text}"
            )
            if response.status_code >= 400:
                assert response.json()["error"]["code"], response.text

        try:
            check()
        except Unsatisfiable:
            # Nothing to make invalid (an operation without parameters or body).
            assert mode is schemathesis.GenerationMode.NEGATIVE
