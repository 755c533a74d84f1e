"""imsim.Scenario: a scenario document (docs/scenario-format.md) to edit and run.

A Scenario holds the fully expanded document (every field, defaults included), so any field can
be read or edited by attribute (``s.workload.messages_per_s = 10``), by item
(``s["workload"]["messages_per_s"]``) or by dotted path (``s["network.mobile.loss_p"] = 0.05``).
Every edit is validated at once by the same loader the CLI uses: a bad value raises
ScenarioError with the JSON path and the expectation, and the edit is undone.
"""
import copy
import json
import os

from . import _imsim
from ._imsim import ScenarioError


def _split(path):
    if isinstance(path, str):
        return path.split(".")
    return [path]


class _Section:
    """A live view of one object inside a Scenario (edits go to the scenario, validated)."""

    __slots__ = ("_root", "_path")

    def __init__(self, root, path):
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_path", path)

    def _node(self):
        return self._root._get(self._path)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._root._wrap(self._path + [name])
        except KeyError:
            raise AttributeError(f"{'.'.join(self._path + [name])}: no such field") from None

    def __setattr__(self, name, value):
        self._root._set(self._path + [name], value)

    def __getitem__(self, key):
        return self._root._wrap(self._path + _split(key))

    def __setitem__(self, key, value):
        self._root._set(self._path + _split(key), value)

    def __contains__(self, key):
        return key in self._node()

    def __iter__(self):
        return iter(self._node())

    def keys(self):
        return self._node().keys()

    def to_dict(self):
        return copy.deepcopy(self._node())

    def __eq__(self, other):
        other = other.to_dict() if isinstance(other, (_Section, Scenario)) else other
        return self._node() == other

    def __repr__(self):
        return f"<{'.'.join(self._path)} {json.dumps(self._node())}>"


class Scenario:
    """A scenario: load one with Scenario.load(name_or_path) or Scenario.from_dict(d)."""

    def __init__(self, document):
        # Internal: `document` is a fully expanded, valid document.
        object.__setattr__(self, "_doc", document)

    # ---- construction ----------------------------------------------------------------------
    @classmethod
    def load(cls, name_or_path):
        """A library scenario by name (see list_scenarios()) or a scenario file."""
        return cls(json.loads(_imsim.load_scenario(os.fspath(name_or_path))))

    @classmethod
    def from_dict(cls, document):
        """A scenario document as a dict (the JSON format); raises ScenarioError if invalid."""
        return cls(_expand(document))

    @classmethod
    def _coerce(cls, scenario):
        """A Scenario from a Scenario, a dict, a library name or a file path."""
        if isinstance(scenario, Scenario):
            return scenario
        if isinstance(scenario, dict):
            return cls.from_dict(scenario)
        if isinstance(scenario, (str, os.PathLike)):
            return cls.load(scenario)
        raise TypeError("expected a Scenario, a dict, a name or a path, got "
                        f"{type(scenario).__name__}")

    def to_dict(self):
        """The fully expanded document (a deep copy)."""
        return copy.deepcopy(self._doc)

    def to_json(self):
        return json.dumps(self._doc)

    def copy(self):
        return Scenario(copy.deepcopy(self._doc))

    def replace(self, changes=None, **fields):
        """A copy with `changes` ({dotted path: value}) and top-level `fields` applied at once."""
        out = self.copy()
        out.update(changes or {}, **fields)
        return out

    def update(self, changes=None, **fields):
        """Applies several edits ({dotted path: value}) and validates once (all or none)."""
        edits = dict(changes or {}, **fields)
        before = copy.deepcopy(self._doc)
        try:
            for path, value in edits.items():
                _assign(self._doc, _split(path), value)
            object.__setattr__(self, "_doc", _expand(self._doc))
        except BaseException:
            object.__setattr__(self, "_doc", before)
            raise

    # ---- access ----------------------------------------------------------------------------
    def _get(self, path):
        node = self._doc
        for key in path:
            node = node[key]
        return node

    def _wrap(self, path):
        node = self._get(path)
        return _Section(self, path) if isinstance(node, dict) else node

    def _set(self, path, value):
        self.update({".".join(path): value})

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._wrap([name])
        except KeyError:
            raise AttributeError(f"{name}: no such field") from None

    def __setattr__(self, name, value):
        self._set([name], value)

    def __getitem__(self, key):
        return self._wrap(_split(key))

    def __setitem__(self, key, value):
        self._set(_split(key), value)

    def __contains__(self, key):
        try:
            self._get(_split(key))
            return True
        except (KeyError, TypeError, IndexError):
            return False

    def keys(self):
        return self._doc.keys()

    def __eq__(self, other):
        return isinstance(other, Scenario) and self._doc == other._doc

    def __repr__(self):
        return f"Scenario({self._doc.get('name')!r}, seed={self._doc.get('seed')})"

    def _repr_html_(self):
        import html
        text = html.escape(json.dumps(self._doc, indent=2))
        name = html.escape(str(self._doc.get("name")))
        description = html.escape(self._doc.get("description", ""))
        return (f"<details><summary>Scenario <b>{name}</b>: {description}</summary>"
                f"<pre>{text}</pre></details>")


def _assign(doc, path, value):
    node = doc
    for key in path[:-1]:
        if isinstance(node, list):
            node = node[int(key)]
        elif isinstance(node, dict):
            node = node.setdefault(key, {})
        else:
            raise ScenarioError(f"{'.'.join(map(str, path))}: {key} is not an object")
    last = path[-1]
    if isinstance(node, list):
        node[int(last)] = copy.deepcopy(value)
    else:
        node[last] = copy.deepcopy(value)


def _expand(document):
    try:
        text = json.dumps(document, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ScenarioError(f"scenario: not representable as JSON: {e}") from None
    return json.loads(_imsim.expand_scenario(text))
