"""Where policy files are found: shipped in the package, or a deployment's folder
(``CANCERINFO_POLICIES``) for each file it has."""

from __future__ import annotations

import importlib.resources
import shutil
from pathlib import Path

import pytest

from cancerinfo.errors import PolicyError
from cancerinfo.policies import policy_path, shipped_policies
from tests.helpers import cli

SHIPPED = (
    "answer.yaml",
    "intents.yaml",
    "lay_terms.yaml",
    "lint.yaml",
    "retrieval.yaml",
    "safety.yaml",
    "tiers.yaml",
    "triage/en.yaml",
    "triage/es.yaml",
    "triage/exemplars.yaml",
    "triage/other-languages.yaml",
    "triage/refusal-examples.yaml",
    "triage/refusals.yaml",
    "triage/rules.yaml",
)


def test_the_policy_files_are_package_data() -> None:
    folder = shipped_policies()
    assert folder == Path(str(importlib.resources.files("cancerinfo") / "policies"))
    for name in SHIPPED:
        assert policy_path(name) == folder / name and (folder / name).is_file(), name
    assert policy_path("triage") == folder / "triage"


def test_a_deployment_folder_replaces_the_files_it_has_and_only_those(tmp_path: Path) -> None:
    (tmp_path / "lint.yaml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "triage").mkdir()
    assert policy_path("lint.yaml", folder=tmp_path) == tmp_path / "lint.yaml"
    assert policy_path("triage", folder=tmp_path) == tmp_path / "triage"
    assert policy_path("answer.yaml", folder=tmp_path) == shipped_policies() / "answer.yaml"
    assert (
        policy_path("triage/rules.yaml", folder=tmp_path)
        == shipped_policies() / "triage" / "rules.yaml"
    )


def test_a_policy_file_that_is_nowhere_is_a_policy_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        policy_path("nothing.yaml", folder=tmp_path)
    assert str(caught.value) == f"{shipped_policies() / 'nothing.yaml'}: policy file not found"


def test_cancerinfo_policies_names_the_folder_the_commands_read(
    tmp_path: Path, examples_kb: Path
) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    assert (
        cli("validate", str(examples_kb), env={"CANCERINFO_POLICIES": str(folder)}).returncode == 0
    )
    shutil.copy(policy_path("lint.yaml"), folder / "lint.yaml")
    with (folder / "lint.yaml").open("a", encoding="utf-8") as lint:
        lint.write("surprise: 1\n")
    result = cli("validate", str(examples_kb), env={"CANCERINFO_POLICIES": str(folder)})
    assert result.returncode == 1
    assert f"{folder / 'lint.yaml'}: key surprise" in result.stderr + result.stdout
