"""What the category declares: its products and the ways a works' emissions are shared.

The parameters, the model and the label all speak of these, so they are said once, here.
"""
from __future__ import annotations

PRODUCTS = {  # product -> (declared unit the quantities refer to, Chinese name)
    "crude_steel": ("t", "粗钢"),
    "vanadium_slag": ("t", "钒渣"),
    "v2o5": ("kg", "五氧化二钒"),
    "vanadium_electrolyte": ("kg", "全钒液流电池电解液"),
}
PLANT_PRODUCTS = ("crude_steel", "vanadium_slag")  # modelled from the works' carbon balance
ALLOCATIONS = ("mass", "economic", "system_expansion")
