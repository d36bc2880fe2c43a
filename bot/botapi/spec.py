"""The official Bot API description (``api.json``) and checks of calls against it.

The spec is the project's copy in ``bot/botapi/data/api.json`` (see the README beside it for its
source and licence), or ``$TELEGRAM_API_SPEC`` when set; it is loaded once.  Public helpers:

* :func:`canonical_method` - Telegram method names are case-insensitive; maps to the spec name.
* :func:`decode_form_value` - undoes the form encoding clients use: values are JSON, except
  that String parameters are sent raw.
* :func:`validate_call` - every reason Telegram (or this stricter test server) would reject a
  call: unknown method or parameter, missing required parameter, wrong value types (checked
  recursively through the object types of the spec), plus the limits in :mod:`.rules`.
* :func:`validate_object` - the same type check for a JSON object the server sends (an
  Update, a ChatMember...), so tests can prove the fake's answers match the spec.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import rules

__all__ = [
    "SPEC_ENV",
    "ApiSpec",
    "Upload",
    "canonical_method",
    "decode_form_value",
    "load_spec",
    "spec_path",
    "validate_call",
    "validate_object",
]

SPEC_ENV = "TELEGRAM_API_SPEC"
_SCALARS = {"Integer", "Float", "Boolean", "String"}
_TAG_FIELDS = {"type", "status", "source"}  # fields that tell subtypes apart
_CONSTANT_RE = re.compile(r'(?:must be|always) "?([a-z_]+)"?\s*$')


@dataclass(frozen=True)
class Upload:
    """A file uploaded in a multipart request (the ``InputFile`` of the Bot API)."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


def spec_path() -> Path:
    """Where ``api.json`` lives: ``$TELEGRAM_API_SPEC``, else the copy inside the project."""
    override = os.environ.get(SPEC_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent / "data" / "api.json"


@dataclass(frozen=True)
class ApiSpec:
    """Methods and types of the Bot API, keyed by their official names."""

    version: str
    methods: dict[str, dict[str, Any]]
    types: dict[str, dict[str, Any]]

    def fields(self, method: str) -> dict[str, dict[str, Any]]:
        """The parameters of ``method`` (``{}`` for unknown methods)."""
        return {f["name"]: f for f in self.methods.get(method, {}).get("fields", [])}

    @functools.cached_property
    def lower_names(self) -> dict[str, str]:
        return {name.lower(): name for name in self.methods}


@functools.cache
def load_spec() -> ApiSpec:
    """Load and cache ``api.json``."""
    data = json.loads(spec_path().read_text(encoding="utf-8"))
    return ApiSpec(str(data.get("version", "")), data["methods"], data["types"])


def canonical_method(name: str) -> str | None:
    """The official spelling of ``name`` (case-insensitive), or None for unknown methods."""
    return load_spec().lower_names.get(name.lower())


def decode_form_value(method: str, name: str, raw: str) -> Any:
    """Decode one form field the way Telegram does: String params raw, the rest JSON."""
    field = load_spec().fields(method).get(name)
    types: list[str] = field["types"] if field else []
    if types == ["String"]:
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    if "String" in types and not _matches_scalar(value, types):
        return raw
    return value


def _matches_scalar(value: Any, types: list[str]) -> bool:
    return any(t in _SCALARS and not _errors(value, t, "") for t in types)


def _errors(value: Any, type_name: str, path: str) -> list[str]:
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path} must be a JSON array"]
        item_type = type_name.removeprefix("Array of ")
        return [e for i, v in enumerate(value) for e in _errors(v, item_type, f"{path}[{i}]")]
    if type_name == "Integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path} must be an Integer, got {value!r}"]
    if type_name == "Float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path} must be a Float, got {value!r}"]
    if type_name == "Boolean":
        return [] if isinstance(value, bool) else [f"{path} must be a Boolean, got {value!r}"]
    if type_name == "String":
        return [] if isinstance(value, str) else [f"{path} must be a String, got {value!r}"]
    if type_name == "InputFile":
        ok = isinstance(value, Upload)
        return [] if ok else [f"{path} must be an uploaded file"]
    return _object_errors(value, type_name, path)


def _object_errors(value: Any, type_name: str, path: str) -> list[str]:
    spec_type = load_spec().types.get(type_name)
    if spec_type is None:
        return []  # a type the spec does not describe: nothing to check
    if not isinstance(value, dict):
        return [f"{path} must be a JSON object ({type_name}), got {value!r}"]
    subtypes: list[str] = spec_type.get("subtypes", [])
    if subtypes:
        tagged = [name for name in subtypes if _tag_matches(value, name)]
        return _union_errors(value, tagged or subtypes, path)
    fields = {f["name"]: f for f in spec_type.get("fields", [])}
    errors = [f'{path} has unknown field "{k}" for {type_name}' for k in value if k not in fields]
    for name, field in fields.items():
        if name not in value:
            if field["required"]:
                errors.append(f'{path} lacks required field "{name}" of {type_name}')
            continue
        errors.extend(_union_errors(value[name], field["types"], f"{path}.{name}"))
        constant = _constant(field)
        if constant is not None and value[name] != constant:
            errors.append(f'{path}.{name} must be "{constant}" for {type_name}')
    return errors


def _constant(field: dict[str, Any]) -> str | None:
    """The fixed value of a ``type``-like field ("Scope type, must be chat" -> "chat")."""
    if field["name"] not in _TAG_FIELDS:
        return None
    match = _CONSTANT_RE.search(field["description"])
    return match.group(1) if match else None


def _tag_matches(value: dict[str, Any], type_name: str) -> bool:
    """Whether ``value``'s type-like fields have the values subtype ``type_name`` requires."""
    fields = load_spec().types.get(type_name, {}).get("fields", [])
    return all(
        value.get(field["name"]) == constant
        for field in fields
        if (constant := _constant(field)) is not None
    )


def _union_errors(value: Any, types: list[str], path: str) -> list[str]:
    """Errors of ``value`` against the best-fitting of several alternative types."""
    best: list[str] | None = None
    for type_name in types:
        errors = _errors(value, type_name, path)
        if not errors:
            return []
        if best is None or len(errors) < len(best):
            best = errors
    return best or []


def validate_call(method: str, params: dict[str, Any]) -> list[str]:
    """All reasons the call would be rejected; ``[]`` when Telegram would accept it."""
    spec = load_spec()
    if method not in spec.methods:
        return [f'unknown method "{method}"']
    fields = spec.fields(method)
    problems = [f'unknown parameter "{name}"' for name in params if name not in fields]
    for name, field in fields.items():
        if name not in params:
            if field["required"]:
                problems.append(f'required parameter "{name}" is missing')
            continue
        value = params[name]
        if isinstance(value, str) and value.startswith("attach://"):
            problems.append(f'parameter "{name}" refers to a missing upload {value}')
            continue
        problems.extend(_union_errors(value, field["types"], name))
    if not problems:
        problems.extend(rules.check_limits(method, params))
    return problems


def validate_object(value: Any, type_name: str) -> list[str]:
    """Reasons ``value`` is not a valid ``type_name`` of the spec (``[]`` when it is)."""
    return _errors(value, type_name, type_name)
