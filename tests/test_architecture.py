"""The layering of ARCHITECTURE.md, checked: import contracts (import-linter), no import cycle, module size."""

import ast
import configparser
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "keras_slm"
CONFIG = os.path.join(REPO, ".importlinter")
MAX_LINES = 400


def lint_imports(root, config=CONFIG):
    """Runs import-linter on the `keras_slm` under `root`; (exit code, output)."""
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command(sys.argv[1:])"
    env = dict(os.environ, PYTHONPATH=str(root))
    result = subprocess.run(
        [sys.executable, "-c", code, "--no-cache", "--no-logo", str(config)],
        cwd=str(root), env=env, capture_output=True, text=True, timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def module_files(root):
    """{module name: path} of every module of the package under `root`."""
    found = {}
    for folder, _, names in os.walk(os.path.join(root, PACKAGE)):
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                module = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
                found[module.removesuffix(".__init__")] = path
    return found


def _lazy_alias_nodes(tree):
    """Import nodes inside a module-level `__getattr__` (PEP 562 legacy aliases)."""
    nodes = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            nodes.update(id(n) for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom)))
    return nodes


def import_graph(root):
    """(edges, lazy): every keras_slm -> keras_slm import, top-level or inside a function.

    `lazy` holds the edges made inside a module-level `__getattr__` (PEP 562); they are in
    `edges` too.
    `from package import name` points at the submodule when `name` is one, else at the package.
    """
    modules = module_files(root)

    def resolve(name):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    edges, lazy = {m: set() for m in modules}, set()
    for module, path in modules.items():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        aliases = _lazy_alias_nodes(tree)
        is_package = path.endswith("__init__.py")
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [resolve(a.name) for a in node.names if a.name.split(".")[0] == PACKAGE]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                    base = ".".join(parts + ([node.module] if node.module else []))
                if base.split(".")[0] == PACKAGE:
                    targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else resolve(base) for a in node.names]
            for target in targets:
                if target and target != module:
                    edges[module].add(target)
                    if id(node) in aliases:
                        lazy.add((module, target))
    return edges, lazy


def find_cycles(edges):
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def declared_aliases():
    """The legacy-alias imports `.importlinter` ignores in its layers contract."""
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    lines = parser["importlinter:contract:layers"]["ignore_imports"].splitlines()
    return {tuple(p.strip() for p in line.split("->")) for line in lines if "->" in line and not line.strip().startswith("#")}


def copy_package(tmp_path):
    shutil.copytree(os.path.join(REPO, PACKAGE), tmp_path / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "samples"))
    shutil.copy(CONFIG, tmp_path / ".importlinter")
    return tmp_path


def test_import_contracts_hold():
    code, output = lint_imports(REPO)
    assert code == 0, output
    assert "0 broken" in output, output


@pytest.mark.parametrize(
    "module, line, contract",
    [
        # export converts any Keras model: it never imports a task.
        ("export/converter.py", "from keras_slm.tasks.text_classifier import TextClassifier", "Layers"),
        # training sits below tasks, models below training.
        ("models/classifiers.py", "import keras_slm.training.peft", "Layers"),
        # serving runs TFLite files: not even an indirect import of training (through a task recipe).
        ("serving/source.py", "from keras_slm.tasks.classifier_training import train_classifier", "Serving never imports training"),
        ("text/word_tokenizer.py", "from keras_slm.cli import main", "The library never imports keras_slm.cli"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path, module, line, contract):
    root = copy_package(tmp_path)
    path = root / PACKAGE / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef _forbidden():\n    {line}\n", encoding="utf-8")
    code, output = lint_imports(root, root / ".importlinter")
    assert code == 1, output
    broken = output.partition("Broken contracts")[2]
    assert contract in broken, output
    assert f"{PACKAGE}.{module[:-3].replace('/', '.')} -> " in broken, output


def without_legacy_aliases(edges, lazy):
    """The graph less the declared legacy aliases (ARCHITECTURE.md: the one exception)."""
    aliases = declared_aliases() & lazy
    return {m: {t for t in targets if (m, t) not in aliases} for m, targets in edges.items()}


def test_no_import_cycle_among_keras_slm_modules():
    edges, lazy = import_graph(REPO)
    assert sum(len(targets) for targets in edges.values()) > 300  # the graph really was read
    assert find_cycles(without_legacy_aliases(edges, lazy)) == []


def test_legacy_aliases_are_lazy_imports():
    # The cycle search leaves out a declared alias only because it runs on first use of an old
    # name, in a module-level __getattr__: an alias imported at load time would be a real cycle.
    _, lazy = import_graph(REPO)
    assert declared_aliases() <= lazy, declared_aliases() - lazy


def test_the_cycle_search_finds_a_cycle(tmp_path):
    root = copy_package(tmp_path)
    path = root / PACKAGE / "text" / "conventions.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n\ndef _cycle():\n    from keras_slm.text import vocab_tokenizer\n")
    edges, lazy = import_graph(root)
    cycles = find_cycles(without_legacy_aliases(edges, lazy))
    assert any({"keras_slm.text.conventions", "keras_slm.text.vocab_tokenizer"} <= set(c) for c in cycles), cycles


def test_no_module_over_400_lines():
    sizes = {}
    for module, path in module_files(REPO).items():
        with open(path, encoding="utf-8") as f:
            sizes[module] = sum(1 for _ in f)
    assert {m: n for m, n in sizes.items() if n > MAX_LINES} == {}
