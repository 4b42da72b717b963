"""The two demo shops: who they are, how big they are and what their customers ask about."""

from __future__ import annotations

from dataclasses import dataclass, replace

from kefu.demo.catalog import APPAREL, ELECTRONICS, ProductLine
from kefu.demo.texts_zh import APPAREL_ZH, ELECTRONICS_ZH
from kefu.demo.topic import Corpus

DEMO_PASSWORD = "kefu-demo"
TEAMS = ("售前组", "售后组", "投诉组")


@dataclass(frozen=True, slots=True)
class ShopSpec:
    """A demo shop; sizes are at scale 1 and ``key`` (not the slug) seeds its random streams."""

    key: str
    slug: str
    name: str
    sku_prefix: str
    catalog: tuple[ProductLine, ...]
    corpus: Corpus
    agents: int
    customers: int
    orders: int
    conversations_per_day: float
    unassigned_now: int
    return_rate: float
    exchange_share: float
    return_reasons: tuple[tuple[str, int], ...]
    warehouse_cities: tuple[str, ...]
    return_address: str
    topic_weights: dict[str, float]
    fabrics: tuple[str, ...] = ()

    @property
    def email_domain(self) -> str:
        return f"{self.slug}.demo"


ELECTRONICS_SHOP = ShopSpec(
    key="electronics",
    slug="geek-digital",
    name="极客数码旗舰店",
    sku_prefix="GD",
    catalog=ELECTRONICS,
    corpus=ELECTRONICS_ZH,
    agents=14,
    customers=2600,
    orders=4000,
    conversations_per_day=75,
    unassigned_now=8,
    return_rate=0.04,
    exchange_share=0.35,
    return_reasons=(("质量问题", 35), ("与描述不符", 15), ("七天无理由", 35), ("收到商品破损", 15)),
    warehouse_cities=("深圳", "东莞"),
    return_address="广东省深圳市宝安区福永街道极客数码售后仓",
    topic_weights={
        "logistics": 30, "returns": 9, "exchange": 5, "invoice": 8, "presale": 22, "complaint": 5,
        "address": 6, "coupon": 8, "urge": 7,
    },
)  # fmt: skip

APPAREL_SHOP = ShopSpec(
    key="apparel",
    slug="jianyi-fashion",
    name="简衣坊服饰",
    sku_prefix="JY",
    catalog=APPAREL,
    corpus=APPAREL_ZH,
    agents=9,
    customers=2200,
    orders=3000,
    conversations_per_day=50,
    unassigned_now=5,
    return_rate=0.08,
    exchange_share=0.45,
    return_reasons=(
        ("尺码不合适", 45), ("质量问题", 15), ("与描述不符", 15), ("七天无理由", 20),
        ("颜色有色差", 5),
    ),
    warehouse_cities=("杭州", "广州"),
    return_address="浙江省杭州市余杭区仓前街道简衣坊退货仓",
    topic_weights={
        "logistics": 28, "returns": 12, "exchange": 10, "invoice": 3, "presale": 22, "complaint": 5,
        "address": 6, "coupon": 8, "urge": 6,
    },
    fabrics=("100%纯棉", "聚酯纤维混纺", "羊毛混纺", "天丝", "90%白鸭绒"),
)  # fmt: skip

DEMO_SHOPS = (ELECTRONICS_SHOP, APPAREL_SHOP)


def demo_shops(slug_suffix: str = "") -> tuple[ShopSpec, ...]:
    """The demo shops, with ``slug_suffix`` appended so tests can seed side by side."""
    return tuple(replace(spec, slug=spec.slug + slug_suffix) for spec in DEMO_SHOPS)
