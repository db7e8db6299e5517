"""The frontend's bundle budget, from the build's manifest
(frontend/dist/.vite/manifest.json): the gzip size of the JavaScript the
pricing page loads -- the entry chunk, the pricing route's chunk, and
everything they import statically -- and of the whole build. Printed by
`make bench` (target <= 200 kB for the pricing page)."""
import gzip
import json
import os
import re

from scripts import ROOT

DIST = os.path.join(ROOT, "frontend", "dist")
PRICING_TARGET_KB = 200
PRICING_ROUTE = re.compile(r"pricing", re.IGNORECASE)


def load_manifest(dist=DIST):
    with open(os.path.join(dist, ".vite", "manifest.json")) as handle:
        return json.load(handle)


def static_closure(manifest, keys):
    """The manifest keys of `keys` and of everything they import statically."""
    seen, pending = set(), list(keys)
    while pending:
        key = pending.pop()
        if key in seen or key not in manifest:
            continue
        seen.add(key)
        pending.extend(manifest[key].get("imports", []))
    return seen


def pricing_keys(manifest):
    """The entry, the pricing route's own chunk when it is split off (a
    dynamic entry whose source names pricing), and their static imports."""
    entries = [key for key, chunk in manifest.items() if chunk.get("isEntry")]
    routes = [key for key, chunk in manifest.items()
              if chunk.get("isDynamicEntry") and PRICING_ROUTE.search(chunk.get("src") or key)]
    return static_closure(manifest, entries + routes), bool(routes)


def gzip_size(path):
    with open(path, "rb") as handle:
        return len(gzip.compress(handle.read(), compresslevel=9))


def build_files(dist=DIST):
    for folder, _, names in os.walk(dist):
        if os.path.basename(folder) == ".vite":
            continue
        for name in names:
            yield os.path.join(folder, name)


def measure(dist=DIST):
    """{pricing_js, pricing_files, pricing_split, all_js, all_files} in bytes (gzip)."""
    manifest = load_manifest(dist)
    keys, split = pricing_keys(manifest)
    pricing_files = sorted({manifest[key]["file"] for key in keys if manifest[key]["file"].endswith(".js")})
    files = list(build_files(dist))
    return {
        "pricing_js": sum(gzip_size(os.path.join(dist, name)) for name in pricing_files),
        "pricing_files": pricing_files,
        "pricing_split": split,
        "all_js": sum(gzip_size(path) for path in files if path.endswith(".js")),
        "all_files": sum(gzip_size(path) for path in files),
    }


def report(dist=DIST):
    """The lines `make bench` prints."""
    if not os.path.isfile(os.path.join(dist, ".vite", "manifest.json")):
        return ["Frontend bundle: not built (cd frontend && npm run build; build.manifest must be on)"]
    figures = measure(dist)
    kb = lambda size: size / 1000  # noqa: E731 - kB as Vite prints them
    route = "its route chunk" if figures["pricing_split"] else "no separate route chunk"
    return [
        "Frontend bundle: JavaScript the pricing page loads %.1f kB gzip in %d files (entry, %s and "
        "their static imports; target <= %d kB)"
        % (kb(figures["pricing_js"]), len(figures["pricing_files"]), route, PRICING_TARGET_KB),
        "Frontend bundle: whole build %.1f kB gzip of JavaScript, %.1f kB gzip in all"
        % (kb(figures["all_js"]), kb(figures["all_files"])),
    ]


if __name__ == "__main__":
    print("\n".join(report()))
