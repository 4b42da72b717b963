"""`kefu bench ...`: benchmarks that start their own servers and print one JSON object."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from typing import Annotated

import typer

bench_app = typer.Typer(help="Benchmarks (start real servers, print JSON).", no_args_is_help=True)


class BenchDatabase(StrEnum):
    SQLITE = "sqlite"
    POSTGRES = "postgres"


@bench_app.command("chat")
def chat(
    clients: Annotated[int, typer.Option(min=1, help="Concurrent customers.")] = 200,
    messages: Annotated[int, typer.Option(min=1, help="Messages each customer sends.")] = 25,
    database: Annotated[BenchDatabase, typer.Option(help="Database under test.")] = (
        BenchDatabase.SQLITE
    ),
    postgres_url: Annotated[
        str | None,
        typer.Option(
            envvar="KEFU_BENCH_POSTGRES_URL",
            help="PostgreSQL database the benchmark may wipe (for --database postgres).",
        ),
    ] = None,
    idle: Annotated[
        int,
        typer.Option(
            min=0,
            help="Also open this many idle customer sockets and report the "
            "server's memory per connection (0: skip).",
        ),
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON object.")] = False,
) -> None:
    """Customers chat over WebSocket with an agent; compare Kefu with a bare Starlette server."""
    from kefu.bench.chat import run_chat_bench

    url = None
    if database is BenchDatabase.POSTGRES:
        url = postgres_url or os.environ.get("KEFU_TEST_DATABASE_URL")
        if not url:
            raise typer.BadParameter("give --postgres-url (or KEFU_BENCH_POSTGRES_URL)")
    result = run_chat_bench(
        clients=clients, messages=messages, database_url=url, idle_connections=idle
    )
    typer.echo(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))


class RoutingStrategy(StrEnum):
    LEAST_LOADED = "least_loaded"
    LONGEST_IDLE = "longest_idle"


@bench_app.command("routing")
def routing(
    conversations: Annotated[int, typer.Option(min=1, help="Conversations in the day.")] = 20_000,
    agents: Annotated[int, typer.Option(min=1, help="Agents online all day.")] = 60,
    database: Annotated[BenchDatabase, typer.Option(help="Database under test.")] = (
        BenchDatabase.SQLITE
    ),
    postgres_url: Annotated[
        str | None,
        typer.Option(
            envvar="KEFU_BENCH_POSTGRES_URL",
            help="PostgreSQL database the benchmark may wipe (for --database postgres).",
        ),
    ] = None,
    strategy: Annotated[
        RoutingStrategy | None, typer.Option(help="Routing strategy (default: the router's).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the simulated day.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON object.")] = False,
) -> None:
    """A simulated busy day of conversations through the real router, in simulated time."""
    from kefu.bench.routing import run_routing_bench

    url = None
    if database is BenchDatabase.POSTGRES:
        url = postgres_url or os.environ.get("KEFU_TEST_DATABASE_URL")
        if not url:
            raise typer.BadParameter("give --postgres-url (or KEFU_BENCH_POSTGRES_URL)")
    result = run_routing_bench(
        conversations=conversations,
        agents=agents,
        seed=seed,
        database_url=url,
        strategy=strategy.value if strategy else None,
    )
    typer.echo(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))
