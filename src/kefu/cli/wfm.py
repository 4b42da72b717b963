"""``kefu wfm``: workforce management from the command line (forecast, backtest, erlang,
schedule, simulate). Each command lives in its own module and registers itself on ``wfm_app``;
their flags and JSON outputs are public interfaces (docs/workforce.md)."""

from __future__ import annotations

import typer

wfm_app = typer.Typer(
    help="Workforce management: forecasts, Erlang staffing, shift schedules, simulation.",
    no_args_is_help=True,
)


def register() -> typer.Typer:
    """The group with every command module imported (each adds its commands on import)."""
    from kefu.cli import wfm_forecast, wfm_schedule, wfm_staffing  # noqa: F401

    return wfm_app
