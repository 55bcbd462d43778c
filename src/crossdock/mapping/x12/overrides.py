"""Partner overrides: small, validated patches on the built-in map data.

Overrides come from partner YAML config, keyed by transaction set code::

    {"850": {
        "parties": {"ship_to": {"qualifier": "SN"}},          # N1 entity code(s) for a party
        "codes": {"purpose": {"06": "replace"}},              # extend/replace code tables
        "defaults": {"currency": "CAD"},                      # when the document omits it
        "options": {"timezone": "-05:00"},                    # X12 times are local to...
        "envelope": {"buyer": "sender"},                      # parties implied by ISA
        "hooks": [],                                          # derived-value steps
        "rules": {"contract_number": {"when": {"1": "CT"}}},  # generic patch of a named rule
        "add": {"lines": [{"tag": "REF", "when": {"1": "XY"}, ...}]},  # new rules in a loop
    }}                                                          # ("" = the transaction root)

Every key is checked here and every patched map is compiled when the mapper is built, so a
misspelt key or qualifier is a start-up error naming the key, never a silent no-op.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from crossdock.mapping.x12.compile import RULE_KEYS
from crossdock.mapping.x12.errors import MappingConfigError

SECTIONS = frozenset(
    {"parties", "codes", "defaults", "options", "envelope", "hooks", "rules", "add"}
)
PARTY_KEYS = frozenset({"qualifier"})


def apply_overrides(
    maps: Mapping[tuple[str, str], Mapping[str, Any]], overrides: Mapping[str, Any]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Copies of ``maps`` with ``overrides`` applied to every version of each named set."""
    if not isinstance(overrides, Mapping):
        raise MappingConfigError(f"overrides: expected a mapping, got {type(overrides).__name__}")
    codes = {code for code, _ in maps}
    for code in overrides:
        if code not in codes:
            known = ", ".join(sorted(codes))
            raise MappingConfigError(
                f"overrides: unknown transaction set {code!r} (known: {known})"
            )
    result: dict[tuple[str, str], dict[str, Any]] = {}
    for (code, version), data in maps.items():
        patched = copy.deepcopy(dict(data))
        if code in overrides:
            _apply(patched, overrides[code], f"overrides[{code!r}]")
        result[(code, version)] = patched
    return result


def _apply(data: dict[str, Any], patch: Any, where: str) -> None:
    if not isinstance(patch, Mapping):
        raise MappingConfigError(f"{where}: expected a mapping, got {type(patch).__name__}")
    for section, value in patch.items():
        here = f"{where}[{section!r}]"
        if section not in SECTIONS:
            raise MappingConfigError(
                f"{where}: unknown key {section!r} (expected one of {', '.join(sorted(SECTIONS))})"
            )
        if section == "hooks":
            data["hooks"] = list(value)
        elif section == "parties":
            _parties(data, _mapping(value, here), here)
        elif section == "rules":
            _rules(data, _mapping(value, here), here)
        elif section == "add":
            _add(data, _mapping(value, here), here)
        elif section == "codes":
            tables = data.setdefault("codes", {})
            for name, entries in _mapping(value, here).items():
                if name not in tables:
                    known = ", ".join(sorted(tables))
                    raise MappingConfigError(f"{here}: no code table {name!r} (known: {known})")
                tables[name] = {**tables[name], **_mapping(entries, f"{here}[{name!r}]")}
        else:
            data[section] = {**data.get(section, {}), **_mapping(value, here)}


def _parties(data: dict[str, Any], parties: Mapping[str, Any], where: str) -> None:
    rules = dict(_named_rules(data.get("segments", [])))
    for name, spec in parties.items():
        rule = rules.get(name)
        if rule is None or rule.get("tag") != "N1":
            known = ", ".join(sorted(n for n, r in rules.items() if r.get("tag") == "N1"))
            raise MappingConfigError(f"{where}: no party {name!r} (known: {known})")
        spec = _mapping(spec, f"{where}[{name!r}]")
        for key in spec:
            if key not in PARTY_KEYS:
                raise MappingConfigError(
                    f"{where}[{name!r}]: unknown key {key!r} (expected qualifier)"
                )
        qualifier = spec.get("qualifier")
        values = [qualifier] if isinstance(qualifier, str) else qualifier
        if not isinstance(values, list):
            values = []
        if not values or not all(isinstance(v, str) and 1 <= len(v) <= 3 for v in values):
            raise MappingConfigError(
                f"{where}[{name!r}].qualifier: expected an N101 code or a list of them, got {qualifier!r}"
            )
        rule["when"] = {**rule.get("when", {}), 1: values}


def _rules(data: dict[str, Any], patches: Mapping[str, Any], where: str) -> None:
    rules = dict(_named_rules(data.get("segments", [])))
    for name, patch in patches.items():
        here = f"{where}[{name!r}]"
        rule = rules.get(name)
        if rule is None:
            raise MappingConfigError(
                f"{where}: no rule {name!r} (known: {', '.join(sorted(rules))})"
            )
        for key, value in _mapping(patch, here).items():
            if key not in RULE_KEYS or key in ("name", "children"):
                raise MappingConfigError(f"{here}: key {key!r} cannot be patched")
            if key == "elements":
                elements = {int(k): v for k, v in rule.get("elements", {}).items()}
                for index, spec in _mapping(value, f"{here}.elements").items():
                    if not str(index).isdigit():
                        raise MappingConfigError(f"{here}.elements: {index!r} is not a position")
                    if spec is None:
                        elements.pop(int(index), None)
                    else:
                        elements[int(index)] = spec
                rule["elements"] = elements
            else:
                rule[key] = value


def _add(data: dict[str, Any], additions: Mapping[str, Any], where: str) -> None:
    """Append new rules to the root ('') or to a named loop; compile validates them."""
    rules = dict(_named_rules(data.get("segments", [])))
    for parent, new in additions.items():
        if not isinstance(new, list):
            raise MappingConfigError(f"{where}[{parent!r}]: expected a list of rules")
        if parent == "":
            data["segments"] = [*data.get("segments", []), *new]
            continue
        rule = rules.get(parent)
        if rule is None or not ("children" in rule or rule.get("path") or rule.get("hl")):
            loops = sorted(n for n, r in rules.items() if "children" in r or r.get("path"))
            raise MappingConfigError(f"{where}: no loop {parent!r} (loops: {', '.join(loops)})")
        rule["children"] = [*rule.get("children", []), *new]


def _named_rules(rules: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every rule with the name the compiler gives it (explicit name, else path, else tag)."""
    for rule in rules:
        yield str(rule.get("name") or rule.get("path") or rule.get("tag")), rule
        yield from _named_rules(rule.get("children", []))


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MappingConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value
