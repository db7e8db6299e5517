"""VAT and the billing history in a real headless Chromium against the local
stack: the pricing page says prices include VAT; a customer in the United
Kingdom buys the Basic pack (£5.00, of which £0.83 VAT, products.json's
prices being tax-inclusive), finds its invoice in the account page's
Billing history and downloads the PDF. Screenshots go to
.local/screenshots/ (invoices-*)."""
import re

import pytest
from playwright.sync_api import expect, sync_playwright

from browser_support import Person, Shots, launch, require_built_frontend, start_stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    require_built_frontend()
    running = start_stack(tmp_path_factory.mktemp("invoices-stack"))
    try:
        yield dict(running.config, state_dir=running.state_dir)
    finally:
        running.stop()
        running.kill()


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def test_a_customer_in_gb_buys_a_pack_and_downloads_its_invoice_with_the_vat(chromium, stack):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        buyer = Person(context, stack, Shots("invoices"))
        buyer.open("/account")
        buyer.page.wait_for_url(re.compile(r"/signin\?redirect="))
        buyer.sign_up()
        buyer.page.wait_for_url(re.compile(r"/account$"))
        buyer.account()
        expect(buyer.page.get_by_role("heading", name="Billing history")).to_be_visible()
        expect(buyer.page.get_by_text("No invoices yet")).to_be_visible()

        buyer.pricing()
        expect(buyer.plan_card("Basic").get_by_test_id("vat-note").first).to_have_text("incl. VAT")
        buyer.start_checkout("Basic", "Buy once")
        buyer.page.get_by_label("Country").select_option("GB")
        assert "1,050 credits" in buyer.pay()  # the Free plan's 50 and the pack's 1,000

        buyer.go_to_account()
        history = buyer.page.get_by_test_id("billing-history")
        row = history.get_by_role("row").filter(has_text="Basic pack")
        expect(row).to_have_count(1)
        cells = [cell.inner_text().strip() for cell in row.get_by_role("cell").all()]
        assert cells[2:5] == ["£5.00", "£0.83", "Paid"], cells
        history.scroll_into_view_if_needed()
        buyer.shot("billing-history")

        with buyer.page.expect_download() as downloading:
            row.get_by_role("link", name=re.compile("^Download invoice .* \\(PDF\\)$")).click()
        download = downloading.value
        with open(download.path(), "rb") as handle:
            pdf = handle.read()
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
        assert b"\xa35.00" in pdf and b"\xa30.83" in pdf
        assert download.suggested_filename.endswith(".pdf")
    finally:
        context.close()
