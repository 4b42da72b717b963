"""The ``kefu import`` commands, run as the operator would."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from kefu.accounts.models import AuditEvent, Shop
from kefu.cli.main import app
from kefu.commerce.importers import ImportKind
from kefu.commerce.models import Product
from kefu.shared.db import Database

runner = CliRunner()


@pytest.fixture
def shop_slug(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KEFU_DATABASE_URL", database_url)
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    result = runner.invoke(app, ["shop", "create", slug, "命令行店铺"])
    assert result.exit_code == 0, result.output
    return slug


def _products_in(database_url: str, slug: str) -> list[tuple[str, int]]:
    async def read() -> list[tuple[str, int]]:
        db = Database(database_url)
        try:
            async with db.session() as session:
                rows = await session.execute(
                    select(Product.sku, Product.price_cents)
                    .join(Shop, Shop.id == Product.shop_id)
                    .where(Shop.slug == slug)
                    .order_by(Product.sku)
                )
                return list(rows.tuples().all())
        finally:
            await db.dispose()

    return asyncio.run(read())


def _audit_actions(database_url: str, slug: str) -> list[str]:
    async def read() -> list[str]:
        db = Database(database_url)
        try:
            async with db.session() as session:
                rows = await session.scalars(
                    select(AuditEvent.action)
                    .join(Shop, Shop.id == AuditEvent.shop_id)
                    .where(Shop.slug == slug, AuditEvent.actor_user_id.is_(None))
                )
                return list(rows.all())
        finally:
            await db.dispose()

    return asyncio.run(read())


def test_cli_imports_a_csv_file_and_reports_counts(
    shop_slug: str, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "products.csv"
    path.write_text("sku,name,price\nEAR-1,降噪耳机,199.00\nCAB-1,数据线,19.90\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "products", str(path), "--shop", shop_slug])
    assert result.exit_code == 0, result.output
    assert "2 products created" in result.output
    again = runner.invoke(app, ["import", "products", str(path), "--shop", shop_slug])
    assert "0 products created, 2 updated" in again.output
    assert _products_in(database_url, shop_slug) == [("CAB-1", 1990), ("EAR-1", 19900)]
    assert _audit_actions(database_url, shop_slug) == ["import.products", "import.products"]


def test_cli_lists_row_errors_and_exits_with_1_writing_nothing(
    shop_slug: str, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "products.json"
    rows = [
        {"sku": "OK-1", "name": "好的", "price": 1},
        {"sku": "BAD-1", "name": "坏的", "price": "1.999"},
        {"name": "没有 SKU", "price": 2},
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["import", "products", str(path), "--shop", shop_slug])
    assert result.exit_code == 1
    assert "2 error(s)" in result.output
    lines = result.output.splitlines()
    assert any("2" in line and "price" in line and "decimal places" in line for line in lines)
    assert any("3" in line and "sku" in line and "is required" in line for line in lines)
    assert _products_in(database_url, shop_slug) == []


def test_cli_takes_the_format_from_the_option_when_the_name_does_not_tell(
    shop_slug: str, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "export.txt"
    path.write_text("sku,name,price\nEAR-1,降噪耳机,199\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "products", str(path), "--shop", shop_slug])
    assert result.exit_code == 2
    assert "--format" in result.output
    result = runner.invoke(
        app, ["import", "products", str(path), "--shop", shop_slug, "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert _products_in(database_url, shop_slug) == [("EAR-1", 19900)]


def test_cli_refuses_an_unknown_shop(shop_slug: str, tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text("sku,name,price\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "products", str(path), "--shop", "no-such-shop"])
    assert result.exit_code == 1
    assert "shop_not_found" in result.output


@pytest.mark.parametrize("kind", list(ImportKind))
def test_every_import_command_has_help(kind: ImportKind) -> None:
    result = runner.invoke(app, ["import", kind.value, "--help"])
    assert result.exit_code == 0, result.output
    assert "--shop" in result.output and "--format" in result.output
