"""KB lint: each rule on real files written to tmp_path, the policy file, the real corpora."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from cancerinfo.errors import PolicyError
from cancerinfo.kb.document import Document
from cancerinfo.kb.lint import lint_documents, resolve_link
from cancerinfo.kb.lint_policy import CancerTypeRules, LintPolicy, load_lint_policy
from cancerinfo.kb.loader import iter_kb_files, load_file
from cancerinfo.kb.problems import Problem
from cancerinfo.policies import policy_path

TODAY = date(2026, 11, 23)
REPO = Path(__file__).resolve().parents[2]

BASE_HEADER: dict[str, Any] = {
    "title": "Breast Cancer Treatment",
    "url": "https://www.cancer.gov/types/breast/patient/breast-treatment-pdq",
    "source": "NCI",
    "sourceType": "02_nci_core",
    "language": "en",
    "status": "active",
    "audienceLevel": "patient",
    "lastReviewed": "2026-10-01",
    "reviewFrequency": "annual",
    "cancerTypes": ["breast"],
}
CLEAN_BODY = """
# Breast Cancer Treatment

Breast cancer is a disease in which malignant cells form in the tissues of the breast.

## Treatment

See [the NCI page](https://www.cancer.gov/types/breast) and [below](#treatment).
"""


@pytest.fixture(scope="module")
def policy() -> LintPolicy:
    """The repository policy with the thresholds these tests are written against pinned."""
    data = yaml.safe_load(policy_path("lint.yaml").read_text(encoding="utf-8"))
    data.update(
        review_due_window_days=30,
        relative_link_examples=3,
        placeholder_patterns=["placeholder slot", r"\{\{\s*[\w.-]+\s*\}\}"],
    )
    data["cancer_types"].update(min_body_mentions=5, min_mentions_per_1000_words=0.6)
    return LintPolicy.model_validate(data)


def write_page(folder: Path, name: str, body: str = CLEAN_BODY, **header: Any) -> Document:
    """Write a KB page with BASE_HEADER (overridden by ``header``) and load it for real."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    front_matter = yaml.safe_dump({**BASE_HEADER, **header}, sort_keys=False)
    path.write_text(f"---\n{front_matter}---\n{body}", encoding="utf-8")
    result = load_file(path, today=TODAY)
    assert result.document is not None, result.problems
    return result.document


def line_of(document: Document, text: str, *, exact: bool = False) -> int:
    """1-based file line of the first line that starts with (or is) ``text``, computed here."""
    lines = document.path.read_text(encoding="utf-8").splitlines()
    return next(
        number
        for number, line in enumerate(lines, 1)
        if line == text or (not exact and line.startswith(text))
    )


def lint(documents: list[Document], policy: LintPolicy) -> list[Problem]:
    return lint_documents(documents, today=TODAY, policy=policy)


def codes(problems: list[Problem]) -> list[str]:
    return [problem.code for problem in problems]


def test_a_clean_page_has_no_warnings(tmp_path: Path, policy: LintPolicy) -> None:
    assert lint([write_page(tmp_path, "page.md")], policy) == []


def test_findings_are_warnings_that_strict_mode_can_turn_into_errors(
    tmp_path: Path, policy: LintPolicy
) -> None:
    page = write_page(tmp_path, "page.md", body="# A\n\n# B\n\nPlaceholder slot\n")
    problems = lint([page], policy)
    assert problems and {problem.severity for problem in problems} == {"warning"}
    assert {problem.as_error().severity for problem in problems} == {"error"}
    assert all(problem.path == str(page.path) for problem in problems)


def test_the_default_policy_is_the_shipped_file() -> None:
    shipped = REPO / "src" / "cancerinfo" / "policies" / "lint.yaml"
    assert policy_path("lint.yaml") == shipped
    assert load_lint_policy() == load_lint_policy(shipped)


def test_without_a_policy_the_repository_policy_is_used(tmp_path: Path) -> None:
    page = write_page(tmp_path, "page.md", body="# A\n\nPlaceholder slot\n")
    assert codes(lint_documents([page], today=TODAY)) == ["PLACEHOLDER_LEFTOVER"]


# --- review -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_reviewed", "expected"),
    [
        ("2026-08-22", ["REVIEW_OVERDUE"]),  # quarterly: due 2026-11-22
        ("2026-08-23", ["REVIEW_DUE_SOON"]),  # due today
        ("2026-09-23", ["REVIEW_DUE_SOON"]),  # due 2026-12-23, 30 days away
        ("2026-09-24", []),  # due 2026-12-24, 31 days away
    ],
)
def test_review_dates_are_checked_against_today(
    tmp_path: Path, policy: LintPolicy, last_reviewed: str, expected: list[str]
) -> None:
    page = write_page(tmp_path, "p.md", lastReviewed=last_reviewed, reviewFrequency="quarterly")
    problems = lint([page], policy)
    assert codes(problems) == expected
    for problem in problems:
        assert problem.field == "lastReviewed"
        assert problem.line == line_of(page, "lastReviewed:")


def test_the_review_window_comes_from_the_policy(tmp_path: Path, policy: LintPolicy) -> None:
    page = write_page(tmp_path, "p.md", lastReviewed="2026-09-24", reviewFrequency="quarterly")
    wider = policy.model_copy(update={"review_due_window_days": 31})
    assert codes(lint([page], wider)) == ["REVIEW_DUE_SOON"]


def test_an_overdue_message_names_the_due_date(tmp_path: Path, policy: LintPolicy) -> None:
    page = write_page(tmp_path, "p.md", lastReviewed="2026-01-31", reviewFrequency="monthly")
    [problem] = lint([page], policy)
    assert "2026-02-28" in problem.message and "monthly" in problem.message


def test_a_page_reviewed_as_needed_is_never_due(tmp_path: Path, policy: LintPolicy) -> None:
    page = write_page(tmp_path, "p.md", lastReviewed="2001-01-01", reviewFrequency="as_needed")
    assert lint([page], policy) == []


# --- body: placeholders, headings ---------------------------------------------------------


def test_placeholder_leftovers_are_reported_on_their_line(
    tmp_path: Path, policy: LintPolicy
) -> None:
    body = "# Drug\n\nPLACEHOLDER SLOT\n\nA real sentence.\n\nText {{ drug_name }} here.\n"
    page = write_page(tmp_path, "p.md", body=body)
    problems = lint([page], policy)
    assert codes(problems) == ["PLACEHOLDER_LEFTOVER", "PLACEHOLDER_LEFTOVER"]
    assert [problem.line for problem in problems] == [
        line_of(page, "PLACEHOLDER SLOT"),
        line_of(page, "Text {{"),
    ]
    assert "PLACEHOLDER SLOT" in problems[0].message


def test_placeholder_patterns_come_from_the_policy(tmp_path: Path, policy: LintPolicy) -> None:
    page = write_page(tmp_path, "p.md", body="# Drug\n\nPlaceholder slot\n")
    no_patterns = policy.model_copy(update={"placeholder_patterns": ()})
    assert lint([page], no_patterns) == []


def test_a_second_h1_is_reported_naming_both(tmp_path: Path, policy: LintPolicy) -> None:
    body = "# Ixazomib Citrate - NCI\n\nIntro.\n\n# Ixazomib Citrate\n\nText.\n"
    page = write_page(tmp_path, "p.md", body=body)
    [problem] = lint([page], policy)
    assert problem.code == "DUPLICATE_H1"
    assert problem.line == line_of(page, "# Ixazomib Citrate", exact=True)
    assert "'# Ixazomib Citrate - NCI'" in problem.message
    assert "'# Ixazomib Citrate'" in problem.message


def test_headings_inside_fenced_code_are_ignored(tmp_path: Path, policy: LintPolicy) -> None:
    body = "# Title\n\nIntro.\n\n```markdown\n# Not a heading\n## Nor this\n```\n\n~~~\n# No\n~~~\n"
    assert lint([write_page(tmp_path, "p.md", body=body)], policy) == []


def test_an_empty_section_is_reported_at_its_heading(tmp_path: Path, policy: LintPolicy) -> None:
    body = "# Title\n\nIntro.\n\n## Empty\n\n## Full\n\nText.\n\n## Last\n\n"
    page = write_page(tmp_path, "p.md", body=body)
    problems = lint([page], policy)
    assert codes(problems) == ["EMPTY_SECTION", "EMPTY_SECTION"]
    assert [problem.line for problem in problems] == [
        line_of(page, "## Empty"),
        line_of(page, "## Last"),
    ]
    assert "## Empty" in problems[0].message


def test_a_section_with_only_subsections_is_not_empty(tmp_path: Path, policy: LintPolicy) -> None:
    body = "# Title\n\n## Parent\n\n### Child\n\nText.\n\n## Next\n\n```\ncode is text\n```\n"
    assert lint([write_page(tmp_path, "p.md", body=body)], policy) == []


def test_an_empty_subsection_empties_its_parent_too(tmp_path: Path, policy: LintPolicy) -> None:
    body = "# Title\n\nIntro.\n\n## Parent\n\n### Child\n\n## Next\n\nText.\n"
    page = write_page(tmp_path, "p.md", body=body)
    problems = lint([page], policy)
    assert [problem.line for problem in problems] == [
        line_of(page, "## Parent"),
        line_of(page, "### Child"),
    ]


# --- links and urls -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/types/breast", "https://www.cancer.gov/types/breast"),
        (
            "/Common/PopUps/popDefinition.aspx?id=45333&version=Patient",
            "https://www.cancer.gov/Common/PopUps/popDefinition.aspx?id=45333&version=Patient",
        ),
        ("hp/breast-treatment-pdq", "https://www.cancer.gov/types/breast/hp/breast-treatment-pdq"),
        ("https://medlineplus.gov/a.html", "https://medlineplus.gov/a.html"),
        ("//example.org/x", "https://example.org/x"),
    ],
)
def test_resolve_link(target: str, expected: str) -> None:
    assert resolve_link("https://www.cancer.gov/types/breast/patient", target) == expected


def test_relative_links_are_one_finding_with_count_and_resolved_examples(
    tmp_path: Path, policy: LintPolicy
) -> None:
    body = (
        "# Title\n\nSee [a](https://www.cancer.gov/a), [top](#top) and [mail](mailto:x@y.org).\n\n"
        'Then [b](/types/b) and ![img](/img/c.png "C").\n\n[d](/types/d) [e](/types/e)\n\n'
        "```\n[code](/not/counted)\n```\n\n[ref]: /types/f\n"
    )
    page = write_page(tmp_path, "p.md", body=body)
    [problem] = lint([page], policy.model_copy(update={"relative_link_examples": 2}))
    assert problem.code == "RELATIVE_LINK"
    assert problem.line == line_of(page, "Then [b]")
    assert problem.message.startswith("5 link targets are relative")
    assert (
        "https://www.cancer.gov/types/b, https://www.cancer.gov/img/c.png, ..." in problem.message
    )
    assert "/types/d" not in problem.message


@pytest.mark.parametrize(
    ("url", "audience", "flagged"),
    [
        ("https://www.cancer.gov/types/breast/hp/breast-treatment-pdq", "patient", True),
        ("https://www.cancer.gov/types/breast/hp", "patient", True),
        ("https://www.cancer.gov/types/breast/HP/", "patient", True),
        (
            "https://www.cancer.gov/types/breast/hp/breast-treatment-pdq",
            "health_professional",
            False,
        ),
        ("https://www.cancer.gov/types/breast/patient/breast-treatment-pdq", "patient", False),
        ("https://www.cancer.gov/about-cancer/causes-prevention/risk/hpv", "patient", False),
        ("https://www.cancer.gov/types/breast/hp-summary", "patient", False),
        # the professional twin of a supportive-care page: its slug ends in -hp-pdq
        ("https://www.cancer.gov/about-cancer/treatment/side-effects/lymphedema/lymphedema-hp-pdq", "patient", True),
        ("https://www.cancer.gov/about-cancer/treatment/side-effects/lymphedema/lymphedema-pdq", "patient", False),
    ],
)
def test_a_patient_audience_on_a_health_professional_url(
    tmp_path: Path, policy: LintPolicy, url: str, audience: str, flagged: bool
) -> None:
    page = write_page(tmp_path, "p.md", url=url, audienceLevel=audience)
    problems = lint([page], policy)
    assert codes(problems) == (["HP_MARKED_PATIENT"] if flagged else [])
    if flagged:
        assert problems[0].line == line_of(page, "audienceLevel:")


def test_two_files_with_one_url_are_both_named(tmp_path: Path, policy: LintPolicy) -> None:
    first = write_page(tmp_path, "a.md")
    second = write_page(tmp_path, "b.md", url=BASE_HEADER["url"] + "/")
    other = write_page(tmp_path, "c.md", url="https://www.cancer.gov/types/breast/other")
    [problem] = lint([first, second, other], policy)
    assert problem.code == "DUPLICATE_URL"
    assert problem.path == str(second.path)
    assert str(first.path) in problem.message
    assert problem.line == line_of(second, "url:")


# --- folders ------------------------------------------------------------------------------


def test_source_type_and_language_must_match_their_folders(
    tmp_path: Path, policy: LintPolicy
) -> None:
    good = write_page(tmp_path, "kb/en/02_nci_core/treatment/good.md")
    bad = write_page(tmp_path, "kb/es/03_partner/treatment/bad.md", url="https://example.org/es")
    problems = lint([good, bad], policy)
    assert codes(problems) == ["SOURCE_TYPE_FOLDER_MISMATCH", "LANGUAGE_FOLDER_MISMATCH"]
    assert {problem.path for problem in problems} == {str(bad.path)}
    assert "03_partner" in problems[0].message and "02_nci_core" in problems[0].message
    assert problems[0].line == line_of(bad, "sourceType:")
    assert problems[1].line == line_of(bad, "language:")


@pytest.mark.parametrize(
    "name", ["flat/page.md", "kb/english/02_nci_core/p.md", "kb/en/nci_core/p.md", "en/02_x.md"]
)
def test_folders_without_the_layout_are_not_checked(
    tmp_path: Path, policy: LintPolicy, name: str
) -> None:
    page = write_page(tmp_path, name, sourceType="05_other", language="fr")
    assert lint([page], policy) == []


# --- cancer types -------------------------------------------------------------------------


def test_cancer_types_fit_by_title_url_synonym_or_general(
    tmp_path: Path, policy: LintPolicy
) -> None:
    page = write_page(
        tmp_path,
        "p.md",
        title="Renal Cell Cancer Treatment",
        url="https://www.cancer.gov/types/head-and-neck/patient/kidney",
        cancerTypes=["kidney", "head and neck", "general", "Breast"],
    )
    assert lint([page], policy) == []


def test_a_cancer_type_the_page_hardly_mentions_is_flagged(
    tmp_path: Path, policy: LintPolicy
) -> None:
    filler = "Vulvar cancer forms in the vulva and is treated with surgery. " * 200
    body = f"# Vulvar Cancer\n\n{filler}\n\nThis is not lung cancer or breast cancer.\n"
    page = write_page(
        tmp_path,
        "p.md",
        body=body,
        title="Vulvar Cancer Treatment",
        url="https://www.cancer.gov/types/vulvar/patient/vulvar-treatment-pdq",
        cancerTypes=["vulvar", "breast", "lung", "skin", "general"],
    )
    [problem] = lint([page], policy)
    assert problem.code == "CANCER_TYPES_MISMATCH"
    assert (problem.field, problem.line) == ("cancerTypes", line_of(page, "cancerTypes:"))
    assert re.findall(r"'(\w+)' \((\d+) mentions?\)", problem.message) == [
        ("breast", "1"),
        ("lung", "1"),
        ("skin", "0"),
    ]


def test_enough_body_mentions_make_a_cancer_type_fit(tmp_path: Path, policy: LintPolicy) -> None:
    rules = policy.cancer_types
    sentence = "Vulvar cancer forms in the vulva and is treated with surgery. "
    # Long enough that min_body_mentions - 1 mentions stay under the per-1,000-words rate.
    repeats = int(
        rules.min_body_mentions * 1000 / max(rules.min_mentions_per_1000_words, 0.01) / 11
    )
    pages = []
    for name, mentions in [
        ("fits.md", rules.min_body_mentions),
        ("few.md", rules.min_body_mentions - 1),
    ]:
        body = f"# Vulvar\n\n{sentence * repeats}\n\n{'It may spread to the lungs. ' * mentions}\n"
        url = f"https://www.cancer.gov/types/vulvar/{name}"
        pages.append(
            write_page(tmp_path, name, body=body, title="Vulvar", url=url, cancerTypes=["lung"])
        )
    [problem] = lint(pages, policy)
    assert (problem.code, problem.path) == ("CANCER_TYPES_MISMATCH", str(pages[1].path))
    assert f"'lung' ({rules.min_body_mentions - 1} mentions)" in problem.message


def test_one_mention_on_a_short_page_fits(tmp_path: Path, policy: LintPolicy) -> None:
    body = "# Ixabepilone\n\nIt is approved to treat [breast cancer](/Common/x) that has spread.\n"
    page = write_page(
        tmp_path,
        "p.md",
        body=body,
        title="Ixabepilone",
        url="https://www.cancer.gov/about-cancer/treatment/drugs/ixabepilone",
        cancerTypes=["breast", "lung"],
    )
    problems = [problem for problem in lint([page], policy) if problem.code != "RELATIVE_LINK"]
    assert len(problems) == 1
    assert "'lung' (0 mentions)" in problems[0].message
    assert "breast" not in problems[0].message


def test_with_no_rate_threshold_one_mention_fits_and_none_does_not(
    tmp_path: Path, policy: LintPolicy
) -> None:
    rules = policy.cancer_types.model_copy(update={"min_mentions_per_1000_words": 0.0})
    any_mention = policy.model_copy(update={"cancer_types": rules})
    body = "# Drug\n\nApproved for breast cancer.\n"
    page = write_page(tmp_path, "p.md", body=body, title="Drug", cancerTypes=["breast", "lung"])
    [problem] = lint([page], any_mention)
    assert "'lung' (0 mentions)" in problem.message and "breast" not in problem.message


# --- the policy file ----------------------------------------------------------------------


def write_policy(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(policy_path("lint.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "lint.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda data: data.pop("review_due_window_days"), "key review_due_window_days"),
        (lambda data: data.update(review_due_window_days="thirty"), "key review_due_window_days"),
        (lambda data: data.update(review_due_window_days=-1), "key review_due_window_days"),
        (lambda data: data.update(relative_link_examples=True), "key relative_link_examples"),
        (lambda data: data.update(surprise=1), "key surprise"),
        (
            lambda data: data.update(placeholder_patterns=["ok", "(unclosed"]),
            "placeholder_patterns item 2",
        ),
        (lambda data: data.update(placeholder_patterns=["x*"]), "placeholder_patterns"),
        (
            lambda data: data["cancer_types"].pop("min_body_mentions"),
            "key cancer_types.min_body_mentions",
        ),
        (
            lambda data: data["cancer_types"].update(min_body_mentions=0),
            "cancer_types.min_body_mentions",
        ),
        (
            lambda data: data["cancer_types"]["synonyms"].update(lung=[3]),
            "cancer_types.synonyms.lung item 1",
        ),
    ],
)
def test_a_bad_policy_names_the_file_and_key(tmp_path: Path, change: Any, named: str) -> None:
    path = write_policy(tmp_path, change)
    with pytest.raises(PolicyError) as caught:
        load_lint_policy(path)
    assert str(path) in str(caught.value)
    assert named in str(caught.value)


def test_every_policy_key_is_documented_by_a_comment_above_it() -> None:
    lines = policy_path("lint.yaml").read_text(encoding="utf-8").splitlines()
    for name in [*LintPolicy.model_fields, *CancerTypeRules.model_fields]:
        position = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{name}:"))
        assert lines[position - 1].strip().startswith("#"), f"{name} has no comment above it"


def test_a_missing_or_unparsable_policy_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    with pytest.raises(PolicyError, match=re.escape(str(missing))):
        load_lint_policy(missing)
    broken = tmp_path / "broken.yaml"
    broken.write_text("review_due_window_days: [30\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=re.escape(str(broken)) + ".*not valid YAML"):
        load_lint_policy(broken)
    listed = tmp_path / "listed.yaml"
    listed.write_text("- 30\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="key: value"):
        load_lint_policy(listed)


# --- the real seeds and corpus ------------------------------------------------------------


def load_all(root: Path) -> list[Document]:
    results = [load_file(path, today=TODAY) for _, path in iter_kb_files([root])]
    return [result.document for result in results if result.document is not None]


def test_the_seed_pages_have_placeholder_and_duplicate_h1_warnings(examples_kb: Path) -> None:
    documents = load_all(examples_kb)
    assert documents
    problems = lint_documents(documents, today=TODAY)
    for document in documents:
        found = {problem.code for problem in problems if problem.path == str(document.path)}
        assert {"PLACEHOLDER_LEFTOVER", "DUPLICATE_H1"} <= found, document.path
        placeholder = next(
            p for p in problems if p.path == str(document.path) and p.code == "PLACEHOLDER_LEFTOVER"
        )
        assert placeholder.line == line_of(document, "Placeholder slot")


@pytest.mark.shared
@pytest.mark.slow
def test_the_nci_corpus_lint(nci_kb: Path, record_property: pytest.RecordProperty) -> None:
    """The repository policy over the real corpus: counts reported, calibration checked."""
    documents = load_all(nci_kb)
    problems = lint_documents(documents, today=TODAY)
    counts = Counter(problem.code for problem in problems)
    record_property("lint_counts", dict(counts))
    print(f"\nlint over {len(documents)} nci-kb pages on {TODAY}: {dict(counts.most_common())}")

    mismatches = {p.path: p for p in problems if p.code == "CANCER_TYPES_MISMATCH"}
    vulvar = next(
        d
        for d in documents
        if d.url == "https://www.cancer.gov/types/vulvar/patient/vulvar-treatment-pdq"
    )
    assert str(vulvar.path) in mismatches
    flagged = set(re.findall(r"'([^']+)' \(\d+ mentions?\)", mismatches[str(vulvar.path)].message))
    assert {"breast", "kidney"} <= flagged and "vulvar" not in flagged

    # Obviously right tags are never flagged: the cancer type in the page's own url, and the
    # cancers a drug page names (whole word) in its "Use in Cancer" section.
    for document in documents:
        problem = mismatches.get(str(document.path))
        if problem is None:
            continue
        flagged = set(re.findall(r"'([^']+)' \(\d+ mentions?\)", problem.message))
        url_words = f" {' '.join(re.findall('[a-z0-9]+', document.url.lower()))} "
        assert not {value for value in flagged if f" {value} " in url_words}, document.url
        use_in_cancer = re.search(
            r"^## Use in Cancer\n(.*?)(?=^## |\Z)", document.body, re.S | re.M
        )
        if use_in_cancer is not None:
            named = {
                v
                for v in flagged
                if re.search(rf"\b{re.escape(v)}\b", use_in_cancer.group(1), re.I)
            }
            assert not named, document.url

    assert counts["REVIEW_OVERDUE"] + counts["REVIEW_DUE_SOON"] > 0
    assert counts["DUPLICATE_URL"] >= len(documents) - len({d.url for d in documents})
