"""Semantic versions for published models: parse, order, bump; model names and references."""

import re

from keras_slm.errors import RegistryError

BUMPS = ("patch", "minor", "major")
FIRST_VERSION = "1.0.0"
_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
# Names become folder and object-store key parts: no separators, no dots at the start.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def parse_version(text):
    """(major, minor, patch) of "X.Y.Z"; raises `RegistryError` for anything else.

    Example:
    >>> parse_version("1.10.2")
    (1, 10, 2)
    """
    match = _VERSION.match(str(text))
    if not match:
        raise RegistryError(f"version {text!r} is not a semantic version MAJOR.MINOR.PATCH (e.g. 1.2.0)")
    return tuple(int(part) for part in match.groups())


def version_key(text):
    """Sort key: versions ordered numerically (1.10.0 after 1.9.0)."""
    return parse_version(text)


def next_version(existing, bump="patch"):
    """The version after the highest of `existing`; FIRST_VERSION when there is none.

    Args:
        existing: published version strings (deprecated ones included: versions are never reused).
        bump: "patch", "minor" or "major".

    Example:
    >>> next_version(["1.0.0", "1.2.3"], "minor")
    '1.3.0'
    """
    if bump not in BUMPS:
        raise RegistryError(f"bump must be one of {BUMPS}, received {bump!r}")
    if not existing:
        return FIRST_VERSION
    major, minor, patch = max(parse_version(v) for v in existing)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def check_name(name):
    """Returns `name` if it is a valid model name, else raises `RegistryError`."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise RegistryError(
            f"model name {name!r} is not valid: use 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def parse_ref(ref):
    """(name, version or None) from "name" or "name@1.2.0".

    Example:
    >>> parse_ref("sentiment@1.2.0")
    ('sentiment', '1.2.0')
    """
    name, _, version = str(ref).partition("@")
    check_name(name)
    if version:
        parse_version(version)
        return name, version
    return name, None
