"""The product catalogue: products.json, validated, and synced to Stripe and
the product table (`scripts/sync_products.py` is its command line)."""
