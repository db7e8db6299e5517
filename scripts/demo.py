#!/usr/bin/env python3
"""`make demo`: the main job of the product, step by step, against the stack
`make dev` is running (it reads `.local/dev.json`); the walk is
scripts/devstack/demo.py.

    python scripts/demo.py                      # the walk
    python scripts/demo.py token me@example.com # sign up (if needed), print an ID token

Environment: DEV_STATE_DIR (default .local) names where dev.json is;
`--config PATH` names the file itself.
"""
import argparse
import sys


from scripts.devstack import demo


def main(argv=None):
    parser = argparse.ArgumentParser(description="Walk the main job against the running local stack.")
    parser.add_argument("--config", help="path of dev.json (default: $DEV_STATE_DIR/dev.json or .local/dev.json)")
    sub = parser.add_subparsers(dest="command")
    token_parser = sub.add_parser("token", help="sign up (if needed) and print an ID token")
    token_parser.add_argument("email")
    token_parser.add_argument("--password", default=demo.DEFAULT_PASSWORD)
    token_parser.add_argument("--config", dest="token_config", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    path = getattr(args, "token_config", None) or args.config

    def out(line):
        print(line, flush=True)

    try:
        config = demo.load_config(path)
        if args.command == "token":
            created = demo.sign_up(config, args.email, args.password)
            print(demo.sign_in(config, args.email, args.password), flush=True)
            if created:
                print("Signed up %s (password %s)." % (args.email, args.password), file=sys.stderr)
            return 0
        out("Walking the main job against %s (Stripe: %s)" % (config["api_url"], config.get("stripe_mode")))
        demo.run_demo(config, out=out)
        return 0
    except demo.DemoError as error:
        print("demo: %s" % error, file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # e.g. the Cognito emulator is gone
        print("demo: %s: %s" % (type(error).__name__, error), file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
