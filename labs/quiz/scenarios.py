"""The numeric scenarios of the "Check yourself" questions, computed by lesson 1's :mod:`labs.costs`.

Question 5 ("how much does a GPU server cost per month compared with an API?") uses dated prices from
``labs/data/*.csv``; each function returns the numbers its question text is formatted with, and
``value``, the expected answer. When a price file changes, the question and its answer change together.

>>> round(q5_gpu_month()["value"], 2), round(q5_api_month()["value"], 2), round(q5_break_even()["value"])
(248.2, 59.31, 41846)
"""

from __future__ import annotations

from labs import costs

GPU_OFFER = "RTX 4090 24 GB — RunPod community cloud"
"""The module's "small production" card (section 29.4), rented always on."""
API_MODEL = "gpt-4o-mini"
REQUESTS_PER_DAY = 10_000
INPUT_TOKENS = 500
OUTPUT_TOKENS = 200


def _q5() -> dict:
    offer = costs.gpu_rental(GPU_OFFER)
    price = costs.api_price(API_MODEL)
    api = costs.api_cost(price, requests_per_day=REQUESTS_PER_DAY, input_tokens=INPUT_TOKENS, output_tokens=OUTPUT_TOKENS)
    box = costs.rental_cost(offer)
    even = costs.break_even(api, box)
    return {
        "gpu": offer.gpu, "provider": f"{offer.provider} {offer.offer}", "usd_per_hour": offer.usd_per_gpu_hour,
        "gpu_as_of": offer.as_of, "hours": costs.HOURS_PER_MONTH, "days": costs.DAYS_PER_MONTH,
        "model": price.model, "in_price": price.input_usd_per_mtok, "out_price": price.output_usd_per_mtok,
        "api_as_of": price.as_of, "requests_per_day": REQUESTS_PER_DAY, "input_tokens": INPUT_TOKENS,
        "output_tokens": OUTPUT_TOKENS, "usd_per_request": api.usd_per_request,
        "gpu_month": box.monthly_usd, "api_month": api.monthly_usd, "break_even": even.requests_per_day,
    }


def q5_gpu_month() -> dict:
    """One rented RTX 4090 kept on for the 730-hour month, in USD per month."""
    ctx = _q5()
    return {**ctx, "value": ctx["gpu_month"]}


def q5_api_month() -> dict:
    """The cloud API's bill for the same month at 10,000 requests a day, in USD per month."""
    ctx = _q5()
    return {**ctx, "value": ctx["api_month"]}


def q5_break_even() -> dict:
    """The volume (requests per day) at which both cost the same."""
    ctx = _q5()
    return {**ctx, "value": ctx["break_even"]}
