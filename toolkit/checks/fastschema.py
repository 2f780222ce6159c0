"""A fast yes/no check of a document against our JSON Schemas, compiled to Python code.

:func:`toolkit.checks.validate.schema_issues` asks :func:`is_valid` first: on the happy path (a valid
document, nearly always) this answers in microseconds; only a document that fails goes through
jsonschema's ``iter_errors``, whose errors become the issues, so the error report is exactly what
jsonschema finds. The compiled check must therefore say "valid" if and only if jsonschema finds
no error; ``tests/test_fastschema.py`` checks that on generated valid and mutated documents
(hypothesis) and on every fixture.

The compiler covers the keywords our schemas use, with jsonschema's semantics (Draft 2020-12):
``type``, ``const``, ``enum``, ``properties``, ``required``, ``additionalProperties``,
``unevaluatedProperties`` (when the evaluated keys follow from the schema alone), ``items``,
``minItems``, ``maxItems``, ``minLength``, ``maxLength``, ``pattern``, ``minimum``, ``maximum``,
``dependentRequired``, ``$ref`` (to ``#/...`` or to another of our schema files), ``allOf``,
``anyOf``, ``oneOf``, ``not``, ``if``/``then``/``else``, boolean schemas, and annotations
(``title``, ``description``, ``x-...`` ...). A schema that uses anything else is not compiled:
:func:`is_valid` then returns None and the caller uses jsonschema for every document.
"""

from __future__ import annotations

import numbers
import re
from functools import cache
from typing import Any, Callable

from toolkit.model.labels import load_schema

_ANNOTATIONS = {"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples",
                "deprecated", "readOnly", "writeOnly", "format"}  # format: not asserted by jsonschema by default
_APPLICATORS = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else")
_TYPES = {
    "object": "isinstance({x}, dict)",
    "array": "isinstance({x}, list)",
    "string": "isinstance({x}, str)",
    # JSON Schema (and jsonschema) count a number with a zero fractional part, such as 1.0, as an
    # integer; the semantic checks report such an offset as wrong-type (write 1, not 1.0)
    "integer": "((isinstance({x}, int) and not isinstance({x}, bool)) or (isinstance({x}, float) and {x}.is_integer()))",
    "number": "(isinstance({x}, _Number) and not isinstance({x}, bool))",
    "boolean": "isinstance({x}, bool)",
    "null": "({x} is None)",
}
_MISSING = object()


class Unsupported(Exception):
    """The schema uses a keyword (or a form of one) that the compiler does not cover."""


class _Compiler:
    def __init__(self, root_name: str):
        self.root_name = root_name
        self.names: dict[int, str] = {}
        self.keep: list[object] = []  # schemas whose id() names a function
        self.lines: list[str] = []
        self.consts: dict[str, object] = {"_Number": numbers.Number, "_MISSING": _MISSING}

    def equal(self) -> str:
        """The name of jsonschema's own equality (true and 1 differ), for a const or enum that is not
        all strings; imported only then (strings compare with ``==``, exactly as it does)."""
        if "_equal" not in self.consts:
            from jsonschema._utils import equal

            self.consts["_equal"] = equal
        return "_equal"

    # -- helpers
    def const(self, value: object) -> str:
        name = f"_c{len(self.consts)}"
        self.consts[name] = value
        return name

    def resolve(self, ref: str, file: str) -> tuple[object, str]:
        target_file, _, ptr = ref.partition("#")
        target_file = target_file or file
        if ptr and not ptr.startswith("/"):
            raise Unsupported(f"$ref {ref}")
        try:
            node: object = load_schema(target_file)
        except OSError as exc:
            raise Unsupported(f"$ref {ref}") from exc
        for part in [p.replace("~1", "/").replace("~0", "~") for p in ptr.split("/")[1:]] if ptr else []:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise Unsupported(f"$ref {ref}")
        return node, target_file

    def evaluated(self, schema: object, file: str, seen: frozenset = frozenset()) -> set[str]:
        """Property names ``unevaluatedProperties`` counts as evaluated, when they follow from the schema alone."""
        if isinstance(schema, bool):
            return set()
        assert isinstance(schema, dict)
        out = set(schema.get("properties", {}))
        if "additionalProperties" in schema or "unevaluatedProperties" in schema or "patternProperties" in schema:
            raise Unsupported("unevaluatedProperties next to additional/unevaluated/patternProperties")
        if "$ref" in schema:
            key = (schema["$ref"], file)
            if key not in seen:
                target, tfile = self.resolve(schema["$ref"], file)
                out |= self.evaluated(target, tfile, seen | {key})
        for keyword in _APPLICATORS:
            subs = schema.get(keyword)
            if subs is None:
                continue
            for sub in (subs if isinstance(subs, list) else [subs]):
                if self.evaluated(sub, file, seen):
                    raise Unsupported(f"unevaluatedProperties with properties under {keyword}")
        return out

    # -- code generation
    def pattern(self, regex: str) -> str:
        """A memoised ``re.search(regex, s) is not None`` (ids and labels repeat across documents)."""
        search = re.compile(regex).search
        memo: dict[str, bool] = {}

        def matches(value: str) -> bool:
            hit = memo.get(value)
            if hit is None:
                hit = search(value) is not None
                if len(memo) < 65536:
                    memo[value] = hit
            return hit
        return self.const(matches)

    def bounds(self, schema: dict, v: str) -> dict[str, list[str]]:
        """The string and number keywords of ``schema`` as conditions on ``v`` that must hold,
        by the JSON type they apply to (the expression and the statement emitters share them)."""
        strings, numbers = [], []
        if "minLength" in schema:
            strings.append(f"len({v}) >= {int(schema['minLength'])}")
        if "maxLength" in schema:
            strings.append(f"len({v}) <= {int(schema['maxLength'])}")
        if "pattern" in schema:
            strings.append(f"{self.pattern(schema['pattern'])}({v})")
        if "minimum" in schema:
            numbers.append(f"{v} >= {self.const(schema['minimum'])}")
        if "maximum" in schema:
            numbers.append(f"{v} <= {self.const(schema['maximum'])}")
        return {"string": strings, "number": numbers}

    def leaf(self, schema: object, file: str, v: str, depth: int = 0) -> str | None:
        """A Python expression checking a scalar-only ``schema`` against variable ``v``, or None."""
        if schema is True:
            return "True"
        if not isinstance(schema, dict) or depth > 8:
            return None
        parts: list[str] = []
        known = None
        for keyword in schema:
            if not (keyword in _ANNOTATIONS or keyword.startswith("x-") or keyword in _LEAF):
                return None
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not all(t in _TYPES for t in types):
                return None
            parts.append("(" + " or ".join(_TYPES[t].format(x=v) for t in types) + ")")
            known = types[0] if len(types) == 1 else None
        if "const" in schema:
            if not isinstance(schema["const"], str):
                return None
            parts.append(f"{v} == {self.const(schema['const'])}")
        if "enum" in schema:
            if not all(isinstance(e, str) for e in schema["enum"]):
                return None
            parts.append(f"(isinstance({v}, str) and {v} in {self.const(frozenset(schema['enum']))})")
        if "oneOf" in schema:
            alts = schema["oneOf"]
            consts = [a.get("const") for a in alts if isinstance(a, dict) and "const" in a
                      and all(k == "const" or k in _ANNOTATIONS or k.startswith("x-") for k in a)]
            if not (len(consts) == len(alts) and all(isinstance(c, str) for c in consts) and len(set(consts)) == len(consts)):
                return None
            parts.append(f"(isinstance({v}, str) and {v} in {self.const(frozenset(consts))})")

        def on(kind: str, checks: list[str]) -> None:
            if not checks:
                return
            cond = " and ".join(checks)
            if known == kind or (kind == "number" and known == "integer"):
                parts.append(cond)
            else:
                parts.append(f"(not {_TYPES[kind].format(x=v)} or ({cond}))")
        for kind, conds in self.bounds(schema, v).items():
            on(kind, conds)
        if "$ref" in schema:
            target, tfile = self.resolve(schema["$ref"], file)
            inner = self.leaf(target, tfile, v, depth + 1)
            if inner is None:
                return None
            parts.append(inner)
        return "(" + " and ".join(parts) + ")" if parts else "True"

    def check(self, schema: object, file: str, v: str) -> str:
        """An expression checking ``schema`` against variable ``v``: inlined for scalars, else a call."""
        expr = self.leaf(schema, file, v)
        return expr if expr is not None else f"{self.function(schema, file)}({v})"

    def function(self, schema: object, file: str) -> str:
        """The name of the generated function checking ``schema`` (compiled once per schema object)."""
        if schema is True:
            return "_true"
        if schema is False:
            return "_false"
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        key = id(schema)
        if key in self.names:
            return self.names[key]
        name = f"_v{len(self.names)}"
        self.names[key] = name
        self.keep.append(schema)
        body = self.body(schema, file)
        alias = re.fullmatch(r"if not (_v\d+)\(x\): return False", body[0]) if len(body) == 1 else None
        if alias:  # a schema that is only a $ref (or one allOf): the referenced function itself
            self.lines.append(f"{name} = {alias.group(1)}")
            self.lines.append("")
            return name
        self.lines.append(f"def {name}(x):")
        self.lines.extend("    " + line for line in body)
        self.lines.append("    return True")
        self.lines.append("")
        return name

    def body(self, s: dict, file: str) -> list[str]:
        out: list[str] = []
        for keyword in s:
            if keyword in _ANNOTATIONS or keyword.startswith("x-") or keyword in _KNOWN:
                continue
            raise Unsupported(f"keyword {keyword}")
        known_type = None
        if "type" in s:
            types = s["type"] if isinstance(s["type"], list) else [s["type"]]
            if not all(t in _TYPES for t in types):
                raise Unsupported(f"type {s['type']}")
            out.append(f"if not ({' or '.join(_TYPES[t].format(x='x') for t in types)}): return False")
            if len(types) == 1:
                known_type = types[0]
        if "const" in s:
            c = s["const"]
            if isinstance(c, str):
                out.append(f"if x != {self.const(c)}: return False")
            else:
                out.append(f"if not {self.equal()}(x, {self.const(c)}): return False")
        if "enum" in s:
            values = s["enum"]
            if all(isinstance(v, str) for v in values):
                out.append(f"if not (isinstance(x, str) and x in {self.const(frozenset(values))}): return False")
            else:
                out.append(f"if not any({self.equal()}(x, v) for v in {self.const(tuple(values))}): return False")

        def guarded(kind: str, lines: list[str]) -> None:
            if not lines:
                return
            if known_type == kind or (kind == "number" and known_type == "integer"):
                out.extend(lines)
            else:
                out.append(f"if {_TYPES[kind].format(x='x')}:")
                out.extend("    " + line for line in lines)

        # strings and numbers
        for kind, conds in self.bounds(s, "x").items():
            guarded(kind, [f"if not ({c}): return False" for c in conds])
        # arrays
        lines = []
        if "minItems" in s:
            lines.append(f"if len(x) < {int(s['minItems'])}: return False")
        if "maxItems" in s:
            lines.append(f"if len(x) > {int(s['maxItems'])}: return False")
        if "items" in s:
            if not isinstance(s["items"], (dict, bool)):
                raise Unsupported("items as a list")
            lines.append("for e in x:")
            lines.append(f"    if not {self.check(s['items'], file, 'e')}: return False")
        guarded("array", lines)
        # objects
        lines = []
        for prop in s.get("required", []):
            lines.append(f"if {self.const(prop)} not in x: return False")
        for prop, needs in s.get("dependentRequired", {}).items():
            cond = " and ".join(f"{self.const(n)} in x" for n in needs) or "True"
            lines.append(f"if {self.const(prop)} in x and not ({cond}): return False")
        props = s.get("properties", {})
        if not isinstance(props, dict):
            raise Unsupported("properties")
        required = set(s.get("required", []))
        for prop, sub in props.items():
            expr = self.check(sub, file, "v")
            if expr in ("True", "_true(v)"):
                continue
            if prop in required:  # its presence is checked above
                lines.append(f"v = x[{self.const(prop)}]")
                lines.append(f"if not {expr}: return False")
            else:
                lines.append(f"v = x.get({self.const(prop)}, _MISSING)")
                lines.append(f"if v is not _MISSING and not {expr}: return False")
        if "additionalProperties" in s:
            ap = s["additionalProperties"]
            allowed = self.const(frozenset(props))
            if ap is False:  # every key is a declared property (the set test runs in C)
                lines.append(f"if not {allowed}.issuperset(x): return False")
            elif ap is not True:
                f = self.function(ap, file)
                lines.append("for k in x:")
                lines.append(f"    if k not in {allowed} and not {f}(x[k]): return False")
        if "unevaluatedProperties" in s:
            up = s["unevaluatedProperties"]
            rest = {k: v for k, v in s.items() if k != "unevaluatedProperties"}
            evaluated = self.const(frozenset(self.evaluated(rest, file)))
            if up is False:
                lines.append(f"if not {evaluated}.issuperset(x): return False")
            elif up is not True:
                f = self.function(up, file)
                lines.append("for k in x:")
                lines.append(f"    if k not in {evaluated} and not {f}(x[k]): return False")
        guarded("object", lines)
        # applicators
        if "$ref" in s:
            target, tfile = self.resolve(s["$ref"], file)
            out.append(f"if not {self.function(target, tfile)}(x): return False")
        for sub in s.get("allOf", []):
            out.append(f"if not {self.function(sub, file)}(x): return False")
        if "anyOf" in s:
            fs = [self.function(sub, file) for sub in s["anyOf"]]
            out.append(f"if not ({' or '.join(f'{f}(x)' for f in fs)}): return False")
        if "oneOf" in s:
            alts = s["oneOf"]
            consts = [a["const"] for a in alts if isinstance(a, dict) and "const" in a
                      and all(k == "const" or k in _ANNOTATIONS or k.startswith("x-") for k in a)]
            if len(consts) == len(alts) and all(isinstance(c, str) for c in consts) and len(set(consts)) == len(consts):
                out.append(f"if not (isinstance(x, str) and x in {self.const(frozenset(consts))}): return False")
            else:
                fs = [self.function(sub, file) for sub in alts]
                out.append(f"if ({' + '.join(f'bool({f}(x))' for f in fs)}) != 1: return False")
        if "not" in s:
            out.append(f"if {self.function(s['not'], file)}(x): return False")
        if "if" in s:
            fi = self.function(s["if"], file)
            ft = self.function(s["then"], file) if "then" in s else "_true"
            fe = self.function(s["else"], file) if "else" in s else "_true"
            out.append(f"if {fi}(x):")
            out.append(f"    if not {ft}(x): return False")
            out.append(f"elif not {fe}(x): return False")
        return out


_LEAF = {"type", "const", "enum", "oneOf", "minLength", "maxLength", "pattern", "minimum", "maximum", "$ref"}
_KNOWN = {"type", "const", "enum", "properties", "required", "additionalProperties", "unevaluatedProperties", "items",
          "minItems", "maxItems", "minLength", "maxLength", "pattern", "minimum", "maximum", "dependentRequired", "$ref",
          "allOf", "anyOf", "oneOf", "not", "if", "then", "else"}


def compile_schema(name: str) -> tuple[Callable[[Any], bool], str]:
    """The compiled check of schema file ``name`` and its generated source. Raises :class:`Unsupported`."""
    comp = _Compiler(name)
    entry = comp.function(load_schema(name), name)
    source = "\n".join(comp.lines)
    namespace: dict = {**comp.consts, "_true": lambda x: True, "_false": lambda x: False}
    exec(compile(source, f"<compiled {name}>", "exec"), namespace)  # noqa: S102 - code generated from our own schema
    return namespace[entry], source


@cache
def checker(kind: str) -> Callable[[Any], bool] | None:
    """The compiled check of ``annotation`` or ``prediction`` documents, or None if the schema is not compilable."""
    try:
        return compile_schema(f"{kind}.schema.json")[0]
    except Unsupported:
        return None


def is_valid(data: object, kind: str = "annotation") -> bool | None:
    """True when jsonschema would find no error in ``data``, False when it would find one;
    None when the schema could not be compiled (ask jsonschema)."""
    check = checker(kind)
    return None if check is None else bool(check(data))
