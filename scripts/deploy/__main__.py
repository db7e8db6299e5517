"""python -m scripts.deploy {deploy,deploy-app,destroy} --stage <stage>

    deploy       everything, idempotent (make deploy STAGE=dev)
    deploy-app   the app only, for code changes (make deploy-app STAGE=dev)
    destroy      the app and the site; with --delete-data also the tables, the
                 user pool, the refill state machine and the secrets, after a
                 typed confirmation (make destroy STAGE=dev [ARGS=--delete-data])

Reads AWS credentials and the region the usual way (AWS_PROFILE, ...), and
STRIPE_SECRET_KEY; GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET turn on
"Continue with Google". AWS_ENDPOINT_URL points it at an emulator (the
rehearsal in tests/test_deploy_rehearsal.py).
"""
import argparse
import sys

from scripts.deploy import BACKEND, FRONTEND, DeployError


def confirmed(stage, given, read=input):
    if given is not None:
        return given == stage
    try:
        answer = read("This deletes the %s tables, user pool and secrets for good. Type the stage "
                      "name to confirm: " % stage)
    except EOFError:
        return False
    return answer.strip() == stage


def main(argv=None, out=print, read=input):
    parser = argparse.ArgumentParser(prog="python -m scripts.deploy", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["deploy", "deploy-app", "destroy"])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--allow-any-stripe-mode", action="store_true",
                        help="accept a live key on dev or a test key on prod")
    parser.add_argument("--frontend-dist", help="upload this built site instead of building frontend/")
    parser.add_argument("--project-dir", default=BACKEND, help="the Chalice project (default backend/)")
    parser.add_argument("--frontend-dir", default=FRONTEND)
    parser.add_argument("--delete-data", action="store_true", help="destroy: also delete the data")
    parser.add_argument("--confirm", help="destroy --delete-data: the stage name, instead of typing it")
    args = parser.parse_args(argv)

    from scripts.deploy import run
    from scripts.deploy.stage import Stage
    try:
        if args.command == "deploy":
            run.deploy(args.stage, args.allow_any_stripe_mode, args.frontend_dist, args.project_dir,
                       args.frontend_dir, out)
            return 0
        stage = Stage.load(args.stage, args.project_dir)
        deployment = run.Deployment(stage, run.session(), out, args.frontend_dir)
        if args.command == "deploy-app":
            deployment.deploy_app()
            return 0
        if args.delete_data and not confirmed(args.stage, args.confirm, read):
            out("Not confirmed: nothing was deleted.")
            return 2
        deployment.destroy(delete_data=args.delete_data)
        return 0
    except DeployError as error:
        out("Deploy stopped: %s" % error)
        return 1


if __name__ == "__main__":
    sys.exit(main())
