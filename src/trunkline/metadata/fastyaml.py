"""A PyYAML safe loader whose hot path (plain strings, maps, lists) skips the generic machinery.

Parsing the 3.7 MB rdoinfo tree with ``yaml.CSafeLoader`` costs about a second,
and more than half of it is the pure-Python constructor calling generic hooks
for each of its 250,000 nodes. libyaml (``CSafeLoader``) still parses,
composes and resolves every node and tag here; only the construction of the
three plain kinds (``str``, ``map``, ``seq``) is done by a tight loop, and
every other node (ints, booleans, dates, merge keys ``<<``, custom tags,
non-string keys, recursive aliases) goes through PyYAML's own
``construct_object``, so the result is exactly ``yaml.load(text, CSafeLoader)``.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


class _FallbackError(Exception):
    """A node the fast path does not handle the way PyYAML would (merge key, recursion)."""


class FastSafeLoader(yaml.CSafeLoader):
    """``yaml.CSafeLoader`` with a fast constructor for plain strings, maps and lists."""

    def construct_document(self, node: Node) -> Any:
        """Build the document, falling back to PyYAML's constructor for anything unusual."""
        memo: dict[Node, Any] = {}
        busy: set[Node] = set()
        slow = self.construct_object

        def build(node: Node) -> Any:
            kind = node.__class__
            if kind is ScalarNode:
                return node.value if node.tag == _STR else slow(node)
            done = memo.get(node)
            if done is not None:
                return done
            if node in busy:
                raise _FallbackError
            if kind is MappingNode and node.tag == _MAP:
                busy.add(node)
                out: Any = {}
                for key, value in node.value:
                    if key.__class__ is not ScalarNode or key.tag != _STR:
                        raise _FallbackError
                    if value.__class__ is ScalarNode and value.tag == _STR:
                        out[key.value] = value.value  # the common case, inlined
                    else:
                        out[key.value] = build(value)
            elif kind is SequenceNode and node.tag == _SEQ:
                busy.add(node)
                out = [
                    child.value
                    if child.__class__ is ScalarNode and child.tag == _STR
                    else build(child)
                    for child in node.value
                ]
            else:
                return slow(node)
            memo[node] = out
            return out

        try:
            data = build(node)
        except _FallbackError:
            self.constructed_objects = {}
            self.recursive_objects = {}
            self.state_generators = []
            return super().construct_document(node)
        while self.state_generators:  # finish what construct_object started (sets, omaps)
            generators, self.state_generators = self.state_generators, []
            for generator in generators:
                for _ in generator:
                    pass
        self.constructed_objects = {}
        self.recursive_objects = {}
        return data
