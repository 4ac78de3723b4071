"""Static analysis of cell code: the names a cell binds or mutates, and the names it uses.

Binding or mutating means assignment, import, ``def``, ``class``, ``del``, item or attribute
assignment, or a method call on the object (``model.fit(X)``), except method calls on imported
modules. Cells the analysis cannot see through (star imports, ``exec``, ``globals()``, code it
cannot parse) are marked opaque. IPython syntax (magics, ``!shell``) is turned into plain Python
first: see :func:`to_python`.
"""

from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass

MARK = "# [IPython] "
_OPAQUE_CALLS = frozenset({"exec", "eval", "globals", "locals", "vars", "get_ipython"})
_KEEP_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
_KEEP_STATEMENT_LINE_MAGICS = frozenset({"time", "timeit", "prun"})
_LINE_MAGIC = re.compile(r"^(\s*)(%{1,2})(\w+)\s*(.*)$")
_SHELL_OR_HELP = re.compile(r"^(\s*)(!|\w[\w.]*\s*=\s*[!%]|.*\?\s*$)")


def to_python(source: str) -> str:
    """``source`` as plain Python: IPython-only lines become ``pass`` with a comment.

    ``%time``/``%timeit`` keep their statement, ``%%writefile`` becomes a Python write, and other
    cell magics (``%%bash``, ...) are commented out whole. Code that already parses is unchanged.
    """
    if _parses(source):
        return source
    lines = source.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        return _cell_magic(lines[first].strip()[2:], "\n".join(lines[first + 1 :]))
    return "\n".join(_line(line) for line in lines)


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def _cell_magic(header: str, body: str) -> str:
    name, _, args = header.partition(" ")
    if name in _KEEP_BODY_CELL_MAGICS:
        return to_python(body)
    if name == "writefile":
        words = shlex.split(args)
        mode = "a" if "-a" in words or "--append" in words else "w"
        paths = [w for w in words if not w.startswith("-")]
        if len(paths) == 1:
            return (
                f"with open({paths[0]!r}, {mode!r}, encoding='utf-8') as _nbvc_file:\n"
                f"    _nbvc_file.write({body + chr(10)!r})"
            )
    commented = "\n".join(MARK + line for line in (f"%%{header}", *body.splitlines()))
    return f"{commented}\npass  {MARK}cell magic %%{name} is not run by this script"


def _line(line: str) -> str:
    magic = _LINE_MAGIC.match(line)
    if magic is not None:
        indent, _, name, rest = magic.groups()
        if name in _KEEP_STATEMENT_LINE_MAGICS and rest and not rest.startswith("-"):
            return indent + rest
        return f"{indent}pass  {MARK}{line.strip()}"
    shell = _SHELL_OR_HELP.match(line)
    if shell is not None and not _parses(line.strip()):
        return f"{shell.group(1)}pass  {MARK}{line.strip()}"
    return line


@dataclass(frozen=True)
class Names:
    """Module-level names a cell binds or mutates, and every name it reads."""

    defined: frozenset[str]
    used: frozenset[str]
    opaque: bool  # the analysis cannot tell: keep the cell


def names(code: str, modules: frozenset[str] = frozenset()) -> Names:
    """The names of ``code``; method calls on names in ``modules`` (imported modules) don't count
    as mutations, so ``np.mean(x)`` does not make every later use of ``np`` depend on it."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return Names(frozenset(), frozenset(), True)
    visitor = _NameVisitor(modules)
    visitor.visit(tree)
    return Names(frozenset(visitor.defined), frozenset(visitor.used), visitor.opaque)


def imported(code: str) -> frozenset[str]:
    """Names ``code`` binds by ``import`` at module level."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return frozenset()
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(_import_names(node))
    return frozenset(found)


def _import_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    return [(alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*"]


class _NameVisitor(ast.NodeVisitor):
    def __init__(self, modules: frozenset[str]) -> None:
        self.modules = modules
        self.defined: set[str] = set()
        self.used: set[str] = set()
        self.opaque = False
        self._depth = 0  # > 0 inside a function, lambda, class or comprehension scope

    def _bind(self, name: str) -> None:
        if self._depth == 0:
            self.defined.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.used.add(node.id)
        else:
            self._bind(node.id)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):  # x += 1 reads x too
            self.used.add(node.target.id)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for name in _import_names(node):
            self._bind(name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if any(alias.name == "*" for alias in node.names):
            self.opaque = True
        for name in _import_names(node):
            self._bind(name)

    def visit_Global(self, node: ast.Global) -> None:
        self.defined.update(node.names)

    def _scoped(self, node: ast.AST) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._bind(node.name)
        self._scoped(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._bind(node.name)
        self._scoped(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._bind(node.name)
        self._scoped(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scoped(node)

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._scoped(node)

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._scoped(node)

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._scoped(node)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._scoped(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if not isinstance(node.ctx, ast.Load):
            self._mutate(node.value)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if not isinstance(node.ctx, ast.Load):
            self._mutate(node.value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in _OPAQUE_CALLS:
            self.opaque = True
        if isinstance(func, ast.Attribute):
            self._mutate(func.value, method_call=True)
        self.generic_visit(node)

    def _mutate(self, target: ast.expr, method_call: bool = False) -> None:
        """``x.a = 1``, ``x[0] = 1``, ``x.a.b = 1``, ``x.fit()`` change the object ``x``."""
        while isinstance(target, ast.Attribute | ast.Subscript):
            target = target.value
        if isinstance(target, ast.Name) and not (method_call and target.id in self.modules):
            self.defined.add(target.id)  # a mutation inside a function changes the global too
