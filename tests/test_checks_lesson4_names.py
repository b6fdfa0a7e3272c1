"""Lesson 4's exercise feedback for answers that are not one of the options (issue 17 r2 F10)."""

import pytest

from labs.checks import lesson4


def _fails(check, ns) -> str:
    with pytest.raises(AssertionError) as caught:
        check(ns)
    return str(caught.value)


@pytest.mark.parametrize("name", ["RTX 4090", "rtx 4090 24 gb", "RTX 4090 24 GB ", "H100 80 GB", "RTX 3090 24 GB"])
def test_a_name_that_is_no_option_is_told_as_such(name):
    message = _fails(lesson4.cheapest_tier, {"cheapest": name})
    assert "is not one of the options" in message and "H100 SXM 80 GB" in message and "for less" not in message


@pytest.mark.parametrize("value", [{"hardware": "L4 24 GB"}, ["RTX 4090 24 GB"]])
def test_a_row_or_a_list_gets_a_message_not_a_type_error(value, monkeypatch):
    assert "should be one name" in _fails(lesson4.cheapest_tier, {"cheapest": value})
    need, _ = lesson4.expected_size()
    assert "should be one name" in _fails(lesson4.size_deployment, {"need_gib": need, "smallest_gpu": value})
    monkeypatch.setenv("LAB_LANG", "uk")
    assert "має бути однією назвою" in _fails(lesson4.cheapest_tier, {"cheapest": value})


def test_the_total_in_gb_is_told_as_a_unit_slip():
    need, names = lesson4.expected_size()
    message = _fails(lesson4.size_deployment, {"need_gib": need * 2**30 / 1e9, "smallest_gpu": sorted(names)[0]})
    assert "GB (10⁹ bytes), not GiB" in message and "parallel slot" not in message
    assert "GiB" in lesson4.size_deployment({"need_gib": need, "smallest_gpu": sorted(names)[0]})


@pytest.mark.parametrize("kind", ["float32", "float64", "float16"])
def test_a_numpy_total_is_a_number(kind):
    """Issue 17 r3 F5: need_gib=np.float32(17.605) (np.round, a DataFrame cell) is checked, not refused."""
    import numpy as np

    need, names = lesson4.expected_size()
    assert "GiB" in lesson4.size_deployment({"need_gib": getattr(np, kind)(need), "smallest_gpu": sorted(names)[0]})
    assert "should be a positive, finite number" in _fails(lesson4.size_deployment, {"need_gib": True, "smallest_gpu": sorted(names)[0]})
