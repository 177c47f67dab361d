"""The V-Ti works model: parameters per t crude steel -> BOM lines per declared unit.

    direct CO2 = (sum of carbon in - sum of carbon out) x 44/12           IPCC 2006 Vol. 3 Eq. 4.9
    the works' lines per t crude steel: direct CO2, purchased electricity, purchased coke /
      sinter / pellets and ferroalloys (IPCC Tier 1 process CO2)
    allocation between 1 t crude steel and m kg vanadium slag:
      mass              steel share = 1000 / (1000 + m)
      economic          steel share = 1 x P_steel / (1 x P_steel + m/1000 x P_slag)
      system expansion  steel share = 1, and a credit of m x 14.9 kg CO2e (avoided slag)
    crude steel, per t:    every works line x steel share
    vanadium slag, per t:  every works line x slag share x 1000/m   (mass, economic)
                           1000 kg x 14.9 kg CO2e/kg                (system expansion)
    V2O5, electrolyte, per kg: 1 kg x the indicative cradle-to-gate factor

Each line's note carries its formula in English (``note``) and Chinese (``note_zh``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import data
from .products import PLANT_PRODUCTS, PRODUCTS

CO2_PER_C = 44 / 12
STEEL_KG = 1000.0  # the reference: 1 t of crude steel
NOTE_MAX = 500  # a BOM note's maximum length

INPUTS = (  # parameter -> (Table 4.3 material, description, in Chinese)
    ("coking_coal_kg", "coking_coal", "coking coal", "炼焦煤"),
    ("purchased_coke_kg", "coke", "purchased coke", "外购焦炭"),
    ("injection_coal_kg", "coal", "injected coal", "喷吹煤"),
    ("natural_gas_kg", "natural_gas", "natural gas", "天然气"),
    ("limestone_kg", "limestone", "limestone", "石灰石"),
    ("dolomite_kg", "dolomite", "dolomite", "白云石"),
)
UPSTREAM = (  # parameter -> (process, description, in Chinese)
    ("purchased_coke_kg", data.PURCHASED_COKE, "purchased coke, coke making", "外购焦炭（炼焦）"),
    ("purchased_sinter_kg", data.PURCHASED_SINTER, "purchased sinter", "外购烧结矿"),
    ("purchased_pellet_kg", data.PURCHASED_PELLET, "purchased pellets", "外购球团矿"),
    ("ferrosilicon_kg", data.FERROSILICON, "ferrosilicon", "硅铁"),
    ("silicomanganese_kg", data.SILICOMANGANESE, "silicomanganese", "硅锰"),
)
INDICATIVE = {"v2o5": data.V2O5, "vanadium_electrolyte": data.ELECTROLYTE}


def g(x: float) -> str:
    return f"{x:.6g}"


@dataclass(frozen=True)
class CarbonBalance:
    """kg C per t crude steel; inputs and outputs as (parameter, "amount x content", kg C,
    the same text in Chinese)."""

    inputs: tuple
    outputs: tuple

    @property
    def carbon_in(self) -> float:
        return sum(c for _, _, c, _ in self.inputs)

    @property
    def carbon_out(self) -> float:
        return sum(c for _, _, c, _ in self.outputs)

    @property
    def co2_kg(self) -> float:
        return (self.carbon_in - self.carbon_out) * CO2_PER_C

    def note(self, tail: str) -> str:
        net = self.carbon_in - self.carbon_out
        def terms(items):
            return " + ".join(text for _, text, _, _ in items) or "none"
        head = "direct CO2, IPCC 2006 Tier 2 carbon balance (Vol. 3 Eq. 4.9): "
        body = (f"C in {g(self.carbon_in)} kg ({terms(self.inputs)}) - C out "
                f"{g(self.carbon_out)} kg ({terms(self.outputs)}) = {g(net)} kg C x 44/12 = "
                f"{g(self.co2_kg)} kg CO2 per t crude steel")
        text = head + body + tail
        if len(text) > NOTE_MAX:  # many inputs: totals only, the label lists the terms
            text = (head + f"C in {g(self.carbon_in)} kg ({len(self.inputs)} inputs) - C out "
                    f"{g(self.carbon_out)} kg ({len(self.outputs)} outputs) = {g(net)} kg C x "
                    f"44/12 = {g(self.co2_kg)} kg CO2 per t crude steel" + tail)
        return text[:NOTE_MAX]

    def note_zh(self, tail: str) -> str:
        net = self.carbon_in - self.carbon_out
        def terms(items):
            return " + ".join(text for _, _, _, text in items) or "无"
        head = "直接CO2，IPCC 2006 第2层级碳平衡法（第3卷 式4.9）："
        body = (f"输入碳 {g(self.carbon_in)} kg（{terms(self.inputs)}）− 输出碳 "
                f"{g(self.carbon_out)} kg（{terms(self.outputs)}）= {g(net)} kg C × 44/12 = "
                f"每吨粗钢 {g(self.co2_kg)} kg CO2")
        text = head + body + tail
        if len(text) > NOTE_MAX:
            text = (head + f"输入碳 {g(self.carbon_in)} kg（{len(self.inputs)} 项）− 输出碳 "
                    f"{g(self.carbon_out)} kg（{len(self.outputs)} 项）= {g(net)} kg C × 44/12 "
                    f"= 每吨粗钢 {g(self.co2_kg)} kg CO2" + tail)
        return text[:NOTE_MAX]


def carbon_balance(p: dict) -> CarbonBalance:
    content = data.carbon_contents()
    def term(name, kg, fraction):
        return f"{name} {g(kg)}x{g(fraction)}"

    inputs = [(key, term(name, p[key], content[material]), p[key] * content[material],
               term(name_zh, p[key], content[material]))
              for key, material, name, name_zh in INPUTS if p.get(key)]
    inputs += [("other_carbon_inputs", term(o["name"], o["kg"], o["carbon_fraction"]),
                o["kg"] * o["carbon_fraction"], term(o["name"], o["kg"], o["carbon_fraction"]))
               for o in p.get("other_carbon_inputs") or ()]
    steel_c = p.get("steel_carbon_fraction")
    steel_c = content["steel"] if steel_c is None else steel_c
    outputs = [("steel_carbon_fraction", term("steel", STEEL_KG, steel_c), STEEL_KG * steel_c,
                term("粗钢", STEEL_KG, steel_c))]
    slag = p.get("vanadium_slag_kg") or 0.0
    if slag and p.get("vanadium_slag_carbon_fraction"):
        fraction = p["vanadium_slag_carbon_fraction"]
        outputs.append(("vanadium_slag_carbon_fraction", term("vanadium slag", slag, fraction),
                        slag * fraction, term("钒渣", slag, fraction)))
    for key, material, name, name_zh in (
            ("pig_iron_sold_kg", "pig_iron", "pig iron sold", "外售生铁"),
            ("exported_bf_gas_kg", "blast_furnace_gas", "BF gas exported", "外供高炉煤气")):
        if p.get(key):
            outputs.append((key, term(name, p[key], content[material]),
                            p[key] * content[material], term(name_zh, p[key], content[material])))
    outputs += [("other_carbon_outputs", term(o["name"], o["kg"], o["carbon_fraction"]),
                 o["kg"] * o["carbon_fraction"], term(o["name"], o["kg"], o["carbon_fraction"]))
                for o in p.get("other_carbon_outputs") or ()]
    return CarbonBalance(tuple(inputs), tuple(outputs))


@dataclass(frozen=True)
class Allocation:
    method: str
    steel_share: float
    slag_share: float
    basis: str  # the formula with its numbers
    basis_zh: str = ""  # the same in Chinese


def allocation(p: dict, method: str | None = None) -> Allocation | None:
    """Shares of crude steel and vanadium slag; None for economic without prices."""
    method = method or p["allocation"]
    slag = p.get("vanadium_slag_kg") or 0.0
    if method == "mass":
        share = STEEL_KG / (STEEL_KG + slag)
        return Allocation(method, share, 1 - share,
                          f"mass {g(STEEL_KG)}/({g(STEEL_KG)}+{g(slag)} kg slag)",
                          f"按质量 {g(STEEL_KG)}/({g(STEEL_KG)}+{g(slag)} kg 钒渣)")
    if method == "economic":
        steel_price, slag_price = p.get("steel_price_cny_per_t"), p.get(
            "vanadium_slag_price_cny_per_t")
        if steel_price is None or slag_price is None:
            return None
        steel_value, slag_value = 1.0 * steel_price, slag / 1000 * slag_price
        share = steel_value / (steel_value + slag_value)
        return Allocation(method, share, 1 - share,
                          f"economic 1 t x {g(steel_price)}/(1 t x {g(steel_price)} + "
                          f"{g(slag / 1000)} t x {g(slag_price)} CNY)",
                          f"按经济价值 1 t × {g(steel_price)}/(1 t × {g(steel_price)} + "
                          f"{g(slag / 1000)} t × {g(slag_price)} 元)")
    return Allocation(method, 1.0, 0.0, "system expansion: crude steel carries all, credited "
                                        "with the avoided vanadium slag",
                      "系统扩展：粗钢承担全部，扣减被替代的钒渣生产")


def declared_quantity(declared_unit: dict, unit: str) -> float:
    """The declared amount in ``unit`` (t or kg; the category declares only these)."""
    amount, given = float(declared_unit["amount"]), declared_unit["unit"]
    if given == unit:
        return amount
    return amount * 1000 if (given, unit) == ("t", "kg") else amount / 1000


@dataclass
class Model:
    product: str
    quantity: float  # declared amount, in t (crude steel, slag) or kg (V2O5, electrolyte)
    lines: list = field(default_factory=list)
    allocated: list = field(default_factory=list)  # per line: scaled from the works' lines?
    scale: float = 0.0  # works' line amounts per t crude steel x scale = amounts per declared unit
    factor: float | None = None  # allocation factor of the declared product
    allocation: Allocation | None = None
    balance: CarbonBalance | None = None
    credit_kg_co2e: float = 0.0  # system expansion: the credit per declared unit


def works_lines(p: dict, balance: CarbonBalance) -> list[tuple[dict, str, str]]:
    """The works' lines per t crude steel, unallocated, each with its formula in English and
    Chinese (no tail)."""
    factors = data.process_factors()
    lines = [({"emission": "CO2_fossil", "amount": balance.co2_kg, "unit": "kg",
               "stage": "production"}, "balance", "balance")]
    if p.get("electricity_kwh"):
        lines.append(({"input": "electricity", "amount": p["electricity_kwh"], "unit": "kWh",
                       "stage": "production"},
                      f"purchased electricity {g(p['electricity_kwh'])} kWh per t crude steel x "
                      "the grid factor of the BOM's region and year",
                      f"每吨粗钢外购电力 {g(p['electricity_kwh'])} kWh × 物料清单所填地区和年份的"
                      "电网排放因子"))
    for key, process, name, name_zh in UPSTREAM:
        if p.get(key):
            lines.append(({"input": process, "amount": p[key], "unit": "kg",
                           "stage": "raw_materials"},
                          f"{name} {g(p[key])} kg per t crude steel x {g(factors[process])} kg "
                          "CO2/kg (IPCC Tier 1 process CO2)",
                          f"每吨粗钢{name_zh} {g(p[key])} kg × {g(factors[process])} kg CO2/kg"
                          "（IPCC 第1层级过程CO2）"))
    return lines


def build(p: dict, declared_unit: dict) -> Model:
    product = p["product"]
    if product not in PLANT_PRODUCTS:
        quantity = declared_quantity(declared_unit, "kg")
        process = INDICATIVE[product]
        factor = data.process_factors()[process]
        model = Model(product, quantity)
        model.lines.append({"input": process, "amount": quantity, "unit": "kg",
                            "stage": "production",
                            "note": f"{g(quantity)} kg {product} x {g(factor)} kg CO2e/kg, "
                                    "indicative cradle-to-gate factor (South African "
                                    "V-magnetite chain, FACTORS.md section 9), low confidence",
                            "note_zh": f"{PRODUCTS[product][1]} {g(quantity)} kg × {g(factor)} kg "
                                       "CO2e/kg，摇篮到大门指示值（南非钒钛磁铁矿链，FACTORS.md "
                                       "第9节），可信度低"})
        model.allocated.append(False)
        return model

    quantity = declared_quantity(declared_unit, "t")
    balance = carbon_balance(p)
    share = allocation(p)
    slag_kg = p.get("vanadium_slag_kg") or 0.0
    model = Model(product, quantity, allocation=share, balance=balance)
    slag_factor = data.process_factors()[data.VANADIUM_SLAG]

    if product == "vanadium_slag" and share.method == "system_expansion":
        amount = 1000 * quantity
        model.factor = None
        model.lines.append({"input": data.VANADIUM_SLAG, "amount": amount, "unit": "kg",
                            "stage": "production",
                            "note": f"system expansion: vanadium slag carries the burden of the "
                                    f"production it displaces, {g(amount)} kg x "
                                    f"{g(slag_factor)} kg CO2e/kg (indicative, FACTORS.md "
                                    "section 9), the same figure credited to the crude steel",
                            "note_zh": f"系统扩展：钒渣承担其替代的生产的排放，{g(amount)} kg × "
                                       f"{g(slag_factor)} kg CO2e/kg（指示值，FACTORS.md 第9节），"
                                       "与粗钢扣减的数值相同"})
        model.allocated.append(False)
        return model

    if product == "crude_steel":
        model.factor = share.steel_share
        model.scale = share.steel_share * quantity
        tail = (f"; x {g(share.steel_share)} allocated to crude steel ({share.basis})"
                + (f" x {g(quantity)} t declared" if quantity != 1 else ""))
        tail_zh = (f"；× 分配给粗钢的 {g(share.steel_share)}（{share.basis_zh}）"
                   + (f" × 申报 {g(quantity)} t" if quantity != 1 else ""))
    else:
        model.factor = share.slag_share
        model.scale = share.slag_share * 1000 / slag_kg * quantity
        tail = (f"; x {g(share.slag_share)} allocated to vanadium slag ({share.basis}) x "
                f"1000/{g(slag_kg)} kg slag per t slag"
                + (f" x {g(quantity)} t declared" if quantity != 1 else ""))
        tail_zh = (f"；× 分配给钒渣的 {g(share.slag_share)}（{share.basis_zh}）× 每吨钒渣 "
                   f"1000/{g(slag_kg)} kg" + (f" × 申报 {g(quantity)} t" if quantity != 1 else ""))

    for line, formula, formula_zh in works_lines(p, balance):
        line = dict(line, amount=line["amount"] * model.scale)
        line["note"] = (balance.note(tail) if formula == "balance" else (formula + tail)[:NOTE_MAX])
        line["note_zh"] = (balance.note_zh(tail_zh) if formula == "balance"
                           else (formula_zh + tail_zh)[:NOTE_MAX])
        model.lines.append(line)
        model.allocated.append(True)

    if product == "crude_steel" and share.method == "system_expansion" and slag_kg:
        amount = slag_kg * quantity
        credit = data.process_factors()[data.SLAG_CREDIT]
        model.credit_kg_co2e = amount * credit
        model.lines.append({"input": data.SLAG_CREDIT, "amount": amount, "unit": "kg",
                            "stage": "production",
                            "note": f"system expansion credit: {g(slag_kg)} kg vanadium slag per t "
                                    f"crude steel x {g(credit)} kg CO2e/kg avoided slag "
                                    "production (indicative, FACTORS.md section 9, low "
                                    "confidence); allocation factor 1, steel carries all"
                                    + (f"; x {g(quantity)} t declared" if quantity != 1 else ""),
                            "note_zh": f"系统扩展扣减：每吨粗钢产钒渣 {g(slag_kg)} kg × 被替代的钒渣"
                                       f"生产 {g(credit)} kg CO2e/kg（指示值，FACTORS.md 第9节，"
                                       "可信度低）；分配系数 1，粗钢承担全部"
                                       + (f"；× 申报 {g(quantity)} t" if quantity != 1 else "")})
        model.allocated.append(False)
    return model
