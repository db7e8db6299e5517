"""The README's HTTP API table, generated from the OpenAPI document
(backend/chalicelib/web/openapi.py), so the two cannot disagree.

    python scripts/api_table.py           # print the table
    python scripts/api_table.py --write   # put it into README.md
tests/test_openapi.py fails when README.md holds another table.
"""
import argparse
import json
import os
import sys


from scripts import BACKEND, ROOT

README = os.path.join(ROOT, "README.md")
BEGIN, END = "<!-- api-table: begin (scripts/api_table.py) -->", "<!-- api-table: end -->"
AUTH = {"idToken": "ID token", "apiKey": "`x-api-key`", "stripeSignature": "Stripe signature"}
DEFAULT_COSTS = {"/test": 1, "/test/heavy": 5}


def load_costs():
    """Route costs of the stages, as backend/.chalice/config.json sets them."""
    with open(os.path.join(BACKEND, ".chalice", "config.json")) as handle:
        config = json.load(handle)
    raw = config.get("environment_variables", {}).get("ROUTE_COSTS")
    return {path: int(cost) for path, cost in json.loads(raw).items()} if raw else DEFAULT_COSTS


def table(document):
    lines = ["| Method & path | Auth | Answer |", "|---|---|---|"]
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            label = "`%s %s`" % (method.upper(), path)
            if "x-credits-cost" in operation:
                cost = operation["x-credits-cost"]
                label += " (%d credit%s)" % (cost, "" if cost == 1 else "s")
            auth = ", ".join(AUTH[name] for scheme in operation["security"] for name in scheme)
            if any(parameter.get("name") == "Stripe-Signature" and parameter.get("required")
                   for parameter in operation.get("parameters", [])):
                auth = AUTH["stripeSignature"]
            auth = auth or "—"
            lines.append("| %s | %s | %s |" % (label, auth, operation["x-readme"]))
    return "\n".join(lines) + "\n"


def readme_table(text):
    """The table between the markers in README.md, or None."""
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def generated():
    from chalicelib.web import openapi
    return table(openapi.build(load_costs()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the table in README.md")
    args = parser.parse_args(argv)
    rows = generated()
    if not args.write:
        sys.stdout.write(rows)
        return 0
    with open(README) as handle:
        text = handle.read()
    if readme_table(text) is None:
        raise SystemExit("README.md has no %s ... %s markers" % (BEGIN, END))
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    with open(README, "w") as handle:
        handle.write(before + BEGIN + "\n" + rows + END + after)
    return 0


if __name__ == "__main__":
    sys.exit(main())
