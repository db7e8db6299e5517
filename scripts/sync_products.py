"""Make Stripe and the product table match products.json.

    python scripts/sync_products.py [--products products.json] [--dry-run] [--stage dev]

- Validates the whole file first; a bad file exits non-zero and writes nothing.
- Stripe products are found by `metadata[plan]` (or through a price's lookup
  key), never by name. Prices are immutable in Stripe: a changed amount makes
  a new price, moves the lookup key to it and deactivates the old price.
- Every Stripe change happens before the product table is written, so a run
  that fails half-way is finished by running it again.
- Running it twice changes nothing the second time, and says so.
- `--dry-run` prints the changes and writes nothing.

Reads STRIPE_SECRET_KEY (and STRIPE_API_BASE for the local Stripe sandbox),
PRODUCTS_TABLE, REGION and AWS_ENDPOINT_URL from the environment; `--stage`
fills in whatever is unset from backend/.chalice/config.json (or the Chalice
project named by CHALICE_PROJECT_DIR), including the SSM parameter holding
the stage's Stripe key, so after `make deploy` no key needs exporting.
"""
import argparse
import sys


from scripts.catalog.products import DEFAULT_PRODUCTS, ProductsError, load, validate
from scripts.catalog.sync import SyncError, display_path, load_stage_environment, sync


def main(argv=None, out=None):
    out = out or (lambda line: print(line, flush=True))
    parser = argparse.ArgumentParser(description="Make Stripe and the product table match products.json.")
    parser.add_argument("--products", default=DEFAULT_PRODUCTS, help="path of products.json")
    parser.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    parser.add_argument("--stage", help="read unset settings from this Chalice stage")
    args = parser.parse_args(argv)

    try:
        plans = validate(load(args.products))
    except ProductsError as error:
        out("%s is invalid; nothing was written:" % display_path(args.products))
        for problem in error.problems:
            out("  " + problem)
        return 2
    out("%s: %d plans (%s)" % (display_path(args.products), len(plans),
                               ", ".join(plan["name"] for plan in plans)))
    try:
        if args.stage:
            load_stage_environment(args.stage)
        from chalicelib.billing import stripe_client
        stripe = stripe_client.build()
        if stripe is None:
            raise SyncError("STRIPE_SECRET_KEY is not set.")
        sync(plans, stripe, dry_run=args.dry_run, out=out)
    except SyncError as error:
        out("Sync failed: %s" % error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
