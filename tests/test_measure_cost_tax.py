"""`make cost` with VAT (scripts/measure/cost_report.py): margins on the price
net of VAT, Stripe's fees (with Stripe Tax's) on what the card pays."""
import json

import pytest

from scripts.measure import cost_report

with open(cost_report.PRICES) as _handle:
    STRIPE = json.load(_handle)["stripe"]


def test_stripe_tax_adds_its_percentage_on_what_the_card_pays():
    assert cost_report.stripe_fee_pence(STRIPE, 500, "uk", recurring=False) == pytest.approx(27.5)
    assert cost_report.stripe_fee_pence(STRIPE, 600, "uk", recurring=False, taxed=True) == pytest.approx(32)


@pytest.mark.parametrize("behavior,net,gross", [(None, 1, 1), ("inclusive", 100 / 120, 1), ("exclusive", 1, 1.2)])
def test_the_price_floor_keeps_the_margin_on_the_price_net_of_vat(behavior, net, gross):
    credits, aws, margin = 1000, 3.0, 0.8
    floor = cost_report.lowest_price_per_thousand(STRIPE, credits, aws, "uk", False, margin, behavior, 20)
    price = floor * credits / 1000
    fee = cost_report.stripe_fee_pence(STRIPE, price * gross, "uk", False, taxed=behavior is not None)
    assert (price * net - fee - aws) / (price * net) == pytest.approx(margin)


def test_no_price_floor_when_vat_and_fees_leave_no_room_for_the_margin():
    assert cost_report.lowest_price_per_thousand(STRIPE, 1000, 3.0, "uk", True, 0.97, "inclusive", 20) == float("inf")


def test_products_json_says_how_prices_carry_vat():
    assert cost_report.tax_behavior() == "inclusive"
