"""Word lists for demo people and places: Chinese names with pinyin, cities, hubs, carriers."""

from __future__ import annotations

import random
from dataclasses import dataclass

from kefu.demo.weighted import Weighted

# Surnames weighted roughly by how common they are, with pinyin for e-mail handles.
SURNAMES: tuple[tuple[str, str, int], ...] = (
    ("王", "wang", 70), ("李", "li", 70), ("张", "zhang", 65), ("刘", "liu", 55),
    ("陈", "chen", 45), ("杨", "yang", 30), ("黄", "huang", 22), ("赵", "zhao", 22),
    ("吴", "wu", 20), ("周", "zhou", 20), ("徐", "xu", 15), ("孙", "sun", 14),
    ("马", "ma", 13), ("朱", "zhu", 12), ("胡", "hu", 12), ("郭", "guo", 11),
    ("何", "he", 10), ("林", "lin", 10), ("高", "gao", 9), ("罗", "luo", 9),
    ("郑", "zheng", 9), ("梁", "liang", 8), ("谢", "xie", 7), ("宋", "song", 7),
    ("唐", "tang", 7), ("许", "xu", 6), ("韩", "han", 6), ("邓", "deng", 6),
    ("冯", "feng", 6), ("曹", "cao", 5), ("彭", "peng", 5), ("曾", "zeng", 5),
    ("萧", "xiao", 4), ("田", "tian", 4), ("董", "dong", 4), ("潘", "pan", 4),
    ("袁", "yuan", 4), ("蔡", "cai", 3), ("蒋", "jiang", 3), ("余", "yu", 3),
    ("于", "yu", 3), ("杜", "du", 3), ("叶", "ye", 3), ("程", "cheng", 3),
    ("魏", "wei", 3), ("苏", "su", 3), ("吕", "lv", 3), ("丁", "ding", 3),
    ("任", "ren", 2), ("沈", "shen", 2), ("姚", "yao", 2), ("卢", "lu", 2),
    ("钟", "zhong", 2), ("姜", "jiang", 2), ("崔", "cui", 2), ("谭", "tan", 2),
    ("陆", "lu", 2), ("范", "fan", 2), ("汪", "wang", 2), ("廖", "liao", 2),
    ("石", "shi", 2), ("金", "jin", 2), ("欧阳", "ouyang", 1), ("司马", "sima", 1),
)  # fmt: skip

GIVEN_CHARS: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"),
    ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("婷", "ting"),
    ("雪", "xue"), ("琳", "lin"), ("晨", "chen"), ("宇", "yu"), ("浩", "hao"),
    ("欣", "xin"), ("怡", "yi"), ("子", "zi"), ("涵", "han"), ("梓", "zi"),
    ("轩", "xuan"), ("博", "bo"), ("文", "wen"), ("佳", "jia"), ("思", "si"),
    ("雨", "yu"), ("萱", "xuan"), ("俊", "jun"), ("鹏", "peng"), ("晓", "xiao"),
    ("琪", "qi"), ("嘉", "jia"), ("颖", "ying"), ("瑶", "yao"), ("昊", "hao"),
    ("天", "tian"), ("一", "yi"), ("诗", "shi"), ("梦", "meng"), ("凯", "kai"),
    ("建", "jian"), ("国", "guo"), ("海", "hai"), ("玉", "yu"), ("兰", "lan"),
    ("志", "zhi"), ("鑫", "xin"), ("雅", "ya"), ("然", "ran"), ("航", "hang"),
    ("辰", "chen"), ("悦", "yue"), ("彤", "tong"), ("泽", "ze"), ("睿", "rui"),
)  # fmt: skip

EMAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("qq.com", 40), ("163.com", 22), ("126.com", 8), ("gmail.com", 6),
    ("outlook.com", 6), ("sina.com", 4), ("foxmail.com", 6), ("139.com", 3), ("yeah.net", 2),
)  # fmt: skip

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip

# (province, city, districts); the city doubles as the destination hub of a shipment.
CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("北京市", "北京", ("朝阳区", "海淀区", "丰台区", "东城区", "通州区", "昌平区")),
    ("上海市", "上海", ("浦东新区", "徐汇区", "闵行区", "静安区", "杨浦区", "宝山区")),
    ("广东省", "广州", ("天河区", "海珠区", "越秀区", "白云区", "番禺区")),
    ("广东省", "深圳", ("南山区", "福田区", "宝安区", "龙岗区", "罗湖区")),
    ("浙江省", "杭州", ("西湖区", "余杭区", "滨江区", "拱墅区", "萧山区")),
    ("江苏省", "南京", ("鼓楼区", "玄武区", "江宁区", "建邺区")),
    ("江苏省", "苏州", ("姑苏区", "工业园区", "吴中区", "相城区")),
    ("四川省", "成都", ("武侯区", "锦江区", "高新区", "成华区", "双流区")),
    ("湖北省", "武汉", ("武昌区", "洪山区", "江汉区", "汉阳区")),
    ("陕西省", "西安", ("雁塔区", "未央区", "碑林区", "长安区")),
    ("重庆市", "重庆", ("渝北区", "江北区", "南岸区", "沙坪坝区")),
    ("天津市", "天津", ("南开区", "河西区", "和平区", "滨海新区")),
    ("湖南省", "长沙", ("岳麓区", "雨花区", "开福区", "天心区")),
    ("山东省", "青岛", ("市南区", "崂山区", "黄岛区", "李沧区")),
    ("山东省", "济南", ("历下区", "市中区", "槐荫区")),
    ("河南省", "郑州", ("金水区", "二七区", "郑东新区", "中原区")),
    ("福建省", "厦门", ("思明区", "湖里区", "集美区")),
    ("辽宁省", "沈阳", ("和平区", "沈河区", "浑南区")),
    ("安徽省", "合肥", ("蜀山区", "包河区", "庐阳区")),
    ("云南省", "昆明", ("五华区", "盘龙区", "官渡区")),
    ("黑龙江省", "哈尔滨", ("南岗区", "道里区", "香坊区")),
    ("广西壮族自治区", "南宁", ("青秀区", "西乡塘区")),
    ("新疆维吾尔自治区", "乌鲁木齐", ("天山区", "沙依巴克区")),
)  # fmt: skip

CITY_WEIGHTS = (14, 14, 10, 10, 9, 7, 6, 8, 6, 5, 6, 5, 5, 4, 3, 5, 3, 3, 3, 3, 2, 2, 1)

STREETS = (
    "建设路", "人民路", "中山路", "解放路", "文化路", "科技路", "长江路", "和平路", "光明街",
    "新华路", "学府路", "滨江大道", "世纪大道", "南京路", "胜利路", "花园路", "幸福路",
)  # fmt: skip
COMPOUNDS = (
    "阳光花园", "锦绣家园", "翠湖小区", "绿城桂花苑", "万科城", "碧桂园", "龙湖天街公寓",
    "保利香槟国际", "金地名京", "华润二十四城", "恒大名都", "世茂滨江", "中海国际社区",
)  # fmt: skip

# Cities with a sorting hub that parcels pass through ("杭州" -> 杭州转运中心).
HUB_CITIES = (
    "广州", "深圳", "东莞", "杭州", "上海", "南京", "武汉", "郑州", "成都", "西安", "北京", "长沙",
    "济南", "沈阳", "昆明",
)  # fmt: skip

CITY_EN = {
    "北京": "Beijing", "上海": "Shanghai", "广州": "Guangzhou", "深圳": "Shenzhen",
    "杭州": "Hangzhou", "南京": "Nanjing", "苏州": "Suzhou", "成都": "Chengdu", "武汉": "Wuhan",
    "西安": "Xi'an", "重庆": "Chongqing", "天津": "Tianjin", "长沙": "Changsha",
    "青岛": "Qingdao", "济南": "Jinan", "郑州": "Zhengzhou", "厦门": "Xiamen", "沈阳": "Shenyang",
    "合肥": "Hefei", "昆明": "Kunming", "哈尔滨": "Harbin", "南宁": "Nanning",
    "乌鲁木齐": "Urumqi", "东莞": "Dongguan",
}  # fmt: skip

CARRIER_EN = {
    "顺丰速运": "SF Express", "中通快递": "ZTO Express", "圆通速递": "YTO Express",
    "京东物流": "JD Logistics", "EMS": "China Post EMS",
}  # fmt: skip

ENGLISH_NAMES = (
    "Amy", "Leo", "Coco", "Kevin", "Lily", "Jack", "Vivian", "Eric", "Mia", "Ryan", "Grace",
    "Tony", "Cindy", "Jason", "Nina", "Sam", "Iris", "Ben", "Wendy", "Alex",
)  # fmt: skip

CARRIERS: tuple[tuple[str, int], ...] = (
    ("顺丰速运", 34),
    ("中通快递", 24),
    ("圆通速递", 18),
    ("京东物流", 16),
    ("EMS", 8),
)


_SURNAMES = Weighted((s, s[2]) for s in SURNAMES)
_DOMAINS = Weighted(EMAIL_DOMAINS)
_CITIES = Weighted(zip(CITIES, CITY_WEIGHTS, strict=True))


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    handle: str


def person(rng: random.Random) -> Person:
    """A Chinese name (one or two given characters) with its pinyin, for e-mail handles."""
    surname = _SURNAMES.pick(rng)
    chars = rng.sample(GIVEN_CHARS, 2 if rng.random() < 0.72 else 1)
    return Person(
        name=surname[0] + "".join(c[0] for c in chars),
        handle=surname[1] + "".join(c[1] for c in chars),
    )


def unique_people(rng: random.Random, count: int) -> list[Person]:
    """``count`` people whose names differ, for staff lists."""
    seen: set[str] = set()
    people: list[Person] = []
    while len(people) < count:
        candidate = person(rng)
        if candidate.name not in seen:
            seen.add(candidate.name)
            people.append(candidate)
    return people


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def masked_mobile(rng: random.Random) -> str:
    number = mobile(rng)
    return number[:3] + "****" + number[7:]


def email_for(rng: random.Random, handle: str) -> str:
    domain = _DOMAINS.pick(rng)
    if domain in ("qq.com", "foxmail.com") and rng.random() < 0.6:
        return f"{rng.randrange(10**7, 3 * 10**9)}@{domain}"
    style = rng.random()
    if style < 0.4:
        local = f"{handle}{rng.randrange(1970, 2006)}"
    elif style < 0.7:
        local = f"{handle}{rng.randrange(100, 1000)}"
    else:
        local = f"{handle}_{rng.choice(('cn', 'x', 'love', 'hz', 'sh', 'bj', 'sz'))}"
    return f"{local}@{domain}"


@dataclass(frozen=True, slots=True)
class Address:
    city: str
    text: str


def address(rng: random.Random) -> Address:
    province, city, districts = _CITIES.pick(rng)
    # Municipalities (北京市, 上海市...) are their own province.
    region = province if province.startswith(city) else f"{province}{city}市"
    building = f"{rng.randrange(1, 30)}栋{rng.randrange(1, 33)}{rng.randrange(1, 9):02d}室"
    street = f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号{rng.choice(COMPOUNDS)}"
    return Address(city=city, text=f"{region}{rng.choice(districts)}{street}{building}")
