"""Every example runs after `pip install .`: it imports only the standard library, keras_slm and the
packages setup.py installs (issue 19.3: serve_model.py needed httpx, a test-only dependency)."""

import ast
import glob
import importlib.metadata
import os
import re
import sys

from tests.conftest import REPO


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def install_requires():
    """Distribution names in setup.py's install_requires (what `pip install .` brings)."""
    with open(os.path.join(REPO, "setup.py"), encoding="utf-8") as f:
        block = re.search(r"install_requires=\[(.*?)\n    \]", f.read(), re.S).group(1)
    block = "\n".join(line.split("#")[0] for line in block.splitlines())
    return {_canonical(re.split(r"[<>=!\[ ;]", spec)[0]) for spec in re.findall(r'"([^"]+)"', block)}


def imported_modules(path):
    """Top-level names of every `import` in a file (function bodies included)."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_examples_import_only_installed_packages():
    core = install_requires()
    assert {"tensorflow", "keras", "fastapi", "uvicorn", "safetensors"} <= core
    distributions = importlib.metadata.packages_distributions()
    problems = []
    for path in sorted(glob.glob(os.path.join(REPO, "examples", "*.py"))):
        for name in sorted(imported_modules(path)):
            if name in sys.stdlib_module_names or name in ("keras_slm", "__future__"):
                continue
            owners = {_canonical(d) for d in distributions.get(name, [name])}
            if not owners & core:
                problems.append(f"{os.path.basename(path)} imports {name} ({', '.join(sorted(owners))}), "
                                "which `pip install .` does not install")
    assert not problems, "\n".join(problems)
