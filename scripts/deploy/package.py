"""A Lambda package without what the Lambda Python runtime already ships.

pynamodb depends on botocore, so Chalice's packager puts botocore (16 MB of
its 20 MB zip) into every deployment package although the runtime provides
boto3, botocore, s3transfer and jmespath. `slim_dependencies()` has Chalice's
dependency builder leave those out. Chalice caches the dependency zip in
.chalice/deployments/ under a name derived from requirements.txt, and `chalice
deploy` reuses it, so once `make deploy` built it, plain `chalice deploy`
ships the small package too."""
import contextlib
import glob
import json
import os
import re
import shutil
import zipfile

RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")


def _normalized(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def strip_runtime_packages(site_packages):
    """Remove the runtime's packages (and their dist-info) from a built
    site-packages directory; returns the names removed."""
    removed = []
    wanted = {_normalized(name) for name in RUNTIME_PROVIDED}
    for entry in sorted(os.listdir(site_packages)):
        base = entry.split("-")[0] if entry.endswith((".dist-info", ".data")) else entry
        if _normalized(base) in wanted:
            shutil.rmtree(os.path.join(site_packages, entry), ignore_errors=True)
            removed.append(entry)
    return removed


def holds_runtime_packages(zip_path):
    with zipfile.ZipFile(zip_path) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    return any(top in RUNTIME_PROVIDED for top in tops)


def drop_full_packages(backend_dir):
    """Cached dependency zips that still contain the runtime's packages (built
    by a plain `chalice deploy`) are removed so that they are rebuilt slim."""
    for path in glob.glob(os.path.join(backend_dir, ".chalice", "deployments", "*.zip")):
        if holds_runtime_packages(path):
            os.remove(path)


@contextlib.contextmanager
def slim_dependencies(backend_dir):
    from chalice.deploy import packager

    drop_full_packages(backend_dir)
    original = packager.DependencyBuilder.build_site_packages

    def build_site_packages(self, abi, requirements_filepath, target_directory):
        original(self, abi, requirements_filepath, target_directory)
        strip_runtime_packages(target_directory)

    packager.DependencyBuilder.build_site_packages = build_site_packages
    try:
        yield
    finally:
        packager.DependencyBuilder.build_site_packages = original


def trace_the_api(sam_path):
    """`chalice package` turns the `xray` setting into `Tracing: Active` on
    the functions but leaves the API stage untraced: trace it too when the
    functions are traced (the deploy does the same, api.tracing_operations)."""
    with open(sam_path) as handle:
        template = json.load(handle)
    resources = template["Resources"]
    traced = any(resource["Properties"].get("Tracing") == "Active" for resource in resources.values()
                 if resource["Type"] == "AWS::Serverless::Function")
    if traced and "RestAPI" in resources:
        resources["RestAPI"]["Properties"]["TracingEnabled"] = True
        with open(sam_path, "w") as handle:
            json.dump(template, handle, indent=2)


def package(project_dir, out_dir, stage):
    """`chalice package --stage <stage> <out_dir>` with the slim dependencies:
    deployment.zip (the Lambda package) and sam.json."""
    import chalice.cli

    with slim_dependencies(project_dir):
        chalice.cli.cli.main(["--project-dir", project_dir, "package", "--stage", stage, out_dir],
                             obj={}, standalone_mode=False)
    trace_the_api(os.path.join(out_dir, "sam.json"))
    return os.path.join(out_dir, "deployment.zip")


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 4:
        sys.exit("usage: python -m scripts.deploy.package <chalice project> <out dir> <stage>")
    zip_path = package(*sys.argv[1:])
    print("%s: %.2f MB" % (zip_path, os.path.getsize(zip_path) / 1e6))
