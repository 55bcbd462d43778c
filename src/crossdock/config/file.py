"""Reading the YAML configuration file without forgetting where each value was written.

A configuration mistake should be reported the way a compiler reports one:
``crossdock.yaml:14:7: routes[0].deliver.endpoint: unknown endpoint 'erpp'``. PyYAML's
``safe_load`` throws the positions away, so the file is also composed into its node tree,
whose marks give the line and column of every key and value. ``crossdock.config.sources``
turns validation errors into :class:`ConfigProblem` with :meth:`YamlDocument.mark`.

Input values are never echoed in problems: they may be secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[str | int, ...]
"""A path into the configuration: mapping keys and list indexes, as in a pydantic ``loc``."""

# libyaml's loader when PyYAML was built with it; the pure-Python one gives the same marks.
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the configuration, located as precisely as its source allows.

    Attributes:
        path: Dotted path of the offending setting, e.g. ``routes[0].deliver.endpoint``
            (empty for the document as a whole).
        message: What is wrong, in words meant for the person editing the file.
        line: 1-based line in ``file``, when the value came from the YAML file.
        column: 1-based column in ``file``, when the value came from the YAML file.
        file: The YAML file (or secrets file) the value came from, if any.
        env_var: The environment variable the value came from, if any.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    file: str | None = None
    env_var: str | None = None

    def __str__(self) -> str:
        where = []
        if self.env_var is not None:
            where.append(f"environment variable {self.env_var}")
        elif self.file is not None:
            numbers = [str(n) for n in (self.line, self.column) if n is not None]
            where.append(":".join([self.file, *numbers]))
        if self.path:
            where.append(self.path)
        return ": ".join([*where, self.message])


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` lists every reason found, not just one."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(path: Loc) -> str:
    """Render a path the way users write it: ``routes[0].when.where["ship_to.country"]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.replace("_", "a").replace("-", "a").isalnum():
            text += f".{part}" if text else part
        else:  # keys with dots or spaces (the 'where' conditions) would be ambiguous dotted
            text += f'["{part}"]'
    return text


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data for validation and its node tree for locating problems.

    Attributes:
        file: The file name as it should appear in messages, or None for no file.
        data: The top-level mapping (empty for an empty or absent file).
        root: The composed node tree, or None for an empty or absent file.
    """

    file: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    root: yaml.Node | None = None

    def mark(self, path: Loc, *, at_key: bool = False) -> yaml.Mark | None:
        """Where ``path`` is written, or where its nearest written ancestor is.

        Args:
            path: Keys and indexes from the top of the document.
            at_key: Point at the key rather than its value (for an unknown key).

        Returns:
            The mark of the value (or key), the key of the deepest ancestor present when the
            path is not fully written (a missing setting), or None without a document.
        """
        node = self.root
        if node is None:
            return None
        best: yaml.Node = node
        for depth, part in enumerate(path):
            key_node, child = _child(node, part)
            if child is None:
                return best.start_mark
            last = depth == len(path) - 1
            best = key_node if key_node is not None and (at_key or not last) else child
            node = child
        return best.start_mark

    def has(self, path: Loc) -> bool:
        """Whether every step of ``path`` is written in the file."""
        node = self.root
        for part in path:
            if node is None:
                return False
            node = _child(node, part)[1]
        return node is not None


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node | None]:
    """The (key node, value node) for one path step, or (None, None) when not written."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return None, node.value[part]
    return None, None


def read_yaml(path: Path) -> YamlDocument:
    """Parse a configuration file, keeping its node tree.

    Args:
        path: The YAML file.

    Returns:
        The parsed document.

    Raises:
        ConfigError: The file cannot be read, is not valid YAML, is not a mapping at the top
            level, or repeats a key (PyYAML would silently keep the last one).
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem("", f"cannot read the file: {exc}", file=name)]) from exc
    try:
        root = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([_syntax_problem(exc, name)]) from exc
    except yaml.YAMLError as exc:  # unmarked errors are rare (e.g. bad stream encoding)
        raise ConfigError([ConfigProblem("", f"invalid YAML: {exc}", file=name)]) from exc
    if data is None:
        return YamlDocument(file=name)
    document = YamlDocument(file=name, data=data, root=root)
    if not isinstance(data, dict):
        problem = ConfigProblem("", "the configuration must be a mapping of settings")
        raise ConfigError([located(problem, document.mark(()), name)])
    duplicates = [
        located(ConfigProblem(format_path(loc), message), mark, name)
        for loc, message, mark in _duplicate_keys(root, ())
    ]
    if duplicates:
        raise ConfigError(duplicates)
    return document


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> ConfigProblem:
    """A YAML syntax error, at the position where the parser gave up."""
    message = f"invalid YAML: {exc.problem or 'syntax error'}"
    if exc.context and exc.context_mark is not None:
        context_at = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
        message += f" ({exc.context} at {context_at})"
    return located(ConfigProblem("", message), exc.problem_mark or exc.context_mark, file)


def _duplicate_keys(node: yaml.Node | None, loc: Loc) -> list[tuple[Loc, str, yaml.Mark]]:
    """Every key written twice in one mapping, anywhere below ``node``."""
    found: list[tuple[Loc, str, yaml.Mark]] = []
    if isinstance(node, yaml.MappingNode):
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key in first_lines:
                message = f"duplicate key {key!r} (first written at line {first_lines[key]})"
                found.append(((*loc, key), message, key_node.start_mark))
            else:
                first_lines[key] = key_node.start_mark.line + 1
            found += _duplicate_keys(value_node, (*loc, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found += _duplicate_keys(item, (*loc, index))
    return found


def located(problem: ConfigProblem, mark: yaml.Mark | None, file: str | None) -> ConfigProblem:
    """The problem with the file and the 1-based line and column of a YAML mark."""
    if mark is None:
        return ConfigProblem(problem.path, problem.message, file=file)
    return ConfigProblem(problem.path, problem.message, mark.line + 1, mark.column + 1, file)
