"""Seeded, deterministic demo data: two shops with staff, catalogue, orders and conversations."""

from __future__ import annotations

from kefu.demo.seed import DemoLogin, DemoSummary, ShopSummary, existing_demo, seed_demo
from kefu.demo.shops import DEMO_PASSWORD, demo_shops

__all__ = [
    "DEMO_PASSWORD",
    "DemoLogin",
    "DemoSummary",
    "ShopSummary",
    "demo_shops",
    "existing_demo",
    "seed_demo",
]
