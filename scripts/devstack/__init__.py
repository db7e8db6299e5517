"""The local stack's machinery: what stands in for AWS and Stripe when the
project runs offline. ``stripe`` is the Stripe sandbox."""
