"""`make deploy STAGE=dev` / `make destroy STAGE=dev`: the stage's AWS side
from CloudFormation templates in infra/, the app with Chalice (the resources'
outputs recorded into the stage's environment variables in
backend/.chalice/config.json, so `chalice deploy --stage <stage>` keeps
working for code changes), Stripe's webhook and the secrets in SSM, and the
frontend on S3 + CloudFront. See docs/deploy.md."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BACKEND = os.path.join(ROOT, "backend")
INFRA = os.path.join(ROOT, "infra")
FRONTEND = os.path.join(ROOT, "frontend")


class DeployError(Exception):
    """Stops the deploy with a message meant for the person running it."""
