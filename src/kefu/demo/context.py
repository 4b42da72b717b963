"""What every generator step of one demo shop shares: its spec, ids, rows, time and randomness."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from kefu.demo.shops import ShopSpec
from kefu.demo.writer import Ids, Rows


@dataclass(frozen=True, slots=True)
class Build:
    spec: ShopSpec
    shop_id: int
    now: datetime
    seed: int
    scale: float
    ids: Ids
    rows: Rows

    def rng(self, stage: str) -> random.Random:
        """An independent stream per shop and stage: changing one step leaves the others' data
        alone, and the slug (which tests vary) plays no part."""
        return random.Random(f"{self.seed}:{self.spec.key}:{stage}")

    def scaled(self, count: float) -> int:
        return max(1, round(count * self.scale))
