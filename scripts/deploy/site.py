"""The frontend: `npm ci && npm run build` in frontend/, dist/ uploaded to
the site bucket, and /config.json written beside it from the stack outputs."""
import json
import mimetypes
import os
import subprocess

from scripts.deploy import FRONTEND, DeployError

NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"


def frontend_present(frontend_dir=FRONTEND):
    return os.path.exists(os.path.join(frontend_dir, "package.json"))


def build(frontend_dir=FRONTEND, out=print):
    out("  building the frontend (npm ci && npm run build)")
    for command in (["npm", "ci", "--no-audit", "--no-fund"], ["npm", "run", "build"]):
        result = subprocess.run(command, cwd=frontend_dir)
        if result.returncode != 0:
            raise DeployError("`%s` failed in frontend/ (exit %d)." % (" ".join(command), result.returncode))
    return os.path.join(frontend_dir, "dist")


def runtime_config(stage, api_url, region, data_outputs):
    """The frontend's /config.json (keys agreed with the frontend)."""
    config = {
        "apiUrl": api_url.rstrip("/"),
        "region": region,
        "userPoolId": data_outputs["UserPoolId"],
        "userPoolClientId": data_outputs["UserPoolClientId"],
        "signInProviders": [],
        "stage": stage.name,
    }
    if data_outputs.get("OAuthDomain"):
        config["signInProviders"] = ["Google"]
        config["oauthDomain"] = data_outputs["OAuthDomain"]
    return config


def cache_control(key):
    if key.startswith("assets/"):
        return IMMUTABLE  # Vite names these by content hash
    return NO_CACHE


def upload(s3, bucket, dist_dir, config, out=print):
    """Every file of dist/, then /config.json (last, so a page that loads
    finds its assets). Returns the keys written."""
    if not os.path.isfile(os.path.join(dist_dir, "index.html")):
        raise DeployError("%s has no index.html: is it a frontend build?" % dist_dir)
    keys = []
    for folder, _, files in os.walk(dist_dir):
        for filename in sorted(files):
            path = os.path.join(folder, filename)
            key = os.path.relpath(path, dist_dir).replace(os.sep, "/")
            if key == "config.json":
                continue  # a build carries none; the stage's is written below
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            with open(path, "rb") as handle:
                s3.put_object(Bucket=bucket, Key=key, Body=handle.read(), ContentType=content_type,
                              CacheControl=cache_control(key))
            keys.append(key)
    s3.put_object(Bucket=bucket, Key="config.json", Body=json.dumps(config, indent=2).encode(),
                  ContentType="application/json", CacheControl=NO_CACHE)
    keys.append("config.json")
    out("  uploaded %d files to s3://%s" % (len(keys), bucket))
    return keys


def invalidate(cloudfront, distribution_id, reference):
    cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch={
        "Paths": {"Quantity": 2, "Items": ["/index.html", "/config.json"]},
        "CallerReference": reference,
    })


def empty_bucket(s3, bucket):
    """A bucket must be empty before its stack can delete it."""
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        objects = [{"Key": item["Key"], "VersionId": item["VersionId"]}
                   for item in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
