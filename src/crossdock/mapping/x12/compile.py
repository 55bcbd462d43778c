"""Turn map data (plain dicts, see ``maps/``) into the tuples and slotted objects the reader
and writer walk.

Compiling once per (partner, set, version) is what keeps mapping fast: the per-segment work is
a dict lookup by tag, a qualifier compare and a loop over pre-split element paths. Compiling
also validates the data, so a bad map or partner override fails when the mapper is built,
with the offending key named, rather than on the first document.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timezone
from typing import Any

from crossdock.canonical.base import CanonicalDocument
from crossdock.canonical.registry import document_model
from crossdock.mapping.x12.errors import MappingConfigError
from crossdock.mapping.x12.hooks import HOOKS
from crossdock.mapping.x12.nodes import Elem, Level, Pairs, Path, Rule
from crossdock.mapping.x12.shield import shield
from crossdock.mapping.x12.values import offset_text, parse_timezone

PLAIN = frozenset({"str", "int", "decimal"})  # read as sent: pydantic parses them
KINDS = frozenset({"str", "int", "decimal", "n2", "date", "datetime", "sscc"})
MAP_KEYS = frozenset(
    {
        "code",
        "document_type",
        "segments",
        "codes",
        "defaults",
        "options",
        "hooks",
        "envelope",
        "doc",
    }
)
RULE_KEYS = frozenset(
    {"name", "tag", "when", "required", "elements", "pairs", "set", "children", "path", "list"}
    | {"hl", "number", "default", "once", "doc", "emit_if"}
)
ELEMENT_KEYS = frozenset(
    {"path", "type", "time", "codes", "const", "if", "count", "write", "read", "max", "split"}
)
PAIRS_KEYS = frozenset({"first", "count", "targets", "other", "emit"})
OPTION_KEYS = frozenset({"timezone"})
ENVELOPE_SOURCES = frozenset({"sender", "receiver", "sender_id", "receiver_id", "group_time"})


class CompiledMap:
    """A transaction set's map, ready to read and write."""

    __slots__ = (
        "code",
        "defaults",
        "document_type",
        "envelope",
        "hooks",
        "model",
        "offset",
        "root",
        "rules",
        "zone",
    )

    def __init__(self, data: Mapping[str, Any]) -> None:
        where = f"map {data.get('code', '?')}"
        _check_keys(data, MAP_KEYS, where)
        self.code = str(data["code"])
        self.document_type = str(data["document_type"])
        model = document_model(self.document_type)
        if model is None:
            raise MappingConfigError(f"{where}: unknown document_type {self.document_type!r}")
        self.model: type[CanonicalDocument] = model
        options = dict(data.get("options", {}))
        _check_keys(options, OPTION_KEYS, f"{where} options")
        try:
            self.zone: timezone = parse_timezone(str(options.get("timezone", "UTC")))
        except ValueError as exc:
            raise MappingConfigError(f"{where} options.timezone: {exc}") from exc
        self.offset = offset_text(self.zone)
        self.defaults = tuple((_path(k), v) for k, v in dict(data.get("defaults", {})).items())
        self.hooks = tuple(_hook(h, where) for h in data.get("hooks", ()))
        envelope = dict(data.get("envelope", {}))
        for key, source in envelope.items():
            if source not in ENVELOPE_SOURCES:
                raise MappingConfigError(
                    f"{where} envelope.{key}: unknown source {source!r} "
                    f"(expected one of {', '.join(sorted(ENVELOPE_SOURCES))})"
                )
        self.envelope = tuple((str(k), str(v)) for k, v in envelope.items())
        codes = {str(k): dict(v) for k, v in dict(data.get("codes", {})).items()}
        self.rules: dict[str, Rule] = {}
        self.root = self._level(data.get("segments", []), codes, where, sticky=False)
        shield(self.root, self.code)

    def _level(
        self, rules: Any, codes: dict[str, dict[str, Any]], where: str, sticky: bool
    ) -> Level:
        return Level(tuple(self._rule(r, codes, where) for r in rules), sticky)

    def _rule(self, data: Mapping[str, Any], codes: dict[str, dict[str, Any]], where: str) -> Rule:
        tag = str(data.get("tag", ""))
        name = str(data.get("name") or data.get("path") or tag)
        here = f"{where} rule {name!r}"
        _check_keys(data, RULE_KEYS, here)
        if not tag:
            raise MappingConfigError(f"{here}: 'tag' is required")
        if name in self.rules:
            raise MappingConfigError(f"{here}: two rules are named {name!r}; give one a 'name'")
        rule = Rule(name, tag)
        self.rules[name] = rule
        when = []
        for index, values in dict(data.get("when", {})).items():
            accepted = [values] if isinstance(values, str) else [str(v) for v in values]
            if not accepted:
                raise MappingConfigError(f"{here} when[{index}]: no qualifier given")
            when.append((_index(index, here) - 1, frozenset(accepted), accepted[0]))
        rule.when = tuple(when)
        rule.when_more = len(when) > 1
        rule.required = bool(data.get("required", False))
        rule.once = bool(data.get("once", False))
        rule.elems = tuple(
            _elem(_index(i, here), one, codes, f"{here} element {i}")
            for i, spec in dict(data.get("elements", {})).items()
            for one in (spec if isinstance(spec, list) else [spec])
        )
        rule.const_if = tuple(e for e in rule.elems if e.const_if)
        rule.reads = tuple(
            sorted(
                (
                    (
                        e.index - 1,
                        e.path[:-1],
                        e.path[-1],
                        e.codes_in is None and e.kind in PLAIN,
                        e,
                    )
                    for e in rule.elems
                    if e.const is None and e.count is None and e.read
                ),
                key=lambda read: read[0],
            )
        )
        appended = {e.path for e in rule.elems if e.append}
        if len(appended) > 1:
            raise MappingConfigError(f"{here}: '[]' elements must share one list path")
        rule.append = next(iter(appended), None)
        splits = [e for e in rule.elems if e.split > 1]
        if len(splits) > 1 or (splits and rule.append):
            raise MappingConfigError(f"{here}: one 'split' element per rule, and no '[]'")
        rule.split = splits[0] if splits else None
        rule.pairs = tuple(_pairs(p, f"{here} pairs") for p in _as_list(data.get("pairs")))
        sets, refs = [], []
        for key, value in dict(data.get("set", {})).items():
            if isinstance(value, str) and value.startswith("="):
                refs.append((_path(key), _path(value[1:])))
            else:
                sets.append((_path(key), value))
        rule.sets, rule.refs = tuple(sets), tuple(refs)
        rule.defaults = tuple((_path(k), v) for k, v in dict(data.get("default", {})).items())
        rule.path = _path(data["path"]) if data.get("path") else ()
        rule.is_list = bool(data.get("list", False))
        rule.hl = bool(data.get("hl", False))
        rule.number = str(data["number"]) if data.get("number") else None
        rule.emit_if = _path(data["emit_if"]) if data.get("emit_if") else None
        if "children" in data or rule.path or rule.hl:
            rule.level = self._level(data.get("children", []), codes, where, sticky=rule.hl)
        widths = [e.index for e in rule.elems] + [e.time for e in rule.elems]
        widths += [p.first + 2 * p.count - 1 for p in rule.pairs]
        widths += [i + 1 for i, _, _ in rule.when] + [3 if rule.hl else 0]
        rule.width = max(widths, default=0)
        return rule


def _elem(index: int, spec: Any, codes: dict[str, dict[str, Any]], here: str) -> Elem:
    if isinstance(spec, str):
        spec = {"path": spec}
    if not isinstance(spec, Mapping):
        raise MappingConfigError(f"{here}: expected a field path or a dict, got {spec!r}")
    _check_keys(spec, ELEMENT_KEYS, here)
    text = str(spec.get("path", ""))
    append = text.endswith("[]")
    kind = str(spec.get("type", "str"))
    if kind not in KINDS:
        raise MappingConfigError(f"{here}: unknown type {kind!r} (known: {sorted(KINDS)})")
    elem = Elem(index, _path(text[:-2] if append else text), append, kind)
    if "const" in spec:
        elem.const = str(spec["const"])
        if "if" in spec:  # a qualifier only worth writing next to its value (ACK04 + ACK05)
            elem.const_if = _index(spec["if"], here)
    elif "count" in spec:
        elem.count = str(spec["count"])
    elif not text:
        raise MappingConfigError(f"{here}: needs 'path', 'const' or 'count'")
    elem.write = bool(spec.get("write", True))
    elem.read = bool(spec.get("read", True))  # False: a write-only fallback (BAK04)
    if "max" in spec:  # the X12 element's maximum length: longer text is cut on the way out
        elem.max_length = _index(spec["max"], here)
    if "split" in spec:
        if not elem.max_length or append or elem.kind != "str":
            raise MappingConfigError(f"{here}: 'split' needs 'max' and a plain text path")
        elem.split = _index(spec["split"], here)
    if "time" in spec:
        elem.time = _index(spec["time"], here)
    table = spec.get("codes")
    if table is not None:
        if isinstance(table, str):
            if table not in codes:
                raise MappingConfigError(f"{here}: no code table {table!r}")
            table = codes[table]
        table = dict(table)
        elem.strict = table.pop("*", "strict") != "pass"
        elem.codes_in = {str(k): v for k, v in table.items()}
        elem.codes_out = {}
        for x12, canonical in elem.codes_in.items():
            elem.codes_out.setdefault(canonical, x12)
    return elem


def _pairs(spec: Any, here: str) -> Pairs:
    if not isinstance(spec, Mapping):
        raise MappingConfigError(f"{here}: expected a dict, got {spec!r}")
    _check_keys(spec, PAIRS_KEYS, here)
    targets = {str(q): _path(p) for q, p in dict(spec.get("targets", {})).items()}
    other = _path(spec["other"]) if spec.get("other") else None
    pairs = Pairs(_index(spec.get("first", 0), here), int(spec.get("count", 1)), targets, other)
    emit_spec = dict(spec.get("emit", {}))
    order: dict[Path, tuple[dict[int, str], str]] = {}
    for qualifier, path in targets.items():
        if path not in order:
            by_length = emit_spec.get(".".join(path), qualifier)
            if qualifier == "*" and by_length == "*":
                raise MappingConfigError(f"{here}: target '*' needs an 'emit' qualifier")
            if isinstance(by_length, str):
                order[path] = ({}, by_length)
            else:
                lengths = {int(k): str(v) for k, v in dict(by_length).items()}
                order[path] = (lengths, next(iter(lengths.values())))
    pairs.emit = [(path, lengths, fallback) for path, (lengths, fallback) in order.items()]
    return pairs


def _hook(spec: Any, where: str) -> tuple[str, str | None]:
    name, arg = (spec, None) if isinstance(spec, str) else (spec[0], spec[1])
    if name not in HOOKS:
        raise MappingConfigError(f"{where} hooks: unknown hook {name!r} (known: {sorted(HOOKS)})")
    return str(name), None if arg is None else str(arg)


def _check_keys(data: Any, allowed: frozenset[str], where: str) -> None:
    if not isinstance(data, Mapping):
        raise MappingConfigError(f"{where}: expected a mapping, got {type(data).__name__}")
    for key in data:
        if key not in allowed:
            raise MappingConfigError(
                f"{where}: unknown key {key!r} (expected one of {', '.join(sorted(allowed))})"
            )


def _index(value: Any, where: str) -> int:
    try:
        index = int(value)
    except (TypeError, ValueError):
        index = 0
    if index < 1:
        raise MappingConfigError(f"{where}: element position {value!r} is not a number >= 1")
    return index


def _path(text: str) -> Path:
    return tuple(part for part in str(text).split(".") if part)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
