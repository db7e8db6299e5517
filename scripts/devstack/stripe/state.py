"""The in-memory Stripe account: storage plus one mixin per resource.

To add an endpoint, add a method to the resource's module (``catalog``,
``checkout``, ``cards``, ``payment_intents``, ``subscriptions``, ``schedules``,
``invoices``, ``payments``, ``portal``, ``events``) marked
``@route("GET", "/v1/...{id}")``; it receives the request's ``Params`` and the
path ids, and returns the JSON to send.
"""

from __future__ import annotations

from .cards import Cards
from .catalog import Catalog
from .checkout import Checkout
from .events import Events
from .invoices import Invoices
from .payment_intents import PaymentIntents
from .payments import Payments
from .portal import Portal
from .schedules import Schedules
from .store import Store
from .subscriptions import Subscriptions


class SandboxState(Catalog, Checkout, Cards, PaymentIntents, Subscriptions, Schedules, Invoices,
                   Payments, Portal, Events, Store):
    """Every resource's handlers over one ``Store``; callers hold ``self.lock``."""
