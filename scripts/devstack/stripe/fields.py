"""Every field of every object the sandbox returns, as Stripe sends it.

Stripe answers with every field of an object, ``null`` where it has no
value. The resource modules write the values the sandbox knows;
``with_every_field`` adds the rest as ``None`` from the static lists below:
``FIELDS`` (the top level of each object type) and ``NESTED_FIELDS`` (the
nested objects the sandbox builds, by object type and path; a path through a
list applies to each element). They are the fields of the stripe-python
16.1 classes at API version 2026-10-28.endive, the version the sandbox speaks,
less the fields Stripe returns only when asked for (``EXPAND_ONLY``), only
in one situation (``ONLY_WHEN``) or only for the object's type
(``ONE_PER_TYPE``), which the sandbox leaves out as Stripe does.
tests/sandbox/test_sandbox_conformance.py compares the lists with the SDK's
classes and checks real flows' objects against them.
"""

from __future__ import annotations

from typing import Any

FIELDS = {
    "billing_portal.session": (
        "id", "object", "after_expiration", "configuration", "created", "customer",
        "customer_account", "flow", "livemode", "locale", "on_behalf_of", "return_url",
        "url"),
    "charge": (
        "id", "object", "amount", "amount_captured", "amount_refunded", "application",
        "application_fee", "application_fee_amount", "authorization_code",
        "balance_transaction", "billing_details", "calculated_statement_descriptor",
        "captured", "created", "currency", "customer", "description", "disputed",
        "failure_balance_transaction", "failure_code", "failure_message",
        "fraud_details", "level3", "livemode", "metadata", "on_behalf_of", "outcome",
        "paid", "payment_intent", "payment_method", "payment_method_details",
        "presentment_details", "radar_options", "receipt_email", "receipt_number",
        "receipt_url", "refunded", "review", "shipping", "source", "source_transfer",
        "statement_descriptor", "statement_descriptor_suffix", "status", "transfer",
        "transfer_data", "transfer_group"),
    "checkout.session": (
        "id", "object", "adaptive_pricing", "after_expiration", "allow_promotion_codes",
        "allowed_payment_method_types", "amount_subtotal", "amount_total",
        "automatic_tax", "billing_address_collection", "branding_settings",
        "cancel_url", "client_reference_id", "client_secret", "collected_information",
        "consent", "consent_collection", "created", "currency", "currency_conversion",
        "custom_fields", "custom_text", "customer", "customer_account",
        "customer_creation", "customer_details", "customer_email", "discounts",
        "excluded_payment_method_types", "expires_at", "integration_identifier",
        "invoice", "invoice_creation", "livemode", "locale", "managed_payments",
        "metadata", "mode", "name_collection", "optional_items", "origin_context",
        "payment_intent", "payment_link", "payment_method_collection",
        "payment_method_configuration_details", "payment_method_options",
        "payment_method_types", "payment_status", "permissions",
        "phone_number_collection", "presentment_details", "recovered_from",
        "redirect_on_completion", "return_url", "saved_payment_method_options",
        "setup_intent", "shipping_address_collection", "shipping_cost",
        "shipping_options", "status", "submit_type", "subscription", "success_url",
        "tax_id_collection", "total_details", "ui_mode", "url", "wallet_options"),
    "customer": (
        "id", "object", "address", "balance", "business_name", "created", "currency",
        "customer_account", "default_source", "delinquent", "description", "discount",
        "email", "individual_name", "invoice_prefix", "invoice_settings", "livemode",
        "metadata", "name", "next_invoice_sequence", "phone", "preferred_locales",
        "shipping", "tax_exempt", "test_clock"),
    "dispute": (
        "id", "object", "amount", "balance_transactions", "charge", "created",
        "currency", "enhanced_eligibility_types", "evidence", "evidence_details",
        "intended_submission_method", "is_charge_refundable", "livemode", "metadata",
        "network_reason_code", "payment_intent", "payment_method_details", "reason",
        "status"),
    "event": (
        "id", "object", "account", "api_version", "context", "created", "data",
        "livemode", "pending_webhooks", "request", "type"),
    "invoice": (
        "id", "object", "account_country", "account_name", "account_tax_ids",
        "amount_due", "amount_overpaid", "amount_paid", "amount_paid_off_stripe",
        "amount_remaining", "amount_shipping", "application", "attempt_count",
        "attempted", "auto_advance", "automatic_tax", "automatically_finalizes_at",
        "billing_reason", "collection_method", "created", "currency", "custom_fields",
        "customer", "customer_account", "customer_address", "customer_email",
        "customer_name", "customer_phone", "customer_shipping", "customer_tax_exempt",
        "customer_tax_ids", "default_payment_method", "default_source",
        "default_tax_rates", "description", "discounts", "due_date", "effective_at",
        "ending_balance", "footer", "from_invoice", "hosted_invoice_url", "invoice_pdf",
        "issuer", "last_finalization_error", "latest_revision", "lines", "livemode",
        "metadata", "next_payment_attempt", "number", "on_behalf_of", "parent",
        "payment_settings", "period_end", "period_start",
        "post_payment_credit_notes_amount", "pre_payment_credit_notes_amount",
        "receipt_number", "rendering", "shipping_cost", "shipping_details",
        "starting_balance", "statement_descriptor", "status", "status_details",
        "status_transitions", "subtotal", "subtotal_excluding_tax", "test_clock",
        "threshold_reason", "total", "total_discount_amounts", "total_excluding_tax",
        "total_pretax_credit_amounts", "total_taxes", "webhooks_delivered_at"),
    "invoice_payment": (
        "id", "object", "amount_paid", "amount_requested", "created", "currency",
        "invoice", "is_default", "livemode", "payment", "status", "status_transitions"),
    "item": (
        "id", "object", "adjustable_quantity", "amount_discount", "amount_subtotal",
        "amount_tax", "amount_total", "currency", "description", "metadata", "price",
        "quantity"),
    "line_item": (
        "id", "object", "amount", "currency", "description", "discount_amounts",
        "discountable", "discounts", "invoice", "livemode", "metadata", "parent",
        "period", "pretax_credit_amounts", "pricing", "quantity", "quantity_decimal",
        "subscription", "subtotal", "taxes"),
    "list": (
        "object", "data", "has_more", "url"),
    "payment_intent": (
        "id", "object", "allowed_payment_method_types", "amount", "amount_capturable",
        "amount_details", "amount_received", "application", "application_fee_amount",
        "automatic_payment_methods", "canceled_at", "cancellation_reason",
        "capture_method", "client_secret", "confirmation_method", "created", "currency",
        "customer", "customer_account", "description", "excluded_payment_method_types",
        "hooks", "last_payment_error", "latest_charge", "livemode", "managed_payments",
        "metadata", "next_action", "on_behalf_of", "payment_details", "payment_method",
        "payment_method_configuration_details", "payment_method_options",
        "payment_method_types", "payment_record", "presentment_details", "processing",
        "receipt_email", "review", "setup_future_usage", "shipping", "source",
        "statement_descriptor", "statement_descriptor_suffix", "status",
        "transfer_data", "transfer_group"),
    "payment_method": (
        "id", "object", "allow_redisplay", "billing_details", "created", "customer",
        "customer_account", "livemode", "metadata", "radar_options", "type"),
    "plan": (
        "id", "object", "active", "amount", "amount_decimal", "billing_scheme",
        "created", "currency", "interval", "interval_count", "livemode", "metadata",
        "meter", "nickname", "product", "tiers_mode", "transform_usage",
        "trial_period_days", "usage_type"),
    "price": (
        "id", "object", "active", "billing_scheme", "created", "currency",
        "custom_unit_amount", "livemode", "lookup_key", "metadata", "nickname",
        "product", "recurring", "tax_behavior", "tiers_mode", "transform_quantity",
        "type", "unit_amount", "unit_amount_decimal"),
    "product": (
        "id", "object", "active", "created", "default_price", "description", "images",
        "livemode", "marketing_features", "metadata", "name", "package_dimensions",
        "shippable", "statement_descriptor", "tax_code", "tax_details", "type",
        "unit_label", "updated", "url"),
    "refund": (
        "id", "object", "amount", "balance_transaction", "charge", "created",
        "currency", "customer", "customer_account", "description",
        "destination_details", "failure_balance_transaction", "failure_reason",
        "instructions_email", "metadata", "next_action", "payment_intent",
        "payment_method", "pending_reason", "presentment_details", "reason",
        "receipt_number", "source_transfer_reversal", "status", "transfer_reversal"),
    "setup_intent": (
        "id", "object", "allowed_payment_method_types", "application", "attach_to_self",
        "automatic_payment_methods", "cancellation_reason", "client_secret", "created",
        "customer", "customer_account", "description", "excluded_payment_method_types",
        "flow_directions", "last_setup_error", "latest_attempt", "livemode",
        "managed_payments", "mandate", "metadata", "next_action", "on_behalf_of",
        "payment_method", "payment_method_configuration_details", "payment_method_options",
        "payment_method_types", "single_use_mandate", "status", "usage"),
    "subscription": (
        "id", "object", "application", "application_fee_percent", "automatic_tax",
        "billing_cycle_anchor", "billing_cycle_anchor_config", "billing_mode",
        "billing_schedules", "billing_thresholds", "cancel_at", "cancel_at_period_end",
        "canceled_at", "cancellation_details", "collection_method", "created",
        "currency", "customer", "customer_account", "days_until_due",
        "default_payment_method", "default_source", "default_tax_rates", "description",
        "discounts", "ended_at", "invoice_settings", "items", "latest_invoice",
        "livemode", "managed_payments", "metadata", "next_pending_invoice_item_invoice",
        "on_behalf_of", "pause_collection", "payment_settings",
        "pending_invoice_item_interval", "pending_setup_intent", "pending_update",
        "presentment_details", "schedule", "start_date", "status", "status_details",
        "test_clock", "transfer_data", "trial_end", "trial_settings", "trial_start"),
    "subscription_item": (
        "id", "object", "billed_until", "billing_thresholds", "created",
        "current_period_end", "current_period_start", "current_trial", "discounts",
        "metadata", "plan", "price", "quantity", "subscription", "tax_rates"),
    "subscription_schedule": (
        "id", "object", "application", "billing_mode", "canceled_at", "completed_at",
        "created", "current_phase", "customer", "customer_account", "default_settings",
        "end_behavior", "livemode", "metadata", "pause_schedules", "phases",
        "released_at", "released_subscription", "status", "subscription", "test_clock"),
    "webhook_endpoint": (
        "id", "object", "api_version", "application", "created", "description",
        "enabled_events", "livemode", "metadata", "status", "url"),
}

NESTED_FIELDS = {
    ("charge", "billing_details"): (
        "address", "email", "name", "phone", "tax_id"),
    ("charge", "outcome"): (
        "advice_code", "network_advice_code", "network_decline_code", "network_status",
        "reason", "risk_level", "risk_score", "rule", "seller_message", "type"),
    ("checkout.session", "customer_details"): (
        "address", "business_name", "email", "individual_name", "name", "phone",
        "tax_exempt", "tax_ids"),
    ("customer", "invoice_settings"): (
        "custom_fields", "default_payment_method", "footer", "rendering_options"),
    ("dispute", "evidence"): (
        "access_activity_log", "appeal", "billing_address", "cancellation_policy",
        "cancellation_policy_disclosure", "cancellation_rebuttal",
        "customer_communication", "customer_email_address", "customer_name",
        "customer_purchase_ip", "customer_signature", "duplicate_charge_documentation",
        "duplicate_charge_explanation", "duplicate_charge_id", "enhanced_evidence",
        "product_description", "receipt", "refund_policy", "refund_policy_disclosure",
        "refund_refusal_explanation", "service_date", "service_documentation",
        "shipping_address", "shipping_carrier", "shipping_date",
        "shipping_documentation", "shipping_tracking_number", "uncategorized_file",
        "uncategorized_text"),
    ("dispute", "evidence.enhanced_evidence"): (
        "mastercard_compliance", "visa_compelling_evidence_3", "visa_compliance"),
    ("dispute", "evidence_details.enhanced_eligibility"): (
        "mastercard_compliance", "visa_compelling_evidence_3", "visa_compliance"),
    ("invoice", "issuer"): (
        "account", "type"),
    ("invoice", "parent.subscription_details"): (
        "metadata", "subscription", "subscription_proration_date"),
    ("invoice_payment", "payment"): (
        "charge", "payment_intent", "payment_record", "type"),
    ("payment_intent", "last_payment_error"): (
        "advice_code", "charge", "code", "decline_code", "doc_url", "message",
        "network_advice_code", "network_decline_code", "param", "payment_intent",
        "payment_method", "payment_method_type", "request_log_url", "setup_intent", "source",
        "type"),
    ("payment_intent", "next_action"): (
        "type",),
    ("payment_intent", "next_action.redirect_to_url"): (
        "return_url", "url"),
    ("payment_method", "billing_details"): (
        "address", "email", "name", "phone", "tax_id"),
    ("payment_method", "billing_details.address"): (
        "city", "country", "line1", "line2", "postal_code", "state"),
    ("payment_method", "card"): (
        "brand", "checks", "country", "description", "display_brand", "exp_month",
        "exp_year", "fingerprint", "funding", "generated_from", "iin", "issuer", "last4",
        "networks", "regulated_status", "three_d_secure_usage", "wallet"),
    ("payment_method", "card.checks"): (
        "address_line1_check", "address_postal_code_check", "cvc_check"),
    ("payment_method", "card.networks"): (
        "available", "preferred"),
    ("payment_method", "card.three_d_secure_usage"): (
        "supported",),
    ("subscription", "cancellation_details"): (
        "comment", "feedback", "feedback_option", "reason"),
    ("subscription", "invoice_settings"): (
        "account_tax_ids", "custom_fields", "description", "footer", "issuer"),
    ("subscription", "invoice_settings.issuer"): (
        "account", "type"),
    ("subscription", "payment_settings"): (
        "payment_method_options", "payment_method_types", "save_default_payment_method"),
    ("subscription", "trial_settings.end_behavior"): (
        "billing_cycle_anchor", "missing_payment_method"),
    ("subscription_schedule", "default_settings"): (
        "application_fee_percent", "automatic_tax", "billing_cycle_anchor",
        "billing_thresholds", "collection_method", "default_payment_method",
        "description", "invoice_settings", "on_behalf_of", "transfer_data"),
    ("subscription_schedule", "default_settings.automatic_tax"): (
        "disabled_reason", "enabled", "liability"),
    ("subscription_schedule", "default_settings.invoice_settings"): (
        "account_tax_ids", "custom_fields", "days_until_due", "description", "footer",
        "issuer"),
    ("subscription_schedule", "default_settings.invoice_settings.issuer"): (
        "account", "type"),
    ("subscription_schedule", "phases"): (
        "add_invoice_items", "application_fee_percent", "automatic_tax",
        "billing_cycle_anchor", "billing_thresholds", "collection_method", "currency",
        "default_payment_method", "default_tax_rates", "description", "discounts",
        "end_date", "invoice_settings", "items", "metadata", "on_behalf_of",
        "proration_behavior", "start_date", "transfer_data", "trial", "trial_end"),
    ("subscription_schedule", "phases.items"): (
        "billing_thresholds", "discounts", "metadata", "plan", "price", "quantity",
        "tax_rates"),
}

# Returned only when a request names them in ``expand[]`` (Stripe's
# "includable" fields), by object type and path ("" is the top level).
EXPAND_ONLY = {
    ("charge", ""): ("refunds",),
    ("checkout.session", ""): ("line_items",),
    ("checkout.session", "total_details"): ("breakdown",),
    ("customer", ""): ("cash_balance", "invoice_credit_balance", "sources", "subscriptions", "tax",
                       "tax_ids"),
    ("invoice", ""): ("confirmation_secret", "payments"),
    ("item", ""): ("discounts", "taxes"),
    ("plan", ""): ("tiers",),
    ("price", ""): ("currency_options", "tiers"),
}

# One hash per type, of which Stripe sends only the one the object's ``type``
# names (a card payment method has ``card`` and no ``sepa_debit: null``), by
# object type and path. The sandbox makes card payment methods and
# ``redirect_to_url`` next actions only.
ONE_PER_TYPE = {
    ("payment_intent", "next_action"): (
        "alipay_handle_redirect", "blik_authorize", "boleto_display_details",
        "card_await_notification", "cashapp_handle_redirect_or_display_qr_code",
        "display_bank_transfer_instructions", "klarna_display_qr_code",
        "konbini_display_details", "multibanco_display_details", "oxxo_display_details",
        "paynow_display_qr_code", "pix_display_qr_code", "promptpay_display_qr_code",
        "redirect_to_url", "swish_handle_redirect_or_display_qr_code",
        "upi_handle_redirect_or_display_qr_code", "use_stripe_sdk",
        "verify_with_microdeposits", "wechat_pay_display_qr_code",
        "wechat_pay_redirect_to_android_app", "wechat_pay_redirect_to_ios_app"),
    ("payment_method", ""): (
        "acss_debit", "affirm", "afterpay_clearpay", "alipay", "alma", "amazon_pay",
        "au_becs_debit", "bacs_debit", "bancontact", "billie", "bizum", "blik", "boleto",
        "card", "card_present", "cashapp", "crypto", "custom", "customer_balance", "eps",
        "fpx", "giropay", "grabpay", "ideal", "interac_present", "kakao_pay", "klarna",
        "konbini", "kr_card", "link", "mb_way", "mobilepay", "multibanco", "naver_pay",
        "nz_bank_account", "oxxo", "p24", "pay_by_bank", "payco", "paynow", "paypal",
        "paypay", "payto", "pix", "promptpay", "revolut_pay", "samsung_pay", "satispay",
        "scalapay", "sepa_debit", "sequra", "sofort", "sunbit", "swish", "twint", "upi",
        "us_bank_account", "wechat_pay", "zip"),
}

# Present only in one situation, and absent (not null) otherwise.
ONLY_WHEN = {
    ("customer", ""): {"deleted": "the answer to a delete"},
    ("event", "data"): {"previous_attributes": "events of type `*.updated`"},
    ("invoice", ""): {"deleted": "the answer to a delete"},
    ("plan", ""): {"deleted": "the answer to a delete"},
    ("price", ""): {"deleted": "the answer to a delete"},
    ("product", ""): {"deleted": "the answer to a delete"},
    ("subscription_item", ""): {"deleted": "the answer to a delete"},
    ("webhook_endpoint", ""): {"deleted": "the answer to a delete",
                               "secret": "the answer that creates the endpoint"},
}


def with_every_field(node: Any, kind: str | None = None, path: str = "") -> Any:
    """Add every listed field ``node`` lacks, as ``None``, at every depth, in place.

    A dict with an ``object`` type starts its own field list; ``metadata``
    (its keys are the user's) and deletion stubs are left as they are. Keys
    come out as Stripe orders them when any was added: ``id``, ``object``,
    then alphabetical.
    """
    if isinstance(node, list):
        for item in node:
            with_every_field(item, kind, path)
        return node
    if not isinstance(node, dict) or node.get("deleted") is True:
        return node
    if isinstance(node.get("object"), str) and node["object"] in FIELDS:
        kind, path = node["object"], ""
    names = NESTED_FIELDS.get((kind, path)) if path else FIELDS.get(kind)
    if names and any(name not in node for name in names):
        filled = {name: None for name in names}
        filled.update(node)
        node.clear()
        node.update(sorted(filled.items(), key=_stripe_order))
    for name, value in node.items():
        if isinstance(value, (dict, list)) and name != "metadata":
            with_every_field(value, kind, f"{path}.{name}" if path else name)
    return node


def _stripe_order(item: tuple) -> tuple:
    name = item[0]
    return (name != "id", name != "object", name)
