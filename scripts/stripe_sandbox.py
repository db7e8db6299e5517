#!/usr/bin/env python3
"""Offline Stripe sandbox.

A local HTTP server that speaks the slice of the Stripe REST API this project
uses (customers, products, prices, Checkout, subscriptions, invoices, the
billing portal, events and webhook endpoints) closely enough that the official
``stripe`` Python SDK works against it unchanged once its API base points here.
It also serves the hosted Checkout and billing-portal pages, signs and delivers
webhooks like Stripe does, and exposes ``/_sandbox/`` controls that stand in for
the passage of time (renewals, failed payments). The code lives in
``scripts/devstack/stripe/``; this file is its command line.

Run it on its own::

    python scripts/stripe_sandbox.py --port 12111 \\
        --webhook-url http://127.0.0.1:8000/stripe/webhook --webhook-secret whsec_...

or start it in-process (tests)::

    sandbox = StripeSandbox(port=0, webhook_url=url, webhook_secret=secret).start()
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": sandbox.url})
"""

from __future__ import annotations

import argparse
import signal
import sys
import time


from scripts.devstack.stripe import DEFAULT_PORT, DEFAULT_RETRY_DELAYS, StripeSandbox

__all__ = ["StripeSandbox", "main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the offline Stripe sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--webhook-url", help="forward every event here, signed")
    parser.add_argument("--webhook-secret", help="signing secret (whsec_...); generated if unset")
    parser.add_argument("--api-key", help="accept only this key (default: any sk_test_ key)")
    parser.add_argument("--retry-delays", default=",".join(map(str, DEFAULT_RETRY_DELAYS)),
                        help="seconds between webhook delivery attempts, comma separated")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    delays = tuple(float(d) for d in args.retry_delays.split(",") if d.strip())
    sandbox = StripeSandbox(args.host, args.port, args.webhook_url, args.webhook_secret,
                            api_key=args.api_key, retry_delays=delays,
                            verbose=args.verbose).start()
    print(f"Stripe sandbox listening on {sandbox.url}", flush=True)
    print(f"Webhook signing secret: {sandbox.webhook_secret}", flush=True)
    if args.webhook_url:
        print(f"Forwarding events to {args.webhook_url}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
