"""Entry point of the ``kefu`` command: serve, demo, database, users and imports."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from kefu.accounts import service as accounts
from kefu.accounts.permissions import Department, Role, Tier
from kefu.accounts.schemas import UserCreate
from kefu.cli.bench import bench_app
from kefu.cli.bot import bot_app
from kefu.cli.demo import demo
from kefu.cli.imports import imports_app
from kefu.cli.report import report
from kefu.cli.wfm import register as wfm_group
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.errors import KefuError

app = typer.Typer(help="Kefu (客服): customer service for e-commerce.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users of a shop.", no_args_is_help=True)
shop_app = typer.Typer(help="Shops (tenants).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(shop_app, name="shop")
app.add_typer(imports_app, name="import")
app.add_typer(bench_app, name="bench")
app.add_typer(bot_app, name="bot")
app.add_typer(wfm_group(), name="wfm")
app.command("demo")(demo)
app.command("report")(report)

console = Console()
err = Console(stderr=True)


def load_settings() -> Settings:
    settings = Settings()
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return settings


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from kefu.migrations import upgrade

    settings = load_settings()
    upgrade(settings.database_url, revision)
    console.print(f"[green]database at {revision}[/]")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (KEFU_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (KEFU_PORT).")] = None,
) -> None:
    """Run the web server (apply migrations first with `kefu db upgrade`)."""
    import uvicorn

    from kefu.app import create_app

    settings = load_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        proxy_headers=False,
        # Chat frames are small; compressing each one costs more CPU than it saves bandwidth.
        ws_per_message_deflate=False,
    )


@shop_app.command("create")
def shop_create(
    slug: Annotated[str, typer.Argument(help="Short unique name, e.g. geek-digital.")],
    name: Annotated[str, typer.Argument(help="Display name.")],
) -> None:
    """Create a shop."""

    async def run() -> None:
        db = Database(load_settings().database_url)
        try:
            async with db.session() as session:
                shop = await accounts.create_shop(session, slug=slug, name=name, now=utcnow())
                console.print(f"shop [bold]{shop.slug}[/] created (id {shop.id})")
        finally:
            await db.dispose()

    _run(run())


@user_app.command("create")
def user_create(
    shop: Annotated[str, typer.Option(help="Slug of the shop.")],
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option()] = Role.AGENT,
    tier: Annotated[Tier | None, typer.Option(help="For agents.")] = None,
    department: Annotated[Department | None, typer.Option(help="For department staff.")] = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, envvar="KEFU_NEW_PASSWORD"
        ),
    ] = "",
) -> None:
    """Create a user in a shop (the password is asked for, or read from KEFU_NEW_PASSWORD)."""
    try:
        data = UserCreate(
            email=email, name=name, password=password, role=role, tier=tier, department=department
        )
    except ValueError as exc:
        raise fail(str(exc)) from None

    async def run() -> None:
        db = Database(load_settings().database_url)
        try:
            async with db.session() as session:
                found = await accounts.require_shop_by_slug(session, shop)
                user = await accounts.create_user(
                    session, actor=None, shop_id=found.id, data=data, now=utcnow()
                )
                console.print(f"user [bold]{user.email}[/] ({user.role}) created in {shop}")
        finally:
            await db.dispose()

    _run(run())


def _run(coro: object) -> None:
    try:
        asyncio.run(coro)  # type: ignore[arg-type]
    except KefuError as exc:
        raise fail(escape(f"{exc.message} [{exc.code}]")) from None
