"""footprint.display: the one rule for numbers and times that people read, on pages, printed
labels and in the terminal."""
from datetime import datetime, timezone

import pytest

from footprint import display
from footprint.labels.numbers import round_value


@pytest.mark.parametrize("value, shown", [
    (2061.8, "2,060"),        # 2.0618E+3 to 3 significant figures: 2.06E+3
    (14.04, "14.0"),          # the trailing zero is a significant figure
    (0.034658, "0.0347"),
    (24.987, "25.0"),
    (2.345, "2.35"),          # half up on the decimal text, not on the binary double
    (-1.235, "-1.24"),        # half away from zero
    (999.5, "1,000"),         # 1.00E+3
    (123456789.0, "123,000,000"),
    (0, "0"),
    (None, ""),
])
def test_footprint_is_what_the_label_signs(value, shown):
    assert display.footprint(value) == shown
    if value is not None:
        assert display.footprint(value).replace(",", "") == format(round_value(value), "f")


@pytest.mark.parametrize("value, shown", [
    (1.0, "1"), (0.030, "0.03"), (1200, "1,200"), (0.1 + 0.2, "0.3"),
    (1234567.0, "1,234,570"),         # 6 significant figures
    (0.00012345678, "0.000123457"),
    (100, "100"), (None, ""),
])
def test_quantities_keep_their_own_digits(value, shown):
    assert display.quantity(value) == shown


@pytest.mark.parametrize("value, as_footprint, as_quantity", [
    # stored before amounts had a limit
    (1.404e307, "1.40\u00a0×\u00a010³⁰⁷", "1.404\u00a0×\u00a010³⁰⁷"),
    (1e15, "1.00\u00a0×\u00a010¹⁵", "1\u00a0×\u00a010¹⁵"),  # the first number not written out
    (999999999999999.0, "1.00\u00a0×\u00a010¹⁵", "1\u00a0×\u00a010¹⁵"),  # rounds up to it
    (123456789012345.0, "123,000,000,000,000", "123,457,000,000,000"),  # the last written out
    (-2.5e20, "-2.50\u00a0×\u00a010²⁰", "-2.5\u00a0×\u00a010²⁰"),
])
def test_a_number_too_long_to_write_out_is_a_power_of_ten(value, as_footprint, as_quantity):
    assert display.footprint(value) == as_footprint
    assert display.quantity(value) == as_quantity


def test_no_finite_number_is_written_wider_than_a_phone_can_show():
    # 1,000,000,000,000,000 (21 characters) is the widest; 308 digits made a page 7,483 px
    # wide, and 1e-30 would be 0.00000000000000000000000000000100
    for exponent in range(-30, 309):
        for value in (1.0, 9.99, -5.5):
            number = value * 10.0 ** exponent
            if number in (float("inf"), float("-inf")):
                continue
            for shown in (display.footprint(number), display.quantity(number)):
                assert len(shown) <= 25, (number, shown)


@pytest.mark.parametrize("value, shown", [
    (1048576, "1,048,576"), (1e13, "10,000,000,000,000"), (10000000000000.0,
                                                            "10,000,000,000,000"),
    (0.01, "0.01"), (0.000001, "0.000001"), (1e-9, "1\u00a0×\u00a010⁻⁹"), (2000, "2,000"),
    (1e308, "1\u00a0×\u00a010³⁰⁸"),
])
def test_a_number_a_message_names_is_exact_and_grouped(value, shown):
    assert display.number(value) == shown


def test_percent_has_one_decimal():
    assert display.percent(0.1234) == "12.3 %"
    assert display.percent(1) == "100.0 %"
    assert display.percent(None) == ""


def test_not_a_number_is_refused():
    for bad in (True, "lots", float("nan"), float("inf")):
        with pytest.raises(ValueError):
            display.footprint(bad)


def test_times_are_read_in_china():
    # 20:30 UTC is 04:30 the next morning in China (UTC+8)
    assert display.time_text("2026-03-01T20:30:00+00:00") == "2026-03-02 04:30"
    assert display.time_text("2026-03-01T20:30:00Z") == "2026-03-02 04:30"
    assert display.date_text("2026-03-01T15:59:59Z") == "2026-03-01"  # 23:59:59 in China
    assert display.date_text("2026-03-01T16:00:00Z") == "2026-03-02"
    moment = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
    assert display.time_text(moment) == "2026-03-01 16:00"
    assert display.time_text("2026-03-01T08:00:00") == "2026-03-01 16:00"  # stored: UTC
    assert display.time_text(None) == "" and display.date_text("") == ""
