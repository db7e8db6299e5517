"""The local stack's machinery: what ``make dev``, the demo, the benchmarks and
the tests run instead of AWS and Stripe (the Stripe sandbox in ``stripe``)."""
