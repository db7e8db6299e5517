"""`make cost`: what the service costs to run, from operations counted on the
local stack (scripts/measure/cost_measure.py) times the list prices in
scripts/prices.json. Prints Markdown; `--write docs/cost.md` also saves it.
The report is scripts/measure/cost_report.py.

    python scripts/cost.py [--margin 80] [--region eu-west-2] [--usd-per-gbp 1.27]
"""
import argparse
import json
import time


from scripts.measure import cost_report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--margin", type=float, default=80, help="margin in %% for the price floor (default 80)")
    parser.add_argument("--region", choices=cost_report.REGIONS, default="eu-west-2", help="Region for the margins")
    parser.add_argument("--usd-per-gbp", type=float, help="exchange rate (default from prices.json)")
    parser.add_argument("--write", metavar="PATH", help="also write the report under a title to PATH")
    args = parser.parse_args(argv)
    with open(cost_report.PRICES) as handle:
        prices_table = json.load(handle)
    started = time.monotonic()
    from scripts.measure import cost_measure
    measured = cost_measure.measure()
    text = cost_report.report(measured, prices_table, args.region, args.margin,
                  args.usd_per_gbp or prices_table["exchange"]["usd_per_gbp"])
    print(text)
    print("(measured on the local stack in %.0f s)" % (time.monotonic() - started))
    if args.write:
        with open(args.write, "w") as handle:
            handle.write(cost_report.DOC_HEADER + text)


if __name__ == "__main__":
    main()
