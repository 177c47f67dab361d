import pytest

from footprint.bom import parse_bom
from footprint.errors import InvalidInput
from footprint.gs1 import check_digit, normalise_gtin


def test_check_digit_by_hand():
    # GTIN-13 6901234567892: body 690123456789, weights from the right 3,1,3,...:
    # 9x3 + 8 + 7x3 + 6 + 5x3 + 4 + 3x3 + 2 + 1x3 + 0 + 9x3 + 6 = 27+8+21+6+15+4+9+2+3+0+27+6
    # = 128 -> (10 - 8) % 10 = 2
    assert check_digit("690123456789") == 2
    assert normalise_gtin("6901234567892") == "06901234567892"
    assert normalise_gtin("06901234567892") == "06901234567892"


@pytest.mark.parametrize("bad", ["6901234567893", "69012345678", "69012345678x", "",
                                 "\u0666\u0669\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0662"])
def test_invalid_gtins(bad):
    with pytest.raises(ValueError):
        normalise_gtin(bad)


def test_bom_gtin_is_checked_and_normalised(make_bom):
    bom = parse_bom(make_bom(product={"name": "p", "gtin": "6901234567892"}))
    assert bom.product["gtin"] == "06901234567892"
    with pytest.raises(InvalidInput) as caught:
        parse_bom(make_bom(product={"name": "p", "gtin": "6901234567893"}))
    assert caught.value.problems[0].where == "product.gtin"
    assert "check digit should be 2" in caught.value.problems[0].message
