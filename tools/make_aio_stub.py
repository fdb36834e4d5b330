"""Writes pkg/gilfree/aio.pyi, the type stub of gilfree.aio, from the code.

gilfree.aio makes its awaitable twins at run time (``__getattr__``), so type
checkers see them only through this stub: one ``async def`` per kernel of
gilfree._registry.KERNELS with the kernel's own parameters and result (its
overloads, if any, each made ``async``), and the module's own functions with
their annotations. Annotations are copied as source text (the modules use
``from __future__ import annotations``); each name they use is imported from
where it is defined.

Run ``python tools/make_aio_stub.py`` after changing a kernel's signature;
tests/test_typing.py checks that the committed stub is this script's output.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

STUB = Path(__file__).resolve().parents[1] / "pkg" / "gilfree" / "aio.pyi"
TARGET = "gilfree.aio"


class Imports:
    """The import lines a stub needs, one per name, each from its home."""

    def __init__(self) -> None:
        self.lines: set[str] = set()
        self.defs: dict[str, str] = {}  # names the stub defines itself (type variables)

    def need(self, annotation: str, where: dict[str, Any]) -> None:
        for node in ast.walk(ast.parse(annotation, mode="eval")):
            if isinstance(node, ast.Name) and node.id not in self.defs:
                self._one(node.id, where)

    def _one(self, name: str, where: dict[str, Any]) -> None:
        if name in where:
            obj = where[name]
        elif hasattr(builtins, name):
            return
        else:
            raise NameError(f"{name!r} of an annotation is not defined in the kernel's module")
        if inspect.ismodule(obj):
            alias = "" if obj.__name__ == name else f" as {name}"
            self.lines.add(f"import {obj.__name__}{alias}")
        elif isinstance(obj, (typing.TypeVar, typing.ParamSpec)):
            kind = type(obj).__name__
            bound = getattr(obj, "__bound__", None)
            if bound is not None and not isinstance(bound, typing.ForwardRef):
                raise TypeError(f"{name}: a type variable's bound must be a string (a forward reference)")
            self.lines.add(f"from typing import {kind}")
            if bound is None:
                self.defs[name] = f'{name} = {kind}("{obj.__name__}")'
            else:  # bound="...": written as it is, its names imported like an annotation's
                self.defs[name] = f'{name} = {kind}("{obj.__name__}", bound={bound.__forward_arg__})'
                self.need(bound.__forward_arg__, vars(sys.modules[obj.__module__]))
        else:
            home = _home(name, obj)
            alias = "" if home[1] == name else f" as {name}"
            self.lines.add(f"from {home[0]} import {home[1]}{alias}")

    def text(self) -> str:
        """The import block (isort's order: standard library, third party,
        gilfree; plain imports first) and the type variables."""
        plain: dict[str, set[str]] = {}
        froms: dict[str, set[str]] = {}
        for line in self.lines:
            words = line.split(" ", 3)
            if words[0] == "import":
                plain.setdefault(words[1].split(".")[0], set()).add(line)
            else:
                froms.setdefault(words[1], set()).add(words[3])
        groups: dict[int, list[str]] = {}
        for root, lines in plain.items():
            groups.setdefault(_group(root), []).extend(sorted(lines))
        for mod in sorted(froms, key=str.lower):
            plain_names = sorted((n for n in froms[mod] if " as " not in n), key=_by_type)
            lines = [f"from {mod} import {', '.join(plain_names)}"] if plain_names else []
            lines += [f"from {mod} import {n}" for n in sorted(n for n in froms[mod] if " as " in n)]
            groups.setdefault(_group(mod), []).extend(lines)
        blocks = []
        for g in sorted(groups):
            group = groups[g]
            blocks.append("\n".join(sorted(group, key=lambda s: s.startswith("from"))))  # stable
        out = "\n\n".join(blocks) + "\n"
        if self.defs:
            out += "\n" + "\n".join(self.defs[k] for k in sorted(self.defs)) + "\n"
        return out


def _by_type(name: str) -> tuple[int, str]:
    """isort's order-by-type: CONSTANTS, Classes, then functions."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[0].isupper() else 2
    return kind, name


def _group(module: str) -> int:
    root = module.split(".")[0]
    if root == "gilfree":
        return 2
    return 0 if root in sys.stdlib_module_names else 1


def _home(name: str, obj: object) -> tuple[str, str]:
    """(module, name) that defines obj: its own __module__ for a class or
    function, else the gilfree module whose source assigns the name."""
    mod, qual = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(mod, str) and isinstance(qual, str) and mod != TARGET:
        try:
            if getattr(importlib.import_module(mod), qual, None) is obj:
                return mod, qual
        except ImportError:
            pass
    for modname, module in sorted(sys.modules.items()):
        if not modname.startswith("gilfree") or modname == TARGET or getattr(module, name, None) is not obj:
            continue
        source = Path(module.__file__ or "").read_text()
        for node in ast.parse(source).body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return modname, name
    raise LookupError(f"cannot tell where {name!r} is defined")


def _default(value: object) -> str:
    if isinstance(value, str) and value.isidentifier():
        return f'"{value}"'
    if value is None or isinstance(value, (bool, int, float)):
        text = repr(value)
        if "inf" not in text and "nan" not in text:
            return text
    return "..."


def _annotation(ann: object, what: str, imports: Imports, where: dict[str, Any]) -> str:
    """An annotation as source text (Any, with a warning, where there is none)."""
    if ann is inspect.Parameter.empty:
        print(f"warning: {what} has no annotation: Any in the stub", file=sys.stderr)
        imports.lines.add("from typing import Any")
        return "Any"
    text = ann if isinstance(ann, str) else inspect.formatannotation(ann)
    imports.need(text, where)
    return text


def _signature(fn: Callable[..., Any], imports: Imports) -> tuple[list[str], str]:
    """The parameters and the return of fn, as source text."""
    sig = inspect.signature(fn)
    P = inspect.Parameter
    parts: list[str] = []
    previous = None
    for p in sig.parameters.values():
        if previous is P.POSITIONAL_ONLY and p.kind is not P.POSITIONAL_ONLY:
            parts.append("/")
        if p.kind is P.KEYWORD_ONLY and previous not in (P.KEYWORD_ONLY, P.VAR_POSITIONAL):
            parts.append("*")
        ann = _annotation(p.annotation, f"{fn.__qualname__}({p.name})", imports, fn.__globals__)
        prefix = {P.VAR_POSITIONAL: "*", P.VAR_KEYWORD: "**"}.get(p.kind, "")
        default = "" if p.default is P.empty else f" = {_default(p.default)}"
        parts.append(f"{prefix}{p.name}: {ann}{default}")
        previous = p.kind
    if previous is P.POSITIONAL_ONLY:
        parts.append("/")
    ret = _annotation(sig.return_annotation, f"{fn.__qualname__} -> ", imports, fn.__globals__)
    return parts, ret


def _defs(name: str, fn: Callable[..., Any], imports: Imports, *, twin: bool) -> list[str]:
    """The stub's def lines for fn (one per overload), under `name`."""
    if twin or inspect.iscoroutinefunction(fn):
        keyword = "async def"
    else:
        keyword = "def"  # a plain function, or an async generator (its return is its iterator)
    variants = list(typing.get_overloads(fn)) or [fn]
    lines = []
    for v in variants:
        if len(variants) > 1:
            lines.append("@overload")
            imports.lines.add("from typing import overload")
        params, ret = _signature(v, imports)
        line = f"{keyword} {name}({', '.join(params)}) -> {ret}: ..."
        if len(line) > 110:  # one parameter a line, as ruff format writes it
            line = f"{keyword} {name}(\n" + "".join(f"    {p},\n" for p in params) + f") -> {ret}: ..."
        lines.append(line)
    return lines


def stub_text() -> str:
    """The text of aio.pyi for the kernels registered now."""
    import gilfree  # noqa: F401  (registers every kernel)
    from gilfree import _registry, aio

    imports = Imports()
    own: list[str] = []
    for name in sorted(aio.__all__):
        obj = getattr(aio, name)
        if inspect.isclass(obj):
            home = _home(name, obj)
            imports.lines.add(f"from {home[0]} import {home[1]} as {name}")
        else:
            own += _defs(name, obj, imports, twin=False)
    twins: list[str] = []
    for name in sorted(_registry.KERNELS):
        twins += _defs(name, _registry.KERNELS[name], imports, twin=True)
    return (
        '"""Type stub of gilfree.aio, written by tools/make_aio_stub.py: do not edit."""\n\n'
        + imports.text()
        + "\n__all__ = ["
        + ", ".join(f'"{n}"' for n in sorted(aio.__all__))
        + "]\n\nINLINE_BUDGET: int\n\n"
        + "\n".join(own)
        + "\n\n# the awaitable twins of the kernels\n"
        + "\n".join(twins)
        + "\n"
    )


def main() -> None:
    STUB.write_text(stub_text())
    print(f"wrote {STUB}")


if __name__ == "__main__":
    main()
