"""Label fields: the allocation choice and its effect, the works' figures, data quality."""
from __future__ import annotations

from footprint import load_once

from . import data
from .model import allocation, build
from .parameters import SteelVanadiumParameters
from .products import ALLOCATIONS, PLANT_PRODUCTS, PRODUCTS


def _data_quality(result: dict) -> tuple[str, str]:
    low = sorted({f["source"]["dataset"] for f in result["factors"]
                  if f["source"]["confidence"].lower().startswith("low")})
    if low:
        return "low", ("low-confidence factors used (indicative vanadium figures or process-only "
                       "Tier 1 factors): " + ", ".join(low))
    return "medium", ("IPCC 2006 default carbon contents and IPCC Tier 1 factors with "
                      "producer-reported quantities; no plant-specific carbon assays")


def extensions(category, result: dict, bom) -> dict:
    p = load_once(SteelVanadiumParameters, bom.parameters)
    model = build(p, bom.declared_unit)
    product = model.product
    unit = PRODUCTS[product][0]
    quality, quality_note = _data_quality(result)
    out = {"product": product, "product_zh": PRODUCTS[product][1],
           "per": f"{model.quantity:g} {unit} {product}",
           "data_quality": quality, "data_quality_note": quality_note}
    if product not in PLANT_PRODUCTS:
        out["allocation_method"] = "not applicable (indicative cradle-to-gate factor)"
        out["indicative_factor_kg_co2e_per_kg"] = data.process_factors()[model.lines[0]["input"]]
        return out

    entries = [e for e in result["by_input"] if e.get("model")]
    if len(entries) != len(model.lines):  # cannot happen unless another plugin modelled it
        out["note"] = "modelled lines do not match this plugin's model; figures left out"
        return out
    modelled = sum(e["kg_co2e"] for e in entries)
    own = result["total_kg_co2e"] - modelled  # the producer's ordinary lines, not allocated
    allocated = sum(e["kg_co2e"] for e, a in zip(entries, model.allocated) if a)
    unallocated = allocated / model.scale if model.scale else None  # per t crude steel
    slag_kg = p.get("vanadium_slag_kg") or 0.0
    share = model.allocation
    slag_factor = data.process_factors()[data.VANADIUM_SLAG]
    out.update({
        "allocation_method": share.method,
        "allocation_basis": share.basis,
        "allocation_factor": model.factor,
        "steel_share": share.steel_share,
        "vanadium_slag_share": share.slag_share,
        "vanadium_slag_kg_per_t_crude_steel": slag_kg,
        "unallocated_kg_co2e_per_t_crude_steel": unallocated,
        "direct_co2_kg_per_t_crude_steel": model.balance.co2_kg,
        "carbon_in_kg_per_t_crude_steel": model.balance.carbon_in,
        "carbon_out_kg_per_t_crude_steel": model.balance.carbon_out,
    })
    if product == "crude_steel" and share.method == "system_expansion":
        out["system_expansion_credit_kg_co2e"] = sum(
            e["kg_co2e"] for e, a in zip(entries, model.allocated) if not a)
    # the effect of the choice: this product's footprint under each allocation method
    for method in ALLOCATIONS:
        alternative = allocation(p, method)
        value = None
        if method == "system_expansion":
            value = (own + unallocated * model.quantity - slag_kg * model.quantity * slag_factor
                     if product == "crude_steel" and unallocated is not None
                     else own + 1000 * model.quantity * slag_factor
                     if product == "vanadium_slag" else None)
        elif alternative is not None and unallocated is not None:
            value = own + unallocated * model.quantity * (
                alternative.steel_share if product == "crude_steel"
                else alternative.slag_share * 1000 / slag_kg)
        out[f"kg_co2e_if_{method}"] = value
    if unallocated is not None and product == "crude_steel":
        out["allocation_effect_kg_co2e"] = result["total_kg_co2e"] - own - \
            unallocated * model.quantity
    return out
