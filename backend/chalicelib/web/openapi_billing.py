"""The billing history in the OpenAPI document: `GET /invoices`, an invoice
per payment (chalicelib.billing.invoices), and the `tax` of `GET /plans`."""
from chalicelib.web.openapi_parts import (
    ID_TOKEN, STRING, STRIPE_ERRORS, USER_ERRORS, answer, cursor_parameter, error, nullable, obj, operation, ref)

MINOR_UNITS = {"type": "integer", "minimum": 0,
               "description": "In the currency's minor unit (pence), as Stripe gives it."}
URL = {"type": "string", "format": "uri"}


def paths():
    return {"/invoices": {"get": operation(
        "Billing history: an invoice per payment, newest first", ID_TOKEN,
        {"200": answer("One page of invoices.", ref("schemas", "InvoicePage")),
         "400": error("Bad `limit` (`invalid_limit`) or `cursor` (`invalid_cursor`)."),
         **STRIPE_ERRORS},
        "`{\"invoices\": [{\"id\", \"number\", \"created\", \"description\", \"total\", \"tax\", \"currency\", "
        "\"status\", \"hosted_url\", \"pdf_url\"}], \"next_cursor\"}`, newest first; amounts in pence; roles "
        "owner, admin, billing",
        description="Every payment has an invoice: a pack's, a subscription's start, renewal or switch, an "
                    "automatic top-up's. `tax` is the VAT in `total` (Stripe Tax); `pdf_url` downloads the PDF. "
                    "Drafts and voided invoices (a declined top-up) are left out, so a page may hold fewer "
                    "than `limit`.",
        parameters=[
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
            cursor_parameter(104),
        ],
        errors=USER_ERRORS)}}


def schemas():
    invoice = obj(
        ["id", "number", "created", "description", "total", "tax", "currency", "status", "hosted_url", "pdf_url"],
        id=STRING, number=nullable(STRING),
        created={"type": "string", "description": "ISO-8601 UTC"},
        description=nullable(STRING), total=MINOR_UNITS,
        tax=dict(MINOR_UNITS, description="The VAT included in `total`, in the minor unit."),
        currency=STRING, status={"type": "string", "enum": ["open", "paid", "uncollectible"]},
        hosted_url=nullable(URL), pdf_url=nullable(URL))
    return {
        "Invoice": invoice,
        "InvoicePage": obj(["invoices", "next_cursor"], invoices={"type": "array", "items": ref("schemas", "Invoice")},
                           next_cursor=nullable(STRING)),
        "Tax": obj(["enabled", "behavior"], enabled={"type": "boolean"},
                   behavior=nullable({"type": "string", "enum": ["inclusive", "exclusive"],
                                      "description": "Prices include VAT (\"incl. VAT\") or VAT is added "
                                                     "(\"+ VAT\")."})),
    }
