"""Write the reader's test corpus: small exports shaped like the files analysts really have.

Run from the project root::

    .venv/bin/python tests/corpus/make_corpus.py

Every file is drawn from one seeded purchase process (numpy only, no segkit, so that the truth
does not come from the code under test). For each file the script first builds the frame of
lines it is about to write, computes the truth from that frame (rows, customers, signed revenue,
date range) and the decisions a reader should make (encoding, delimiter, number and date
formats, sheets, which column is which), then formats and writes the file. The truth goes to
``manifest.json``. The output is byte-for-byte the same on every run.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
MANIFEST = HERE / "manifest.json"
SEED = 20240305
NBSP = "\u00a0"


# --- the purchase process -----------------------------------------------------------------


@dataclass(frozen=True)
class Process:
    """BG/NBD-like purchasing: first purchase uniform in the acquisition window, then Poisson
    purchases at a gamma-distributed rate (per day) with a beta-distributed dropout after each."""

    n_customers: int
    start: str
    end: str
    acquisition: tuple[float, float] = (0.0, 1.0)  # fraction of the span in which first purchases fall
    rate_shape: float = 1.5
    rate_mean_days: float = 60.0  # mean days between purchases while active
    dropout_a: float = 1.0
    dropout_b: float = 4.0
    one_time_share: float | None = None  # exact share of customers with a single order, if set
    hours: tuple[int, int] = (8, 22)


def purchase_times(process: Process, rng: np.random.Generator) -> pd.DataFrame:
    """One row per order: ``customer`` (0..n-1) and ``time`` (second resolution), sorted by time."""
    start, end = pd.Timestamp(process.start), pd.Timestamp(process.end)
    span = (end - start).total_seconds() / 86400
    n = process.n_customers
    first = rng.uniform(process.acquisition[0] * span, process.acquisition[1] * span, n)
    rate = rng.gamma(process.rate_shape, 1.0 / (process.rate_shape * process.rate_mean_days), n)
    drop = rng.beta(process.dropout_a, process.dropout_b, n)
    single = np.zeros(n, dtype=bool)
    if process.one_time_share is not None:
        single[rng.permutation(n)[: round(process.one_time_share * n)]] = True
    customers, days = [], []
    for c in range(n):
        t = [first[c]]
        if not single[c]:
            while True:
                t_next = t[-1] + rng.exponential(1.0 / rate[c])
                if t_next >= span or (len(t) > 1 and rng.random() < drop[c]):
                    break
                t.append(t_next)
            if process.one_time_share is not None and len(t) == 1:  # a repeat buyer buys again
                t.append(rng.uniform(t[0] + 1, span))
        customers += [c] * len(t)
        days += t
    days = np.floor(np.asarray(days))
    lo, hi = process.hours
    seconds = rng.integers(lo * 3600, hi * 3600, len(days))
    time = start + pd.to_timedelta(days, unit="D") + pd.to_timedelta(seconds, unit="s")
    orders = pd.DataFrame({"customer": customers, "time": time})
    return orders[orders["time"] < end].sort_values(["time", "customer"], kind="stable").reset_index(drop=True)


def order_lines(orders: pd.DataFrame, rng: np.random.Generator, *, n_products: int, mean_lines: float,
                price_low: float, price_high: float, max_quantity: int = 6) -> pd.DataFrame:
    """Lines of each order: ``order`` (row of ``orders``), ``product`` (0..n_products-1, popularity-skewed),
    ``quantity`` and the product's list ``price`` (log-uniform between the bounds, two decimals)."""
    n_lines = 1 + rng.poisson(mean_lines - 1, len(orders))
    order = np.repeat(np.arange(len(orders)), n_lines)
    weights = 1.0 / np.arange(1, n_products + 1) ** 0.8
    product = rng.choice(n_products, len(order), p=weights / weights.sum())
    catalogue_rng = np.random.default_rng(n_products)  # the price list depends only on the catalogue size
    prices = np.round(np.exp(catalogue_rng.uniform(np.log(price_low), np.log(price_high), n_products)), 1) - 0.1
    prices = np.maximum(prices, 0.5).round(2)
    quantity = np.minimum(1 + rng.geometric(0.55, len(order)) - 1, max_quantity)
    lines = pd.DataFrame({"order": order, "product": product, "quantity": quantity, "price": prices[product]})
    return lines.drop_duplicates(["order", "product"]).reset_index(drop=True)


# --- the truth ------------------------------------------------------------------------------


def truth(customer: pd.Series, amount: pd.Series, date: pd.Series) -> dict:
    """Rows, distinct non-blank customers, signed revenue and date range of the lines as written."""
    ids = customer.astype("string").str.strip()
    ids = ids[ids.notna() & (ids != "")]
    return {
        "rows": int(len(amount)),
        "customers": int(ids.nunique()),
        "revenue": round(float(np.round(amount.astype(float), 2).sum()), 2),
        "date_min": pd.Timestamp(date.min()).isoformat(sep=" "),
        "date_max": pd.Timestamp(date.max()).isoformat(sep=" "),
    }


def money(value: float, *, decimal: str = ".", thousands: str = ",", prefix: str = "", suffix: str = "") -> str:
    """``1234.5`` -> ``'1,234.50'`` in the given style; negatives as ``-$1,234.50``."""
    text = f"{abs(value):,.2f}".replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    return f"{'-' if value < 0 else ''}{prefix}{text}{suffix}"


def write_text(path: Path, frame: pd.DataFrame, *, encoding: str, sep: str) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, sep=sep, index=False, lineterminator="\r\n")
    path.write_bytes(buffer.getvalue().encode(encoding))


# --- 1. a Taobao shop export: GBK, yuan with thousands commas, slashed dates --------------

CN_PRODUCTS = [
    "纯棉短袖T恤 男款", "加厚羽绒服 女 中长款", "不锈钢保温杯 500ml", "无线蓝牙耳机 降噪", "儿童益智积木 200粒",
    "有机绿茶 西湖龙井 250g", "手工陶瓷茶具套装", "真丝围巾 印花", "双肩背包 防水 大容量", "智能手环 心率监测",
    "乳胶枕头 护颈", "厨房刀具五件套", "天然蜂蜜 1kg", "瑜伽垫 加厚防滑", "机械键盘 青轴",
    "补水面膜 10片装", "夏季凉拖鞋 男女", "办公椅 人体工学", "LED台灯 护眼", "空气炸锅 4L",
    "电动牙刷 声波", "四件套 床上用品 纯棉", "坚果礼盒 1.5kg", "运动跑鞋 透气", "折叠雨伞 自动",
    "手机壳 防摔", "充电宝 20000毫安", "不粘锅 炒锅 32cm", "毛绒玩具 大熊", "笔记本 A5 皮面",
]
CN_NICKNAMES = ["小明的店", "快乐的猫", "天天向上", "风之子", "静水流深", "阿里巴巴", "晴天娃娃", "小鱼儿", "大白兔", "云中漫步"]


def gbk_taobao(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    orders = purchase_times(Process(900, "2023-07-01", "2024-07-01", rate_mean_days=50), rng)
    lines = order_lines(orders, rng, n_products=len(CN_PRODUCTS), mean_lines=1.6, price_low=9.9, price_high=2999)
    n = len(orders)
    members = np.array([f"tb{rng.integers(10**8, 10**9)}" for _ in range(900)], dtype=object)
    nick = rng.choice(900, len(CN_NICKNAMES), replace=False)
    members[nick] = CN_NICKNAMES  # some members are Chinese nicknames
    order_no = 3 * 10**18 + 10**17 + np.cumsum(rng.integers(10**9, 10**12, n))  # increasing 19-digit numbers
    o = orders.loc[lines["order"]].reset_index(drop=True)
    time = o["time"].dt.floor("min")
    gross = (lines["quantity"] * lines["price"]).round(2)
    discount = np.where(rng.random(len(lines)) < 0.25, (gross * rng.choice([0.05, 0.1, 0.2], len(lines))).round(2), 0.0)
    paid = (gross - discount).round(2)
    paid[rng.random(len(lines)) < 0.02] = 0.0  # gifts (赠品) paid nothing
    frame = pd.DataFrame({
        "订单编号": order_no[lines["order"]].astype(str),
        "会员ID": members[o["customer"]],
        "下单时间": [f"{t.year}/{t.month}/{t.day} {t.hour:02d}:{t.minute:02d}" for t in time],
        "商品编码": [f"SKU{p + 1:05d}" for p in lines["product"]],
        "商品名称": [CN_PRODUCTS[p] for p in lines["product"]],
        "数量": lines["quantity"].astype(str),
        "单价": [money(v, prefix="￥") for v in lines["price"]],
        "实付金额": [money(v, prefix="￥") for v in paid],
    })
    manifest = {
        **truth(frame["会员ID"], pd.Series(paid), time),
        "amount_rule": "实付金额 (amount paid for the line, after discounts; 0 for gifts)",
        "expected": {
            "encoding": "gbk", "encoding_also_accepted": ["gb18030"], "delimiter": ",", "decimal": ".",
            "thousands": ",", "currency": "￥", "date_format": "%Y/%m/%d %H:%M", "sheets": None,
            "order_id": "column",
        },
        "columns": {"order_id": "订单编号", "customer_id": "会员ID", "order_date": "下单时间", "product_id": "商品编码",
                    "description": "商品名称", "quantity": "数量", "unit_price": "单价", "amount": "实付金额"},
        "traps": ["19-digit order numbers (lose digits if read as float)", "Chinese nicknames as member ids",
                  "quoted amounts with thousands commas in a comma-separated file", "zero-paid gift lines"],
    }
    write_text(FILES / "gbk_taobao.csv", frame, encoding="gbk", sep=",")
    return frame, manifest


# --- 2. a 1C export: cp1251, semicolons, decimal commas, NBSP thousands, day-first dates ----

RU_PRODUCTS = [
    ("Сахар-песок, кг", True), ("Мука пшеничная в/с, кг", True), ("Гречка ядрица, кг", True),
    ("Масло подсолнечное 1 л", False), ("Чай черный \"Беседа\" 100 пак.", False), ("Кофе молотый 250 г", False),
    ("Бумага офисная А4, 500 л.", False), ("Картридж HP 85A", False), ("Перчатки рабочие х/б", False),
    ("Моющее средство 5 л", False), ("Сыр \"Российский\", кг", True), ("Колбаса вареная, кг", True),
    ("Краска водоэмульсионная 10 кг", False), ("Саморезы 3,5х25, кг", True), ("Лампа светодиодная 12 Вт", False),
    ("Удлинитель 5 м", False), ("Вода питьевая 19 л", False), ("Стул офисный", False),
    ("Монитор 24\"", False), ("Ноутбук 15,6\"", False),
]
RU_ROOTS = ["Ромашка", "Вектор", "СтройМаш", "Техносфера", "Альфа", "Северсталь", "Лесная поляна", "Меркурий",
            "Гарант", "Орион", "Восход", "Импульс", "Прогресс", "Сибирь", "Волга", "Урал", "Заря", "Монолит",
            "Кристалл", "Радуга"]
RU_ENDINGS = ["", "-Трейд", "-Сервис", " Плюс", "-Снаб", "-М", " Строй", "-Юг", " Групп", "-Опт", " и К", "-Логистик", "-Центр"]
RU_SURNAMES = ["Иванов И.И.", "Петрова А.С.", "Сидоров П.П.", "Кузнецов Д.А.", "Смирнова Е.В.", "Попов С.Н."]


def ru_counterparties(n: int) -> list[str]:
    """Company names as 1C writes them: legal form, then the name in quotes; sole traders without quotes."""
    forms = ["ООО", "ООО", "ООО", "АО", "ЗАО"]
    names = [f'{forms[i % len(forms)]} "{RU_ROOTS[i % len(RU_ROOTS)]}{RU_ENDINGS[i // len(RU_ROOTS)]}"'
             for i in range(len(RU_ROOTS) * len(RU_ENDINGS))]
    return [f"ИП {s}" for s in RU_SURNAMES] + names[: n - len(RU_SURNAMES)]


def onec_cp1251(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    orders = purchase_times(Process(260, "2023-01-09", "2024-12-28", rate_mean_days=25, dropout_b=10, hours=(9, 18)), rng)
    orders = orders[orders["time"].dt.day_of_week < 5].reset_index(drop=True)  # business days
    lines = order_lines(orders, rng, n_products=len(RU_PRODUCTS), mean_lines=2.5, price_low=45, price_high=65000,
                        max_quantity=40)
    by_weight = np.array([RU_PRODUCTS[p][1] for p in lines["product"]])
    qty = np.where(by_weight, np.round(rng.gamma(2.0, 2.0, len(lines)) + 0.25, 3), lines["quantity"] * rng.choice([1, 2, 5, 10], len(lines)))
    lines = lines.assign(quantity=qty.astype(float))
    names = np.array(ru_counterparties(260), dtype=object)
    o = orders.loc[lines["order"]].reset_index(drop=True)
    doc = pd.Series(np.arange(1, len(orders) + 1))[lines["order"]].to_numpy()
    frame = pd.DataFrame({
        "kind": "Реализация товаров и услуг", "number": doc, "time": o["time"], "customer": names[o["customer"]],
        "product": [RU_PRODUCTS[p][0] for p in lines["product"]], "quantity": lines["quantity"], "price": lines["price"],
    })
    # returns: a few sales come back in part, on a later return document with negative quantity and sum
    back = frame.sample(n=40, random_state=int(rng.integers(2**31))).sort_index()
    back = back.assign(kind="Возврат товаров от покупателя", number=np.arange(1, len(back) + 1),
                       time=back["time"] + pd.to_timedelta(rng.integers(2, 20, len(back)), unit="D"),
                       quantity=-np.where(back["quantity"] % 1 == 0, np.ceil(back["quantity"] / 2), np.round(back["quantity"] / 2, 3)))
    back = back[back["time"] < pd.Timestamp("2024-12-28")]
    frame = pd.concat([frame, back]).sort_values(["time", "kind", "number"], kind="stable").reset_index(drop=True)
    frame["sum"] = (frame["quantity"] * frame["price"]).round(2)

    def number(v: float, decimals: int) -> str:
        return f"{v:,.{decimals}f}".replace(",", NBSP).replace(".", ",")

    out = pd.DataFrame({
        "Документ": [f"{k} {n:08d} от {t:%d.%m.%Y %H:%M:%S}" for k, n, t in zip(frame["kind"], frame["number"], frame["time"])],
        "Дата": frame["time"].dt.strftime("%d.%m.%Y %H:%M:%S"),
        "Контрагент": frame["customer"],
        "Номенклатура": frame["product"],
        "Количество": [number(v, 3) for v in frame["quantity"]],
        "Цена": [number(v, 2) for v in frame["price"]],
        "Сумма": [number(v, 2) for v in frame["sum"]],
    })
    days_above_12 = int((frame["time"].dt.day > 12).sum())
    manifest = {
        **truth(out["Контрагент"], frame["sum"], frame["time"]),
        "amount_rule": "Сумма (signed: return documents are negative)",
        "return_rows": int((frame["quantity"] < 0).sum()),
        "expected": {
            "encoding": "cp1251", "delimiter": ";", "decimal": ",", "thousands": NBSP, "currency": None,
            "date_format": "%d.%m.%Y %H:%M:%S", "sheets": None, "order_id": "column",
            "evidence": f"{days_above_12} of {len(frame)} dates have a day above 12",
        },
        "columns": {"order_id": "Документ", "customer_id": "Контрагент", "order_date": "Дата",
                    "description": "Номенклатура", "quantity": "Количество", "unit_price": "Цена", "amount": "Сумма"},
        "traps": ["quantities with three decimals ('2,000' is two, '0,250' a quarter kilo)",
                  "no-break-space thousands ('1 234,50')", "doubled quotes inside quoted fields (ООО \"Ромашка\")",
                  "return documents with negative quantity and sum", "product names containing ';'-free commas"],
    }
    write_text(FILES / "onec_cp1251.csv", out, encoding="cp1251", sep=";")
    return out, manifest


# --- 3. the UCI Online Retail II workbook: two sheets, Excel datetimes, float ids ------------

UK_PRODUCTS = [
    (85123, "WHITE HANGING HEART T-LIGHT HOLDER", 2.55), (71053, "WHITE METAL LANTERN", 3.39),
    ("84406B", "CREAM CUPID HEARTS COAT HANGER", 2.75), ("84029G", "KNITTED UNION FLAG HOT WATER BOTTLE", 3.39),
    (22752, "SET 7 BABUSHKA NESTING BOXES", 7.65), (21730, "GLASS STAR FROSTED T-LIGHT HOLDER", 4.25),
    (22633, "HAND WARMER UNION JACK", 1.85), (22632, "HAND WARMER RED POLKA DOT", 1.85),
    (84879, "ASSORTED COLOUR BIRD ORNAMENT", 1.69), (22745, "POPPY'S PLAYHOUSE BEDROOM", 2.10),
    (22748, "POPPY'S PLAYHOUSE KITCHEN", 2.10), (22310, "IVORY KNITTED MUG COSY", 1.65),
    (84969, "BOX OF 6 ASSORTED COLOUR TEASPOONS", 4.25), (22623, "BOX OF VINTAGE JIGSAW BLOCKS", 4.95),
    (22622, "BOX OF VINTAGE ALPHABET BLOCKS", 9.95), (21754, "HOME BUILDING BLOCK WORD", 5.95),
    (21755, "LOVE BUILDING BLOCK WORD", 5.95), (21777, "RECIPE BOX WITH METAL HEART", 7.95),
    (48187, "DOORMAT NEW ENGLAND", 7.95), (22960, "JAM MAKING SET WITH JARS", 4.25),
    ("85099B", "JUMBO BAG RED RETROSPOT", 1.95), (23166, "MEDIUM CERAMIC TOP STORAGE JAR", 1.04),
    (22423, "REGENCY CAKESTAND 3 TIER", 12.75), (47566, "PARTY BUNTING", 4.95),
    (20725, "LUNCH BAG RED RETROSPOT", 1.65), (22720, "SET OF 3 CAKE TINS PANTRY DESIGN", 4.95),
    (21212, "PACK OF 72 RETROSPOT CAKE CASES", 0.55), (22457, "NATURAL SLATE HEART CHALKBOARD", 2.95),
    ("15056N", "EDWARDIAN PARASOL NATURAL", 5.95), (22197, "POPCORN HOLDER", 0.85),
]
UK_COUNTRIES = ["United Kingdom", "Germany", "France", "EIRE", "Netherlands", "Spain", "Belgium", "Switzerland", "Australia"]
UK_COUNTRY_P = [0.84, 0.04, 0.035, 0.025, 0.02, 0.015, 0.01, 0.01, 0.005]
UK_HEADER = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]
UK_SHEETS = {"Year 2009-2010": ("2009-12-01", "2010-12-10"), "Year 2010-2011": ("2010-12-01", "2011-12-10")}


def _uk_lines(rng: np.random.Generator) -> pd.DataFrame:
    orders = purchase_times(Process(560, "2009-12-01", "2011-12-10", rate_mean_days=70, dropout_b=6, hours=(7, 20)), rng)
    lines = order_lines(orders, rng, n_products=len(UK_PRODUCTS), mean_lines=3.0, price_low=1, price_high=2, max_quantity=4)
    ids = 12346 + np.sort(rng.choice(6000, 560, replace=False))
    country = rng.choice(UK_COUNTRIES, 560, p=UK_COUNTRY_P)
    o = orders.loc[lines["order"]].reset_index(drop=True)
    guest = rng.random(len(orders)) < 0.12  # guest invoices: no Customer ID on any of their lines
    pack = rng.choice([1, 2, 3, 6, 12, 24], len(lines), p=[0.3, 0.15, 0.1, 0.2, 0.2, 0.05])
    frame = pd.DataFrame({
        "Invoice": (489434 + lines["order"]).astype(object),
        "StockCode": [UK_PRODUCTS[p][0] for p in lines["product"]],
        "Description": [UK_PRODUCTS[p][1] for p in lines["product"]],
        "Quantity": lines["quantity"] * pack,
        "InvoiceDate": o["time"].dt.floor("min"),
        "Price": [UK_PRODUCTS[p][2] for p in lines["product"]],
        "Customer ID": np.where(guest[lines["order"]], np.nan, ids[o["customer"]].astype(float)),
        "Country": country[o["customer"]],
    })
    frame.loc[rng.random(len(frame)) < 0.004, "Price"] = 0.0  # zero-price lines
    # cancellations: a 'C' invoice later on, negative quantity of a customer's line
    sold = frame[frame["Customer ID"].notna()].sample(n=70, random_state=int(rng.integers(2**31)))
    cancel = sold.assign(Invoice=[f"C{v}" for v in 500000 + np.arange(len(sold))], Quantity=-sold["Quantity"],
                         InvoiceDate=sold["InvoiceDate"] + pd.to_timedelta(rng.integers(60, 30 * 24 * 60, len(sold)), unit="min"))
    # adjustments and charges: manual, postage, bank charges, a bad-debt adjustment
    when = pd.to_datetime(rng.choice(frame["InvoiceDate"].to_numpy(), 12))
    adjust = pd.DataFrame({
        "Invoice": [f"C{v}" for v in range(510000, 510003)] + list(range(520000, 520008)) + ["A520100"],
        "StockCode": ["M", "M", "BANK CHARGES", "POST", "POST", "POST", "M", "M", "BANK CHARGES", "POST", "D", "B"],
        "Description": ["Manual", "Manual", "Bank Charges", "POSTAGE", "POSTAGE", "POSTAGE", "Manual", "Manual",
                        "Bank Charges", "POSTAGE", "Discount", "Adjust bad debt"],
        "Quantity": [-1, -1, -1, 1, 2, 1, 1, 1, 1, 3, -1, 1],
        "InvoiceDate": when.floor("min"),
        "Price": [35.0, 4.95, 15.0, 18.0, 18.0, 40.0, 0.85, 125.0, 15.0, 28.0, 12.3, -1136.41],
        "Customer ID": [float(ids[i]) for i in rng.choice(560, 11)] + [np.nan],
        "Country": "United Kingdom",
    })
    frame = pd.concat([frame, cancel, adjust]).sort_values("InvoiceDate", kind="stable").reset_index(drop=True)
    frame["InvoiceDate"] = frame["InvoiceDate"].clip(upper=pd.Timestamp("2011-12-09 20:00"))
    return frame


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(UK_HEADER)
        for row in frame.itertuples(index=False):
            values = [None if (isinstance(v, float) and np.isnan(v)) else v for v in row]
            values[4] = values[4].to_pydatetime()
            values[3] = int(values[3])
            sheet.append(values)
        for cell in sheet["E"][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
    fixed = datetime(2024, 1, 1)
    book.properties.created = book.properties.modified = fixed
    raw = io.BytesIO()
    book.save(raw)
    # zip entries carry the time of writing; rewrite them with a fixed time so the file is reproducible
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


def online_retail_ii(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    frame = _uk_lines(rng)
    sheets = {name: frame[(frame["InvoiceDate"] >= lo) & (frame["InvoiceDate"] < hi)].reset_index(drop=True)
              for name, (lo, hi) in UK_SHEETS.items()}
    both = pd.concat(sheets.values(), ignore_index=True)  # as a reader that stacks the sheets sees it
    ids = both["Customer ID"].map(lambda v: "" if np.isnan(v) else str(int(v)))
    manifest = {
        **truth(ids, both["Quantity"] * both["Price"], both["InvoiceDate"]),
        "amount_rule": "Quantity * Price over the lines of both sheets stacked (the overlap counted twice)",
        "rows_per_sheet": {name: len(s) for name, s in sheets.items()},
        "overlap_rows": int(len(both) - len(frame)),
        "guest_rows": int(both["Customer ID"].isna().sum()),
        "cancellation_rows": int(both["Invoice"].astype(str).str.startswith("C").sum()),
        "zero_price_rows": int((both["Price"] == 0).sum()),
        "expected": {
            "encoding": None, "delimiter": None, "decimal": None, "thousands": None, "currency": None,
            "date_format": "excel datetime", "sheets": list(UK_SHEETS), "order_id": "column",
        },
        "columns": {"order_id": "Invoice", "product_id": "StockCode", "description": "Description",
                    "quantity": "Quantity", "order_date": "InvoiceDate", "unit_price": "Price",
                    "customer_id": "Customer ID", "country": "Country"},
        "traps": ["two sheets with the same header, overlapping 2010-12-01..09 as the real file does",
                  "Customer ID as floats (12346.0) with blanks for guest invoices",
                  "Invoice and StockCode columns mixing numbers and text ('C' cancellations, '84406B')",
                  "adjustment lines: M, POST, BANK CHARGES, D (discount), B (bad debt, negative price)",
                  "zero prices"],
    }
    _write_xlsx(FILES / "online_retail_ii.xlsx", sheets)
    return both, manifest


# --- 4. a Shopify order export: one row per line item, order fields on the first row only ---

SHOP_PRODUCTS = [
    ("Organic Cotton Tee - S", "TEE-ORG-S", 24.95), ("Organic Cotton Tee - M", "TEE-ORG-M", 24.95),
    ("Organic Cotton Tee - L", "TEE-ORG-L", 24.95), ("Merino Beanie - Charcoal", "BEAN-MER-CH", 34.00),
    ("Canvas Tote Bag", "TOTE-CNV", 19.50), ("Ceramic Pour-Over Set", "POUR-CER", 58.00),
    ("Single Origin Coffee 250g", "COF-SO-250", 12.90), ("Single Origin Coffee 1kg", "COF-SO-1K", 39.90),
    ("Linen Apron", "APR-LIN", 42.00), ("Gift Card €25", "GIFT-25", 25.00), ("Gift Card €50", "GIFT-50", 50.00),
    ("Enamel Mug", "MUG-ENM", 16.00), ("Wool Socks (2-pack)", "SOCK-WL-2", 21.00), ("Leather Wallet", "WAL-LTH", 79.00),
    ("Recycled Notebook A5", "NB-A5-REC", 9.50), ("Sticker Pack", "STK-PACK", 4.00),
]
FIRST_NAMES = ["anna", "ben", "clara", "david", "eva", "felix", "greta", "hannah", "jonas", "lea", "lukas", "marie",
               "noah", "paul", "sophie", "tim", "julia", "max", "emma", "leon", "mia", "elias", "lina", "finn"]
DOMAINS = ["gmail.com", "web.de", "gmx.de", "outlook.com", "icloud.com", "t-online.de", "yahoo.com"]


def shopify_orders(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    orders = purchase_times(Process(480, "2023-09-01", "2024-09-01", rate_mean_days=80, dropout_b=3), rng)
    lines = order_lines(orders, rng, n_products=len(SHOP_PRODUCTS), mean_lines=1.9, price_low=1, price_high=2, max_quantity=3)
    lines["price"] = [SHOP_PRODUCTS[p][2] for p in lines["product"]]
    emails = np.array([f"{FIRST_NAMES[i % len(FIRST_NAMES)]}.{rng.choice(FIRST_NAMES)[::-1]}{i}@{rng.choice(DOMAINS)}"
                       for i in range(480)], dtype=object)
    n = len(orders)
    local = orders["time"].dt.tz_localize("Europe/Berlin", nonexistent="shift_forward", ambiguous=False)
    offset = local.map(lambda t: t.strftime("%z"))
    status = rng.choice(["paid", "refunded", "partially_refunded"], n, p=[0.92, 0.05, 0.03])
    pos = rng.random(n) < 0.04  # point-of-sale orders without an email
    code = np.where(rng.random(n) < 0.15, rng.choice(["WELCOME10", "SUMMER15", "VIP20"], n), "")
    rate = np.select([code == "WELCOME10", code == "SUMMER15", code == "VIP20"], [0.10, 0.15, 0.20], 0.0)
    line_total = (lines["quantity"] * lines["price"]).round(2)
    items = line_total.groupby(lines["order"]).sum().reindex(range(n), fill_value=0.0).to_numpy()
    discount = (items * rate).round(2)
    subtotal = (items - discount).round(2)
    shipping = np.where(subtotal >= 50, 0.0, 4.90)
    total = (subtotal + shipping).round(2)
    taxes = (total * 19 / 119).round(2)
    refunded = np.select([status == "refunded", status == "partially_refunded"], [total, (total * 0.4).round(2)], 0.0)
    first = ~lines["order"].duplicated()
    o = lines["order"].to_numpy()

    def order_field(values, blank=""):
        return np.where(first, np.asarray(values, dtype=object)[o], blank)

    created = orders["time"].dt.strftime("%Y-%m-%d %H:%M:%S") + " " + offset
    paid_at = (orders["time"] + pd.to_timedelta(rng.integers(5, 120, n), unit="s")).dt.strftime("%Y-%m-%d %H:%M:%S") + " " + offset
    email = np.where(pos, "", emails[orders["customer"]])
    frame = pd.DataFrame({
        "Name": [f"#{1001 + i}" for i in o],
        "Email": email[o],
        "Financial Status": order_field(status),
        "Paid at": order_field(paid_at),
        "Fulfillment Status": order_field(np.where(status == "refunded", "unfulfilled", "fulfilled")),
        "Fulfilled at": order_field(np.where(status == "refunded", "", (orders["time"] + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d %H:%M:%S") + " " + offset)),
        "Accepts Marketing": order_field(np.where(rng.random(n) < 0.4, "yes", "no")),
        "Currency": order_field(np.full(n, "EUR")),
        "Subtotal": order_field([f"{v:.2f}" for v in subtotal]),
        "Shipping": order_field([f"{v:.2f}" for v in shipping]),
        "Taxes": order_field([f"{v:.2f}" for v in taxes]),
        "Total": order_field([f"{v:.2f}" for v in total]),
        "Discount Code": order_field(code),
        "Discount Amount": order_field([f"{v:.2f}" for v in discount]),
        "Shipping Method": order_field(np.where(pos, "", "Standard")),
        "Created at": created.to_numpy()[o],
        "Lineitem quantity": lines["quantity"].astype(str),
        "Lineitem name": [SHOP_PRODUCTS[p][0] for p in lines["product"]],
        "Lineitem price": [f"{v:.2f}" for v in lines["price"]],
        "Lineitem compare at price": "",
        "Lineitem sku": [SHOP_PRODUCTS[p][1] for p in lines["product"]],
        "Lineitem requires shipping": np.where(lines["product"].isin([9, 10]), "false", "true"),
        "Lineitem taxable": "true",
        "Lineitem fulfillment status": np.where(status[o] == "refunded", "pending", "fulfilled"),
        "Billing Name": order_field(np.where(pos, "", [e.split("@")[0].replace(".", " ").title() for e in emails[orders["customer"]]])),
        "Billing Country": order_field(np.where(rng.random(n) < 0.85, "DE", rng.choice(["AT", "CH", "NL", "FR"], n))),
        "Notes": "",
        "Cancelled at": order_field(np.where(status == "refunded", paid_at, "")),
        "Payment Method": order_field(np.where(pos, "Cash", rng.choice(["Shopify Payments", "PayPal Express Checkout", "Klarna"], n))),
        "Refunded Amount": order_field([f"{v:.2f}" for v in refunded]),
        "Vendor": "Northwind Goods",
        "Id": order_field([str(5_400_000_000_000 + 7919 * i) for i in range(n)]),
        "Source": order_field(np.where(pos, "pos", "web")),
    })
    manifest = {
        **truth(frame["Email"], lines["quantity"] * lines["price"], orders["time"].iloc[o]),
        "amount_rule": "Lineitem quantity * Lineitem price, every line item (refunded orders included)",
        "date_note": "dates are the local wall-clock times written in 'Created at' (offsets +0100 and +0200 dropped)",
        "orders": n,
        "refunded_orders": int((status == "refunded").sum()),
        "partially_refunded_orders": int((status == "partially_refunded").sum()),
        "rows_without_email": int((frame["Email"] == "").sum()),
        "expected": {
            "encoding": "utf-8", "delimiter": ",", "decimal": ".", "thousands": None, "currency": None,
            "date_format": "%Y-%m-%d %H:%M:%S %z", "sheets": None, "order_id": "column",
        },
        "columns": {"order_id": "Name", "customer_id": "Email", "order_date": "Created at",
                    "quantity": "Lineitem quantity", "unit_price": "Lineitem price", "product_id": "Lineitem sku",
                    "description": "Lineitem name", "country": "Billing Country"},
        "traps": ["order-level fields (Paid at, Total, Financial Status, Billing Country) only on an order's first row",
                  "'Created at' with UTC offsets that change with daylight saving time",
                  "'Paid at' and 'Fulfilled at' are dates too, but not the order date", "POS orders without email",
                  "refunded orders keep positive line prices ('Financial Status' refunded, 'Refunded Amount')"],
    }
    write_text(FILES / "shopify_orders.csv", frame, encoding="utf-8", sep=",")
    return frame, manifest


# --- 5. CDNOW-like: no order id, YYYYMMDD dates, a closed cohort ----------------------------


def cdnow_style(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    process = Process(1200, "1997-01-01", "1998-07-01", acquisition=(0.0, 84 / 546), rate_mean_days=90, dropout_b=2.5)
    orders = purchase_times(process, rng)
    cds = np.minimum(rng.geometric(0.6, len(orders)), 12)
    price = rng.choice([11.77, 12.49, 13.97, 14.96, 15.99, 16.99], len(orders))
    dollars = (cds * price * rng.uniform(0.85, 1.05, len(orders))).round(2)
    dollars[rng.random(len(orders)) < 0.01] = 0.0  # promotional lines at $0.00
    date = orders["time"].dt.normalize()
    frame = pd.DataFrame({
        "customer_id": [f"{c + 1:05d}" for c in orders["customer"]],
        "date": date.dt.strftime("%Y%m%d"),
        "number_of_cds": cds.astype(str),
        "dollar_value": [f"{v:.2f}" for v in dollars],
    })
    firsts = date.groupby(orders["customer"]).min()
    manifest = {
        **truth(frame["customer_id"], pd.Series(dollars), date),
        "amount_rule": "dollar_value",
        "zero_amount_rows": int((dollars == 0).sum()),
        "last_first_purchase": str(firsts.max().date()),
        "same_day_repeat_rows": int(frame.duplicated(["customer_id", "date"]).sum()),
        "expected": {
            "encoding": "utf-8", "delimiter": ",", "decimal": ".", "thousands": None, "currency": None,
            "date_format": "%Y%m%d", "sheets": None, "order_id": "none: one order per customer and date",
        },
        "columns": {"customer_id": "customer_id", "order_date": "date", "quantity": "number_of_cds",
                    "amount": "dollar_value"},
        "traps": ["no order id", "dates as 8-digit numbers", "customer ids with leading zeros",
                  "closed cohort: every first purchase in the first 12 weeks of 18 months",
                  "$0.00 lines", "no unit price"],
    }
    write_text(FILES / "cdnow_style.csv", frame, encoding="utf-8", sep=",")
    return frame, manifest


# --- 6. a small US shop: 150 customers, month-first dates, dollar amounts ---------------------

US_FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
            "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Chris", "Karen"]
US_LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
           "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "Martin", "Lee", "O'Brien"]
US_PRODUCTS = {"Espresso Machine": 1249.00, "Burr Grinder": 329.95, "Milk Frother": 89.50, "Coffee Beans 5lb": 74.99,
               "Descaler Kit": 19.99, "Tamper": 34.00, "Knock Box": 27.50, "Travel Mug": 24.95, "Cold Brew Maker": 45.00,
               "Scale": 59.99, "Gooseneck Kettle": 149.00, "Filter Papers (100)": 8.49, "Commercial Espresso Machine": 4890.00}


def small_shop(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    orders = purchase_times(Process(150, "2023-06-01", "2024-12-01", rate_mean_days=45, dropout_b=6, hours=(6, 23)), rng)
    lines = order_lines(orders, rng, n_products=len(US_PRODUCTS), mean_lines=1.5, price_low=1, price_high=2, max_quantity=3)
    lines["price"] = np.array(list(US_PRODUCTS.values()))[lines["product"]]
    pairs = rng.choice(len(US_FIRST) * len(US_LAST), 150, replace=False)
    names = np.array([f"{US_FIRST[p // len(US_LAST)]} {US_LAST[p % len(US_LAST)]}" for p in pairs], dtype=object)
    o = orders.loc[lines["order"]].reset_index(drop=True)
    time = o["time"].dt.floor("min")
    frame = pd.DataFrame({
        "Order ID": [f"SO-{10000 + i}" for i in lines["order"]],
        "Customer": names[o["customer"]],
        "Order Date": [f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}" for t in time],
        "Product": np.array(list(US_PRODUCTS))[lines["product"]],
        "Qty": lines["quantity"].astype(str),
        "Unit Price": [money(v, prefix="$") for v in lines["price"]],
    })
    manifest = {
        **truth(frame["Customer"], lines["quantity"] * lines["price"], time),
        "amount_rule": "Qty * Unit Price",
        "expected": {
            "encoding": "utf-8", "delimiter": ",", "decimal": ".", "thousands": ",", "currency": "$",
            "date_format": "%m/%d/%Y %H:%M", "sheets": None, "order_id": "column",
            "evidence": f"{int((time.dt.day > 12).sum())} of {len(time)} dates have a day above 12 in the second place",
        },
        "columns": {"order_id": "Order ID", "customer_id": "Customer", "order_date": "Order Date",
                    "product_id": "Product", "quantity": "Qty", "unit_price": "Unit Price"},
        "traps": ["150 customers only", "month-first dates without zero padding ('12/1/2024 8:26')",
                  "'$1,234.50' prices", "customer names as ids (one with an apostrophe)",
                  "no country, channel, category or discount columns", "product names, not codes"],
    }
    write_text(FILES / "small_shop.csv", frame, encoding="utf-8", sep=",")
    return frame, manifest


# --- 7. one-time buyers: amount only, refunds and free items --------------------------------


def one_timers(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    n = 1000
    orders = purchase_times(Process(n, "2024-01-01", "2024-12-31", rate_mean_days=40, one_time_share=0.70), rng)
    amount = np.round(rng.gamma(2.0, 30.0, len(orders)) + 5, 2)
    frame = pd.DataFrame({
        "customer_id": [f"U{c:06d}" for c in 100000 + orders["customer"] * 37],
        "order_id": [f"O{500000 + i}" for i in range(len(orders))],
        "order_date": orders["time"].dt.floor("s"),
        "amount": amount,
    })
    # free items: an extra zero-amount order for some repeat buyers
    repeat = frame[frame.duplicated("customer_id", keep=False)].drop_duplicates("customer_id")
    free = repeat.sample(frac=0.1, random_state=int(rng.integers(2**31)))
    free = free.assign(order_id=[f"O{600000 + i}" for i in range(len(free))], amount=0.0,
                       order_date=free["order_date"] + pd.Timedelta(days=3))
    # refunds: a later negative line on its own id, part or all of the order
    refund = frame.sample(n=60, random_state=int(rng.integers(2**31)))
    share = np.where(rng.random(len(refund)) < 0.3, 1.0, rng.uniform(0.2, 0.6, len(refund)))
    refund = refund.assign(order_id="R" + refund["order_id"].str[1:], amount=-(refund["amount"] * share).round(2),
                           order_date=refund["order_date"] + pd.to_timedelta(rng.integers(1, 15, len(refund)), unit="D"))
    frame = pd.concat([frame, free, refund]).sort_values(["order_date", "order_id"], kind="stable").reset_index(drop=True)
    frame["amount"] = frame["amount"].astype(float)
    purchases = frame[frame["amount"] >= 0].groupby("customer_id")["order_id"].nunique()
    manifest = {
        **truth(frame["customer_id"], frame["amount"], frame["order_date"]),
        "amount_rule": "amount (signed: refunds negative, free items 0)",
        "one_order_share": round(float((purchases == 1).mean()), 4),
        "one_order_share_paid": round(float((frame[frame["amount"] > 0].groupby("customer_id")["order_id"].nunique() == 1).mean()), 4),
        "refund_rows": int((frame["amount"] < 0).sum()),
        "zero_amount_rows": int((frame["amount"] == 0).sum()),
        "expected": {
            "encoding": None, "delimiter": None, "decimal": None, "thousands": None, "currency": None,
            "date_format": "parquet timestamp", "sheets": None, "order_id": "column",
        },
        "columns": {"customer_id": "customer_id", "order_id": "order_id", "order_date": "order_date", "amount": "amount"},
        "traps": ["70% of customers buy once (tied frequency scores)", "amount only: no quantity, no unit price",
                  "refunds as negative amounts on their own ids", "zero-amount free items", "no product ids"],
    }
    frame.to_parquet(FILES / "one_timers.parquet", index=False, engine="pyarrow", compression="zstd")
    return frame, manifest


BUILDERS = {
    "gbk_taobao.csv": gbk_taobao,
    "onec_cp1251.csv": onec_cp1251,
    "online_retail_ii.xlsx": online_retail_ii,
    "shopify_orders.csv": shopify_orders,
    "cdnow_style.csv": cdnow_style,
    "small_shop.csv": small_shop,
    "one_timers.parquet": one_timers,
}


def main() -> dict:
    FILES.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for i, (name, build) in enumerate(BUILDERS.items()):
        _, truth_ = build(np.random.default_rng([SEED, i]))  # one stream per file: files change independently
        manifest[name] = {"bytes": (FILES / name).stat().st_size, **truth_}
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    for name, entry in main().items():
        print(f"{name:24s} {entry['rows']:6d} rows {entry['customers']:5d} customers "
              f"{entry['revenue']:14,.2f} revenue  {entry['date_min'][:10]}..{entry['date_max'][:10]}  {entry['bytes']:,} bytes")
