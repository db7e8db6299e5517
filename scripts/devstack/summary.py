"""What `make dev` prints when the stack is ready: the URLs, and commands to try."""
import os
import sys

from scripts import ROOT
from scripts.devstack.output import relative, say, warn
from scripts.devstack.settings import DEFAULT_STATE_DIR, STAGE


def print_summary(c, stripe, config_path, directory, frontend):
    """The lines `make dev` prints once the stack is ready."""
    say("")
    say("Local stack ready in %.1f s" % c["ready_seconds"])
    say(frontend.banner(c["frontend_url"]))
    say("  API             %s  (chalice local, stage %s)" % (c["api_url"], STAGE))
    say("  AWS emulator    %s  (moto: DynamoDB, Cognito, Step Functions, SES)" % c["aws_endpoint_url"])
    if stripe["mode"] == "sandbox":
        say("  Stripe sandbox  %s  (webhooks signed and sent to %s)"
            % (c["stripe_api_base"], c["stripe_webhook_url"]))
    else:
        say("  Stripe          %s  (test mode)" % c["stripe_api_base"])
    say("  Inbox           %s  (the emails the app sent, newest first)" % c["inbox_url"])
    say("  User pool       %s, app client %s" % (c["user_pool_id"], c["user_pool_client_id"]))
    say("  Free refill     every %d s%s" % (c["free_refill_period_seconds"],
                                            "" if c["state_machine_arn"] else " (off: no state machine)"))
    say("  Settings        %s" % relative(config_path))
    say("The state lives in memory: stopping this forgets every user, key, credit and payment.")
    if stripe["mode"] != "sandbox":
        say("")
        say("Stripe test mode: forward its webhooks here with")
        say("  stripe listen --forward-to localhost:%d/stripe/webhook" % c["ports"]["api"])
        if not stripe["webhook_secret"]:
            warn("STRIPE_WEBHOOK_SECRET is not set, so the API rejects every webhook. Restart with "
                 "STRIPE_WEBHOOK_SECRET=$(stripe listen --print-secret).")
    api = c["api_url"]
    python = relative(sys.executable) if sys.executable.startswith(ROOT) else "python3"
    state_hint = "" if config_path == os.path.join(DEFAULT_STATE_DIR, "dev.json") else \
        "DEV_STATE_DIR=%s " % relative(directory)
    say("")
    say("Try it:")
    say("  curl -s %s/plans" % api)
    say("  %smake demo          # sign up, spend, buy, subscribe, renew, cancel" % state_hint)
    say("  TOKEN=$(%s%s scripts/demo.py token me@example.com)" % (state_hint, python))
    say('  curl -s -H "Authorization: $TOKEN" %s/user' % api)
    say('  KEY=$(curl -s -X POST -H "Authorization: $TOKEN" %s/generate-key | '
        "%s -c 'import json,sys; print(json.load(sys.stdin)[\"key\"])')" % (api, python))
    say('  curl -s -X POST -H "x-api-key: $KEY" %s/test' % api)
    say("Ctrl-C stops everything.")
    say("")
