"""The layout docs/architecture.md describes, kept true: domain packages that
import only downwards, no import cycles in the backend or scripts/, imports
inside functions only with a reason, and no private library internals or
path edits where they do not belong."""
import ast
import os
import re

import pytest

from scripts import BACKEND, ROOT

# Lowest first: a package may import its own modules and those of the
# packages before it, never one after it.
LAYERS = ("platform", "notices", "keys", "credits", "billing", "accounts", "orgs", "privacy", "operators", "web")


def modules_under(directory, package_root):
    """{dotted module name: path} for every .py file below `directory`."""
    found = {}
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = [name for name in subfolders if name not in ("node_modules", "__pycache__")]
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                dotted = os.path.relpath(path, package_root)[:-3].replace(os.sep, ".")
                found[dotted[:-len(".__init__")] if dotted.endswith(".__init__") else dotted] = path
    return found


def imported_modules(path, module, known):
    """The known modules `path` imports, at any depth (inside functions too)."""
    tree = ast.parse(open(path).read())
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names = [base] + ["%s.%s" % (base, alias.name) for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
    return targets


def import_graph():
    known = modules_under(os.path.join(BACKEND, "chalicelib"), BACKEND)
    known["app"] = os.path.join(BACKEND, "app.py")
    known.update(modules_under(os.path.join(ROOT, "scripts"), ROOT))
    return {module: imported_modules(path, module, known) for module, path in known.items()}


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_through_three_modules():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_in_the_backend_or_scripts():
    assert cycles(import_graph()) == []


def layer_of(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "chalicelib" else None


def test_domain_packages_import_only_downwards():
    upward = []
    for module, targets in import_graph().items():
        own = layer_of(module)
        if own is None:
            continue
        for target in targets:
            other = layer_of(target)
            if other is not None and LAYERS.index(other) > LAYERS.index(own):
                upward.append("%s -> %s" % (module, target))
    assert upward == []


def test_every_module_of_chalicelib_lives_in_a_domain_package():
    top_level = [name for name in os.listdir(os.path.join(BACKEND, "chalicelib"))
                 if name.endswith(".py") and name != "__init__.py"]
    packages = sorted(name for name in os.listdir(os.path.join(BACKEND, "chalicelib"))
                      if os.path.isfile(os.path.join(BACKEND, "chalicelib", name, "__init__.py")))
    assert top_level == []
    assert packages == sorted(LAYERS)


@pytest.mark.parametrize("package", LAYERS)
def test_each_package_says_what_it_owns(package):
    tree = ast.parse(open(os.path.join(BACKEND, "chalicelib", package, "__init__.py")).read())
    assert len(ast.get_docstring(tree) or "") > 200


def function_imports_without_reason(path):
    """Functions (in `path`) that import without a comment saying why on any
    of their import lines: an import inside a function is there to keep the
    cold start small, and says so."""
    source = open(path).read()
    lines = source.splitlines()
    silent = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        imports = [node for node in ast.walk(function) if isinstance(node, (ast.Import, ast.ImportFrom))]
        if imports and not any("#" in lines[node.lineno - 1] for node in imports):
            silent.append("%s:%d %s" % (os.path.relpath(path, ROOT), function.lineno, function.name))
    return silent


def test_imports_inside_backend_functions_say_why():
    paths = [os.path.join(BACKEND, "app.py")] + list(
        modules_under(os.path.join(BACKEND, "chalicelib"), BACKEND).values())
    assert [line for path in paths for line in function_imports_without_reason(path)] == []


def source_files(*folders):
    for folder in folders:
        for path in modules_under(os.path.join(ROOT, folder), ROOT).values():
            yield path


PRIVATE_INTERNALS = re.compile(r"\b(_get_connection|DependencyBuilder)\b")


def test_no_private_library_internals_outside_the_tests():
    """pynamodb's and Chalice's private internals stay out of the app, the
    deploy and the measuring scripts (the tests may reach into them)."""
    offenders = [os.path.relpath(path, ROOT) for path in source_files("backend", "scripts")
                 if PRIVATE_INTERNALS.search(open(path).read())]
    assert offenders == []


def test_no_module_of_scripts_or_tests_edits_the_import_path():
    """The backend and scripts/ are installed (pyproject.toml): nothing needs
    to put a folder on the import path."""
    edit = re.compile(r"\bsys\.path\s*(\.(insert|append|extend)|\[[^\]]*\]\s*=|\s*\+?=)")
    here = os.path.abspath(__file__)
    offenders = [os.path.relpath(path, ROOT) for path in source_files("scripts", "tests")
                 if os.path.abspath(path) != here and edit.search(open(path).read())]
    assert offenders == []
