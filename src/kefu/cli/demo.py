"""The ``kefu demo`` command: migrate, seed the demo shops once, print the logins, serve."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from kefu.demo import DemoSummary, seed_demo
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database

console = Console()
err = Console(stderr=True)


def demo(
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete the SQLite database first and start over.")
    ] = False,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the web server afterwards.")
    ] = True,
    seed: Annotated[int, typer.Option(help="Random seed of the demo data.")] = 7,
    scale: Annotated[
        float, typer.Option(min=0.01, max=10.0, help="Fraction of the usual demo data volume.")
    ] = 1.0,
) -> None:
    """Migrate the database, seed two demo shops if missing, print the logins and serve."""
    settings = Settings()
    path = settings.sqlite_path()
    if reset:
        if path is None:
            err.print("[bold red]error:[/] --reset only deletes an SQLite database file")
            raise typer.Exit(1)
        _delete_sqlite(path)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)

    from kefu.migrations import upgrade

    began = time.perf_counter()
    upgrade(settings.database_url)
    migrated = time.perf_counter() - began
    summary = asyncio.run(_seed(settings.database_url, seed=seed, scale=scale))
    _report(summary, migrated)
    console.print(_logins_panel(summary, f"http://{settings.host}:{settings.port}/"))
    if serve:
        # Imported here: kefu.cli.main registers this command, so it cannot be imported at the
        # top. Serving through it keeps `kefu demo` and `kefu serve` identical.
        from kefu.cli.main import serve as serve_command

        serve_command(host=None, port=None)


def _delete_sqlite(path: Path) -> None:
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        file.unlink(missing_ok=True)
    console.print(f"deleted {path}")


async def _seed(url: str, *, seed: int, scale: float) -> DemoSummary:
    db = Database(url)
    try:
        with console.status("Seeding the demo shops…") as status:
            return await seed_demo(
                db.engine,
                now=utcnow(),
                seed=seed,
                scale=scale,
                on_step=lambda step: status.update(f"Seeding the demo shops: {step}"),
            )
    finally:
        await db.dispose()


def _report(summary: DemoSummary, migrated: float) -> None:
    console.print(f"migrations applied in {migrated:.1f} s")
    if not summary.created:
        names = ", ".join(shop.name for shop in summary.shops)
        console.print(f"demo shops already there ({names}); nothing seeded")
        return
    totals = summary.totals()
    console.print(
        f"demo data seeded in {summary.seconds:.1f} s: {totals['customers']:,} customers, "
        f"{totals['orders']:,} orders, {totals['conversations']:,} conversations, "
        f"{totals['messages']:,} messages"
    )


def _logins_panel(summary: DemoSummary, url: str) -> Panel:
    names = {shop.slug: shop.name for shop in summary.shops}
    table = Table(box=None, pad_edge=False)
    table.add_column("shop")
    table.add_column("role")
    table.add_column("login")
    for login in summary.highlights():
        table.add_row(names.get(login.shop, login.shop), login.label, login.email)
    header = f"[bold]{url}[/]\npassword for every demo login: [bold]{summary.password}[/]\n"
    chats = "\n".join(
        f"customer chat of {shop.name}: {url}chat/{shop.slug}  (widget on a shop page: "
        f"{url}chat/{shop.slug}/demo-host)"
        for shop in summary.shops
    )
    return Panel.fit(Group(header, table, "", chats), title="Kefu demo")
