"""The demo shops' product catalogues: product lines with realistic names, variants and prices."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

Variant = tuple[str, int]  # (label appended to the name, price added in yuan)


@dataclass(frozen=True, slots=True)
class ProductLine:
    category: str
    code: str
    names: tuple[str, ...]
    price_yuan: tuple[int, int]
    variants: tuple[Variant, ...]
    sizes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CatalogItem:
    sku: str
    name: str
    category: str
    price_cents: int
    active: bool
    popularity: float
    sizes: tuple[str, ...]


CLOTHING_SIZES = ("S", "M", "L", "XL", "XXL")
SHOE_SIZES = ("36", "37", "38", "39", "40", "41", "42", "43", "44")

_STORAGE: tuple[Variant, ...] = (("12GB+256GB", 0), ("12GB+512GB", 500), ("16GB+1TB", 1500))
_DEVICE_COLOURS: tuple[Variant, ...] = (("曜石黑", 0), ("雪域白", 0), ("星河蓝", 0), ("钛金属", 0))
_COLOURS: tuple[Variant, ...] = (
    ("黑色", 0), ("米白色", 0), ("燕麦色", 0), ("藏青色", 0), ("雾霾蓝", 0), ("酒红色", 0),
    ("卡其色", 0), ("浅灰色", 0),
)  # fmt: skip

ELECTRONICS: tuple[ProductLine, ...] = (
    ProductLine("手机", "PH", (
        "华为 Mate 70 Pro", "华为 nova 13", "小米 15", "小米 15 Ultra", "Redmi K80 Pro",
        "荣耀 Magic7", "OPPO Find X8", "vivo X200", "iPhone 16", "iPhone 16 Pro Max",
    ), (1999, 7999), _STORAGE),
    ProductLine("耳机", "EP", (
        "华为 FreeBuds Pro 4 降噪耳机", "AirPods Pro 2 (USB-C)", "小米 Buds 5",
        "索尼 WH-1000XM5 头戴式降噪耳机", "漫步者 Lolli Pro 3", "OPPO Enco X3",
        "Beats Studio Pro 头戴式耳机",
    ), (199, 2499), (("白色", 0), ("黑色", 0))),
    ProductLine("充电器", "CH", (
        "67W 氮化镓快充充电器", "100W 四口氮化镓充电器", "20W PD 快充头",
        "安克 65W 氮化镓充电器", "1米 USB-C 编织快充数据线", "15W 磁吸无线充电器",
    ), (29, 299), (("白色", 0), ("黑色", 0))),
    ProductLine("移动电源", "PB", (
        "小米 20000mAh 移动电源", "安克 10000mAh 磁吸充电宝", "倍思 65W 笔记本充电宝",
    ), (99, 399), (("白色", 0), ("蓝色", 0))),
    ProductLine("平板", "TB", (
        "华为 MatePad Pro 13.2英寸", "小米平板 7 Pro", "iPad Air 11英寸 (M2)", "荣耀平板 9",
        "联想小新 Pad Pro 12.7",
    ), (1299, 5999), (("8GB+128GB", 0), ("12GB+256GB", 600))),
    ProductLine("智能手表", "WT", (
        "华为 WATCH GT 5", "Apple Watch Series 10", "小米手环 9", "华为手环 9",
        "OPPO Watch 4 Pro",
    ), (199, 3299), (("黑色表带", 0), ("银色表带", 0), ("运动款", 100))),
    ProductLine("笔记本电脑", "NB", (
        "联想小新 Pro 16 2025", "华为 MateBook 14", "Redmi Book 16", "MacBook Air 13 (M3)",
    ), (3999, 8999), (("16GB+512GB", 0), ("32GB+1TB", 1200))),
    ProductLine("配件", "AC", (
        "手机钢化膜 (两片装)", "磨砂硅胶手机壳", "蓝牙无线鼠标", "折叠蓝牙键盘",
        "平板电容笔", "手表替换表带",
    ), (19, 249), (("标准款", 0),)),
)  # fmt: skip

APPAREL: tuple[ProductLine, ...] = (
    ProductLine("羽绒服", "YRF", (
        "轻薄短款白鸭绒羽绒服 女", "连帽中长款加厚羽绒服 男", "90白鹅绒面包服",
        "立领轻暖羽绒马甲", "户外三防长款羽绒服",
    ), (299, 1299), _COLOURS, CLOTHING_SIZES),
    ProductLine("卫衣", "WY", (
        "重磅纯棉圆领卫衣", "加绒连帽卫衣", "半拉链立领卫衣", "美式复古印花卫衣",
    ), (99, 299), _COLOURS, CLOTHING_SIZES),
    ProductLine("牛仔裤", "NZK", (
        "高腰直筒牛仔裤 女", "微喇叭牛仔裤", "宽松阔腿牛仔裤", "修身小脚弹力牛仔裤 男",
    ), (129, 359), (("浅蓝色", 0), ("深蓝色", 0), ("黑色", 0)), CLOTHING_SIZES),
    ProductLine("连衣裙", "LYQ", (
        "法式碎花连衣裙", "针织长袖连衣裙", "V领收腰通勤连衣裙", "丝绒赫本风小黑裙",
    ), (159, 599), (("黑色", 0), ("杏色", 0), ("酒红色", 0)), CLOTHING_SIZES),
    ProductLine("运动鞋", "YDX", (
        "轻便透气跑步鞋", "复古老爹鞋", "百搭小白鞋", "加绒保暖板鞋",
    ), (199, 699), (("白色", 0), ("黑色", 0), ("灰色", 0)), SHOE_SIZES),
    ProductLine("毛衣", "MY", (
        "羊毛混纺高领毛衣", "慵懒风V领针织开衫", "100%纯羊绒衫",
    ), (199, 899), _COLOURS, CLOTHING_SIZES),
    ProductLine("大衣", "DY", ("双面羊毛大衣", "廓形西装领毛呢外套"), (599, 1599), _COLOURS,
                CLOTHING_SIZES),
)  # fmt: skip


def _price_cents(rng: random.Random, low: int, high: int) -> int:
    """Prices end in 9 (or 9.9 below 100 yuan) as shops like them."""
    yuan = rng.randrange(low, high + 1)
    if yuan < 100:
        return (yuan // 10 * 10 + 9) * 100 + 90
    step = 100 if yuan >= 1000 else 10
    return (yuan // step * step + step - 1) * 100


def build_catalog(
    rng: random.Random, lines: tuple[ProductLine, ...], prefix: str
) -> list[CatalogItem]:
    """Every product line expanded into 1-4 variants per model, with SKUs and popularity."""
    items: list[CatalogItem] = []
    for line in lines:
        for model_no, model in enumerate(line.names, start=1):
            base = _price_cents(rng, *line.price_yuan)
            picked = rng.sample(line.variants, min(len(line.variants), rng.randint(1, 4)))
            for variant_no, (label, extra) in enumerate(sorted(picked, key=lambda v: v[1]), 1):
                items.append(
                    CatalogItem(
                        sku=f"{prefix}-{line.code}-{model_no:02d}{variant_no:02d}",
                        name=f"{model} {label}" if label != "标准款" else model,
                        category=line.category,
                        price_cents=base + extra * 100,
                        active=rng.random() > 0.05,
                        popularity=0.0,
                        sizes=line.sizes,
                    )
                )
    ranks = list(range(len(items)))
    rng.shuffle(ranks)
    # A few best sellers and a long tail, as in any shop; cheap things sell more often.
    return [
        replace(item, popularity=(2.0 if item.price_cents < 300_00 else 1.0) / (rank + 3) ** 0.9)
        for item, rank in zip(items, ranks, strict=True)
    ]
