"""Where the policy files live: ``policies/`` beside ``src/`` (YAML a clinician can read),
or the folder named by ``CANCERINFO_POLICIES`` / the ``policies`` setting."""

from __future__ import annotations

from pathlib import Path

from cancerinfo.errors import PolicyError

DEFAULT_POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"


def policy_path(name: str, *, folder: Path | None = None) -> Path:
    """The path of policy file ``name`` (e.g. ``lint.yaml``); it must exist."""
    path = (folder or DEFAULT_POLICIES_DIR) / name
    if not path.is_file():
        raise PolicyError(f"{path}: policy file not found")
    return path
