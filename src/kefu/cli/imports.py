"""The ``kefu import`` commands: load a shop's products, customers, orders, shipments, returns."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import OperationalError

from kefu.accounts import service as accounts
from kefu.commerce import service as commerce
from kefu.commerce.importers import ImportFormat, ImportKind, guess_format
from kefu.commerce.schemas import ImportResult
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.errors import KefuError

imports_app = typer.Typer(
    help="Import the shop's data from CSV or JSON files (formats: docs/importing.md).",
    no_args_is_help=True,
)

console = Console()
err = Console(stderr=True)

_WHAT = {
    ImportKind.PRODUCTS: "products (upserted by sku)",
    ImportKind.CUSTOMERS: "customers (upserted by email)",
    ImportKind.ORDERS: "orders with their items (upserted by order_no; CSV: one row per item)",
    ImportKind.SHIPMENTS: "shipments of known orders (upserted by tracking_no)",
    ImportKind.TRACKING: "tracking events of known shipments (by tracking_no, time and status)",
    ImportKind.RETURNS: "returns and exchanges of known orders",
}

_NOUN = {ImportKind.TRACKING: "tracking events"}


async def _import(slug: str, kind: ImportKind, fmt: ImportFormat, data: bytes) -> ImportResult:
    settings = Settings()
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            shop = await accounts.require_shop_by_slug(session, slug)
            return await commerce.import_file(
                session,
                actor=commerce.operator(shop.id),
                kind=kind,
                fmt=fmt,
                data=data,
                now=utcnow(),
            )
    finally:
        await db.dispose()


def _error_table(errors: list[dict[str, Any]]) -> Table:
    table = Table(title="Errors (nothing was imported)", title_justify="left")
    table.add_column("row", justify="right", style="bold")
    table.add_column("field")
    table.add_column("problem")
    for error in errors:
        row = error.get("row")
        table.add_row(
            "" if row is None else str(row),
            escape(str(error.get("field") or "")),
            escape(str(error.get("message", ""))),
        )
    return table


def _report(result: ImportResult, path: Path) -> None:
    noun = _NOUN.get(result.kind, result.kind.value)
    summary = (
        f"{result.rows} row(s), [bold]{result.created}[/] {noun} created, "
        f"[bold]{result.updated}[/] updated"
    )
    if result.customers_created:
        summary += f", {result.customers_created} customer(s) created"
    console.print(f"[green]imported[/] {escape(path.name)}: {summary}")


def run_import(kind: ImportKind, path: Path, shop: str, fmt: ImportFormat | None) -> None:
    """Read ``path``, import it into ``shop`` and report; exit with 1 on any error."""
    chosen = fmt or guess_format(path.name)
    if chosen is None:
        err.print("[bold red]error:[/] cannot tell the format from the file name; add --format")
        raise typer.Exit(2)
    try:
        result = asyncio.run(_import(shop, kind, chosen, path.read_bytes()))
    except KefuError as exc:
        err.print(f"[bold red]error:[/] {escape(f'{exc.message} [{exc.code}]')}")
        if exc.code == "import_invalid" and isinstance(exc.details, list):
            err.print(_error_table(exc.details))
        raise typer.Exit(1) from None
    except OperationalError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc.orig))} (is `kefu db upgrade` done?)")
        raise typer.Exit(1) from None
    _report(result, path)


def _command(kind: ImportKind) -> Callable[..., None]:
    def command(
        file: Annotated[
            Path,
            typer.Argument(
                exists=True, dir_okay=False, readable=True, help="The .csv or .json file."
            ),
        ],
        shop: Annotated[str, typer.Option(help="Slug of the shop to import into.")],
        format_: Annotated[
            ImportFormat | None,
            typer.Option("--format", help="csv or json; guessed from the extension if left out."),
        ] = None,
    ) -> None:
        run_import(kind, file, shop, format_)

    command.__doc__ = f"Import {_WHAT[kind]} from FILE: every row, or none if any is bad."
    return command


for _kind in ImportKind:
    imports_app.command(_kind.value)(_command(_kind))
