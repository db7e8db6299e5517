"""scripts/measure/bundle_budget.py: what counts as the JavaScript the pricing page loads."""
import gzip
import json

from scripts.measure import bundle_budget

MANIFEST = {
    "index.html": {"file": "assets/index-a.js", "isEntry": True, "src": "index.html",
                   "imports": ["_vendor-b.js"], "dynamicImports": ["src/views/PricingView.vue",
                                                                   "src/views/AccountView.vue"],
                   "css": ["assets/index-a.css"]},
    "_vendor-b.js": {"file": "assets/vendor-b.js"},
    "src/views/PricingView.vue": {"file": "assets/PricingView-c.js", "isDynamicEntry": True,
                                  "src": "src/views/PricingView.vue", "imports": ["_format-d.js", "_vendor-b.js"]},
    "_format-d.js": {"file": "assets/format-d.js"},
    "src/views/AccountView.vue": {"file": "assets/AccountView-e.js", "isDynamicEntry": True,
                                  "src": "src/views/AccountView.vue", "imports": ["_chart-f.js"]},
    "_chart-f.js": {"file": "assets/chart-f.js"},
}


def build(tmp_path):
    (tmp_path / ".vite").mkdir()
    (tmp_path / ".vite" / "manifest.json").write_text(json.dumps(MANIFEST))
    (tmp_path / "assets").mkdir()
    sizes = {}
    for index, chunk in enumerate(MANIFEST.values()):
        content = ("/* %d */" % index + "x = %d;" % index * (100 * (index + 1))).encode()
        (tmp_path / chunk["file"]).write_bytes(content)
        sizes[chunk["file"]] = len(gzip.compress(content, compresslevel=9))
    (tmp_path / "assets" / "index-a.css").write_text("body{}")
    (tmp_path / "index.html").write_text("<html></html>")
    return sizes


def test_pricing_counts_the_entry_the_route_chunk_and_their_static_imports(tmp_path):
    sizes = build(tmp_path)
    figures = bundle_budget.measure(str(tmp_path))
    loaded = ["assets/PricingView-c.js", "assets/format-d.js", "assets/index-a.js", "assets/vendor-b.js"]
    assert figures["pricing_files"] == loaded          # not the account page nor its chart
    assert figures["pricing_split"] is True
    assert figures["pricing_js"] == sum(sizes[name] for name in loaded)
    assert figures["all_js"] == sum(sizes.values())
    assert figures["all_files"] > figures["all_js"]


def test_the_report_says_when_nothing_is_built(tmp_path):
    assert "not built" in bundle_budget.report(str(tmp_path))[0]
    build(tmp_path)
    lines = bundle_budget.report(str(tmp_path))
    assert "pricing page loads" in lines[0] and "target <= 200 kB" in lines[0]
    assert "whole build" in lines[1]
