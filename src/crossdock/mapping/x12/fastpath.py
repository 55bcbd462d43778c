"""Straight-line readers generated per rule, for the interpreter (``read.read_segments``).

The generic per-rule reader (``read._apply``) loops over each rule's element specs; here each
rule's specs become a small Python function with the positions, keys and decoders inlined,
built once when the mapper compiles its maps. All decoding happens before the first change
to the document, so when a value is bad the function raises and the interpreter runs the
generic path for that segment, which reports the error precisely; tracing also uses the
generic path. (The mapper's hot path is the whole-transaction reader of ``fastread``; the
interpreter reads only transactions with something to report.)
"""

from __future__ import annotations

from functools import partial
from typing import Any

from crossdock.mapping.x12.compile import CompiledMap
from crossdock.mapping.x12.nodes import Path, Rule
from crossdock.mapping.x12.read import decode, read_pairs
from crossdock.mapping.x12.values import join_text


def install(compiled: CompiledMap) -> None:
    """Give every rule of ``compiled`` its generated reader."""
    for rule in compiled.rules.values():
        rule.fast = _build(compiled, rule)


def _build(compiled: CompiledMap, rule: Rule) -> Any:
    env: dict[str, Any] = {"read_pairs": read_pairs, "join_text": join_text}
    lines = ["def apply(ctx, segment, pending):", "    els = segment.elements", "    n = len(els)"]
    for i, (position, _, _, plain, elem) in enumerate(rule.reads):
        lines.append(f"    r{i} = els[{position}] if n > {position} else ''")
        if not plain:
            env[f"dec{i}"] = partial(decode, compiled, elem)
            lines.append(f"    v{i} = dec{i}(r{i}, els) if r{i} else None")
    for j, (path, value) in enumerate(rule.sets):
        env[f"const{j}"] = value
        lines += assign_lines(path[:-1], path[-1], f"const{j}", False, "    ")
    for j, (target, source) in enumerate(rule.refs):
        env[f"ref{j}"] = (target, source)
        lines.append(f"    pending.append((ctx, ref{j}[0], ref{j}[1], None))")
    for j, (target, constant) in enumerate(rule.defaults):
        env[f"default{j}"] = (target, constant)
        lines.append(f"    pending.append((ctx, default{j}[0], None, default{j}[1]))")
    for i, (_, head, last, plain, elem) in enumerate(rule.reads):
        lines.append(f"    if r{i}:")
        value = f"r{i}" if plain else f"v{i}"
        lines += assign_lines(head, last, value, elem.append, "        ", bool(elem.split))
    for k, pairs in enumerate(rule.pairs):
        env[f"pairs{k}"] = pairs
        lines.append(f"    read_pairs(pairs{k}, ctx, (), segment, None)")
    text = "\n".join(lines) + "\n"
    exec(compile(text, f"<x12 map {compiled.code} rule {rule.name}>", "exec"), env)
    return env["apply"]


def assign_lines(
    head: Path, last: str, value: str, append: bool, indent: str, join: bool = False
) -> list[str]:
    """Source lines that put ``value`` at head + last under ``ctx``, creating dicts."""
    if not head:
        if append:
            return [f"{indent}ctx.setdefault({last!r}, []).append({value})"]
        if join:
            return [f"{indent}join_text(ctx, {last!r}, {value})"]
        return [f"{indent}ctx[{last!r}] = {value}"]
    lines = [f"{indent}t = ctx"]
    for key in head:
        lines += [
            f"{indent}u = t.get({key!r})",
            f"{indent}if u is None:",
            f"{indent}    u = t[{key!r}] = {{}}",
            f"{indent}t = u",
        ]
    if append:
        lines.append(f"{indent}t.setdefault({last!r}, []).append({value})")
    elif join:
        lines.append(f"{indent}join_text(t, {last!r}, {value})")
    else:
        lines.append(f"{indent}t[{last!r}] = {value}")
    return lines
