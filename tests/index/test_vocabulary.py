"""The KB vocabulary: mining from real page shapes, matching, expansion, rows, lay terms."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from cancerinfo.errors import PolicyError
from cancerinfo.index.vocabulary import (
    ROW_COLUMNS,
    EntityMatch,
    Kind,
    Vocabulary,
    load_lay_terms,
    normalise_term,
    parse_lay_terms,
)
from cancerinfo.kb.document import Document
from cancerinfo.kb.loader import iter_kb_files, load_file
from cancerinfo.policies import policy_path
from tests.helpers import write_page

LAY_TERMS = policy_path("lay_terms.yaml")
DRUGS = "https://www.cancer.gov/about-cancer/treatment/drugs/"

DABRAFENIB = """# Dabrafenib Mesylate - NCI

# Dabrafenib Mesylate

(DAB-ruh-FEN-ib MEH-sih-layt)

US Brand Name(s)

Tafinlar

FDA Approved

Yes

## Use in Cancer

Dabrafenib mesylate is approved to treat [melanoma](/Common/PopUps/popDefinition.aspx?id=45786&version=Patient&language=English).
"""
PEGFILGRASTIM = """# Pegfilgrastim - NCI

# Pegfilgrastim

US Brand Name(s)

Fulphila
Neulasta
Udenyca

FDA Approved

Yes
"""
DOXORUBICIN = """# Doxorubicin Hydrochloride - NCI

# Doxorubicin Hydrochloride

FDA Approved

Yes
"""
ABVD = """# ABVD - NCI

# ABVD

This chemotherapy combination contains the drugs doxorubicin hydrochloride (Adriamycin).

Drugs in the ABVD combination:

|  |  |
| --- | --- |
| **A** | = [Doxorubicin Hydrochloride](/about-cancer/treatment/drugs/DoxorubicinHydrochloride) (Adriamycin) |
| **B** | = [Bleomycin](/about-cancer/treatment/drugs/bleomycin) |

## Use in Cancer
"""
ICE = """# ICE - NCI

# ICE

Drugs in the ICE combination:

|  |  |
| --- | --- |
| **I** | = [Ifosfamide](/about-cancer/treatment/drugs/ifosfamide) |
"""
LEUKEMIA = """# Adult Acute Lymphoblastic Leukemia Treatment (PDQ®) - NCI

Adult acute lymphoblastic leukemia (ALL) is a type of cancer. Treatment of ALL
is described below. All patients may suck on ice chips during
[chemotherapy](/Common/PopUps/popDefinition.aspx?id=45214&version=Patient&language=English).

### Chemotherapy

Chemotherapy (also called chemo) uses drugs to stop the growth of cancer cells.

A CT (computed tomography) scan makes pictures. This procedure is also called nuclear MRI.

Patients in active surveillance (AS) or on intrathecal (IT) therapy are watched closely.

The [acute lymphoblastic leukemia](/Common/PopUps/popDefinition.aspx?id=1) and
[leukemia](/Common/PopUps/popDefinition.aspx?id=2) cells are counted.
"""


def _document(path: Path) -> Document:
    result = load_file(path)
    assert result.document is not None, result.problems
    return result.document


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Document]:
    folder = tmp_path_factory.mktemp("kb")
    specs: list[tuple[str, str, str]] = [
        ("dabrafenib.md", DRUGS + "dabrafenib", DABRAFENIB),
        ("pegfilgrastim.md", DRUGS + "pegfilgrastim", PEGFILGRASTIM),
        ("doxorubicin.md", DRUGS + "doxorubicinhydrochloride", DOXORUBICIN),
        ("abvd.md", DRUGS + "abvd", ABVD),
        ("ice.md", DRUGS + "ice", ICE),
        (
            "all.md",
            "https://www.cancer.gov/types/leukemia/patient/adult-all-treatment-pdq",
            LEUKEMIA,
        ),
        (
            "breast.md",
            "https://www.cancer.gov/types/breast",
            "# Breast Cancer—Patient Version - NCI\n",
        ),
    ]
    specs += [
        (
            f"facebook-{n}.md",
            f"https://www.cancer.gov/def/{n}",
            "# Facebook\n\nEnable JavaScript.\n",
        )
        for n in range(4)
    ]
    return [
        _document(write_page(folder, name, body, url=url, title=body.split("\n")[0][2:]))
        for name, url, body in specs
    ]


@pytest.fixture(scope="module")
def vocabulary(pages: list[Document]) -> Vocabulary:
    return Vocabulary.from_documents(
        pages, lay_terms={"voice box": "larynx", "chemo": "chemotherapy"}
    )


def kinds(vocabulary: Vocabulary, term: str) -> dict[Kind, tuple[str, tuple[str, ...]]]:
    return {entry.kind: (entry.canonical, entry.urls) for entry in vocabulary.lookup(term)}


def top(vocabulary: Vocabulary, question: str) -> EntityMatch:
    found = vocabulary.match(question)
    assert found, f"nothing matched in {question!r}"
    return found[0]


# --- normalisation and mining -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Tafinlar?", "tafinlar"),
        ("Hodgkin’s Lymphoma", "hodgkin lymphoma"),
        ("R-CHOP", "r chop"),
        ("Décadron®", "decadron"),
        ("  5-FU / leucovorin ", "5 fu leucovorin"),
    ],
)
def test_normalise_term_folds_case_accents_punctuation_and_possessives(
    text: str, term: str
) -> None:
    assert normalise_term(text) == term


def test_drug_page_gives_its_generic_name_and_every_brand(vocabulary: Vocabulary) -> None:
    assert kinds(vocabulary, "Dabrafenib Mesylate")[Kind.DRUG] == (
        "Dabrafenib Mesylate",
        (DRUGS + "dabrafenib",),
    )
    assert kinds(vocabulary, "tafinlar")[Kind.BRAND] == (
        "Dabrafenib Mesylate",
        (DRUGS + "dabrafenib",),
    )
    for brand in ("Fulphila", "Neulasta", "Udenyca"):
        assert kinds(vocabulary, brand)[Kind.BRAND] == ("Pegfilgrastim", (DRUGS + "pegfilgrastim",))


def test_generic_name_without_its_salt_names_the_same_page(vocabulary: Vocabulary) -> None:
    assert kinds(vocabulary, "dabrafenib")[Kind.DRUG] == (
        "Dabrafenib Mesylate",
        (DRUGS + "dabrafenib",),
    )


def test_regimen_page_gives_the_regimen_and_its_components(vocabulary: Vocabulary) -> None:
    assert kinds(vocabulary, "ABVD")[Kind.REGIMEN] == ("ABVD", (DRUGS + "abvd",))
    # the link's path case differs from the page's url; the alias points to the drug page
    adriamycin = kinds(vocabulary, "Adriamycin")[Kind.REGIMEN_COMPONENT]
    assert adriamycin == ("Doxorubicin Hydrochloride", (DRUGS + "doxorubicinhydrochloride",))
    # a component without a page of its own points to the regimen page
    assert kinds(vocabulary, "bleomycin")[Kind.REGIMEN_COMPONENT] == (
        "Bleomycin",
        (DRUGS + "abvd",),
    )


def test_also_called_abbreviations_glossary_and_titles(vocabulary: Vocabulary) -> None:
    all_url = "https://www.cancer.gov/types/leukemia/patient/adult-all-treatment-pdq"
    assert kinds(vocabulary, "chemo")[Kind.ALIAS] == ("Chemotherapy", (all_url,))
    assert kinds(vocabulary, "ALL")[Kind.ABBREVIATION][0] == "acute lymphoblastic leukemia"
    assert kinds(vocabulary, "CT")[Kind.ABBREVIATION][0] == "computed tomography"
    assert Kind.GLOSSARY in kinds(vocabulary, "acute lymphoblastic leukemia")
    # "This procedure is also called …" has no head of its own: nothing is guessed
    assert not vocabulary.lookup("nuclear MRI")
    assert kinds(vocabulary, "breast cancer")[Kind.TITLE] == (
        "Breast Cancer—Patient Version",
        ("https://www.cancer.gov/types/breast",),
    )
    # a title shared by many pages identifies none of them
    assert not vocabulary.lookup("Facebook")


def test_mining_is_deterministic(pages: list[Document]) -> None:
    shuffled = list(pages)
    random.Random(7).shuffle(shuffled)
    assert (
        Vocabulary.from_documents(shuffled).to_rows() == Vocabulary.from_documents(pages).to_rows()
    )


# --- matching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["is Tafinlar a chemo pill?", "Tafinlar's side effects", "TAFINLAR!!!", "tafinlar"]
)
def test_a_brand_alone_finds_the_drug_page(vocabulary: Vocabulary, question: str) -> None:
    found = top(vocabulary, question)
    assert (found.kind, found.url, found.canonical) == (
        Kind.BRAND,
        DRUGS + "dabrafenib",
        "Dabrafenib Mesylate",
    )
    assert found.text.casefold() == "tafinlar"
    assert question[found.start : found.end] == found.text


def test_longest_match_wins_and_matches_do_not_overlap(vocabulary: Vocabulary) -> None:
    found = vocabulary.match("about acute lymphoblastic leukemia cells")
    spans = {(m.start, m.end) for m in found}
    assert {m.text for m in found} == {"acute lymphoblastic leukemia"}
    assert len(spans) == 1


@pytest.mark.parametrize(
    ("question", "matched"),
    [
        ("Treating ALL in adults", "ALL"),
        ("all of them are tired", None),
        ("All patients", None),
        ("what is the ICE regimen", "ICE"),
        ("ice chips for mouth sores", None),
        ("is abvd strong", "abvd"),
        ("a CT scan", "CT"),
        ("a ct scan", None),
        ("AS or IT", "AS IT"),
        ("as it is", None),
    ],
)
def test_acronyms_that_are_ordinary_words_need_capitals(
    vocabulary: Vocabulary, question: str, matched: str | None
) -> None:
    acronyms = {Kind.ABBREVIATION, Kind.REGIMEN}
    texts = sorted(
        {m.text for m in vocabulary.match(question) if m.kind in acronyms}, key=question.find
    )
    assert " ".join(texts) == (matched or "")


@pytest.mark.parametrize(
    "text",
    [
        "about acute lymphoblastic leukemia cells",
        "Treating ALL in adults with the ICE regimen and a CT scan",
        "is abvd strong? ice chips for mouth sores",
        "what is dabrafenb",  # a typo: match(typos=False) finds nothing for it either
        "nothing of the vocabulary here",
        "",
    ],
)
def test_canonicals_are_the_canonical_names_of_the_matches_without_typos(vocabulary: Vocabulary, text: str) -> None:
    assert vocabulary.canonicals(text) == {m.canonical for m in vocabulary.match(text, typos=False)}


def test_one_typo_in_a_long_word_is_forgiven(vocabulary: Vocabulary) -> None:
    for typo in ("dabrafenb", "dabrafeinb", "pegfilgrastin"):
        found = top(vocabulary, f"what is {typo}?")
        assert found.fuzzy and found.kind is Kind.DRUG and found.text == typo
    assert not vocabulary.match("what is dabrafenb", typos=False)
    assert not vocabulary.match("what is dbrfnb")  # more than one edit
    assert not vocabulary.match("kemo")  # words under 6 letters are never corrected


def test_expand_adds_generic_names_long_forms_lay_terms_and_spellings(
    vocabulary: Vocabulary,
) -> None:
    assert vocabulary.expand("is Tafinlar a chemo pill?") == ["Dabrafenib Mesylate", "chemotherapy"]
    assert vocabulary.expand("ALL in adults") == ["acute lymphoblastic leukemia"]
    assert vocabulary.expand("cancer of the voice box") == ["larynx"]
    assert vocabulary.expand("side effects of dabrafenb") == ["Dabrafenib Mesylate"]
    assert vocabulary.expand("dabrafenib mesylate") == []


# --- rows ---------------------------------------------------------------------------------


def test_rows_round_trip(vocabulary: Vocabulary) -> None:
    rows = vocabulary.to_rows()
    assert all(len(row) == len(ROW_COLUMNS) for row in rows)
    assert all(isinstance(json.loads(row[3]), list) for row in rows)
    again = Vocabulary.from_rows(rows)
    assert again.to_rows() == rows
    assert again.match("is Tafinlar a chemo pill?") == vocabulary.match("is Tafinlar a chemo pill?")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("tafinlar", "Dabrafenib", "brand", "[]", 0), "expected 6 columns"),
        (("Tafinlar", "Dabrafenib", "brand", "[]", 0, 1), "term must be normalised"),
        (("tafinlar", "Dabrafenib", "pill", "[]", 0, 1), "kind 'pill' is not one of"),
        (("tafinlar", "Dabrafenib", "brand", "{}", 0, 1), "urls must be a JSON list"),
        (("tafinlar", "Dabrafenib", "brand", "[", 0, 1), "urls must be a JSON list"),
        (("tafinlar", "Dabrafenib", "brand", "[]", 2, 1), "needs_capitals"),
    ],
)
def test_from_rows_refuses_a_malformed_row(row: tuple[Any, ...], message: str) -> None:
    good = ("dabrafenib", "Dabrafenib", "drug", "[]", 0, 1)
    with pytest.raises(ValueError, match=f"vocabulary row 2: {message}"):
        Vocabulary.from_rows([good, row])


# --- lay terms policy ---------------------------------------------------------------------


def test_the_reviewed_lay_terms_file_is_valid() -> None:
    lay_terms = load_lay_terms(LAY_TERMS)
    assert lay_terms["voice box"] == "larynx" and lay_terms["chemo"] == "chemotherapy"
    assert lay_terms["pee"] == "urine"
    assert LAY_TERMS.read_text(encoding="utf-8").startswith(
        "# Lay terms -> KB terms: REVIEWED DATA"
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("- chemo\n", "must be a mapping"),
        ("version: 1\nlay_terms: []\nextra: 1\n", "extra: unknown key"),
        ("lay_terms:\n  - {lay: chemo, kb: chemotherapy}\n", "version: must be 1"),
        ("version: 1\nlay_terms: {chemo: chemotherapy}\n", "lay_terms: must be a non-empty list"),
        ("version: 1\nlay_terms:\n  - {lay: chemo}\n", "lay_terms[1]: must have exactly the keys"),
        ("version: 1\nlay_terms:\n  - {lay: chemo, kb: ' '}\n", "lay_terms[1].kb: must be a word"),
        ("version: 1\nlay_terms:\n  - {lay: no, kb: none}\n", "lay_terms[1].lay: must be a word"),
        (
            "version: 1\nlay_terms:\n  - {lay: chemo, kb: chemotherapy}\n"
            "  - {lay: Chemo!, kb: x}\n",
            "lay_terms[2].lay: 'Chemo!' is listed twice (also item 1)",
        ),
        (
            "version: 1\nlay_terms:\n  - {lay: Chemo, kb: chemo.}\n",
            "lay_terms[1].kb: is the same term",
        ),
        ("version: 1\nlay_terms: [\n", "not valid YAML"),
    ],
)
def test_a_bad_lay_terms_file_names_the_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "lay_terms.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_lay_terms(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert key in str(caught.value)


def test_a_missing_lay_terms_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"lay_terms\.yaml: file not found"):
        load_lay_terms(tmp_path / "lay_terms.yaml")
    with pytest.raises(PolicyError, match=r"^inline: must be a mapping"):
        parse_lay_terms(None, source="inline")


# --- seed pages ---------------------------------------------------------------------------


def test_seed_brands_and_a_typo_find_their_pages(examples_kb: Path) -> None:
    documents = [_document(file) for _, file in iter_kb_files([examples_kb])]
    vocabulary = Vocabulary.from_documents(documents)
    assert top(vocabulary, "What is Ninlaro used for?").url == DRUGS + "ixazomibcitrate"
    assert top(vocabulary, "Ixempra and breast cancer").url == DRUGS + "ixabepilone"
    typo = top(vocabulary, "what is ixabepilon")
    assert (typo.url, typo.fuzzy, typo.canonical) == (DRUGS + "ixabepilone", True, "Ixabepilone")
    assert "Ixazomib Citrate" in vocabulary.expand("is Ninlaro a pill?")


# --- the real NCI KB (../shared) ----------------------------------------------------------


@pytest.fixture(scope="module")
def nci_documents(nci_kb: Path) -> list[Document]:
    results = (load_file(file) for _, file in iter_kb_files([nci_kb]))
    return [result.document for result in results if result.document is not None]


@pytest.fixture(scope="module")
def nci_vocabulary(nci_documents: list[Document]) -> Vocabulary:
    return Vocabulary.from_documents(nci_documents, lay_terms=load_lay_terms(LAY_TERMS))


def _brands_on_page(body: str) -> list[str]:
    block = re.search(r"^US Brand Name\(s\)\n(.*?)^FDA Approved$", body, re.MULTILINE | re.DOTALL)
    return [line.strip() for line in block.group(1).splitlines() if line.strip()] if block else []


@pytest.mark.shared
def test_every_brand_on_a_real_drug_page_maps_back_to_it(
    nci_documents: list[Document], nci_vocabulary: Vocabulary
) -> None:
    checked, missing = 0, []
    for document in nci_documents:
        for brand in _brands_on_page(document.body):
            checked += 1
            entries = [e for e in nci_vocabulary.lookup(brand) if e.kind is Kind.BRAND]
            if not any(document.url in entry.urls for entry in entries):
                missing.append((brand, document.url))
    assert checked > 350
    assert missing == []


@pytest.mark.shared
def test_real_kb_brand_and_regimen(nci_vocabulary: Vocabulary) -> None:
    assert top(nci_vocabulary, "is Tafinlar a chemo pill?").url == DRUGS + "dabrafenib"
    assert top(nci_vocabulary, "What is ABVD?").url == DRUGS + "abvd"
    assert (
        top(nci_vocabulary, "What is the ABVD regimen for Hodgkin lymphoma?").kind is Kind.REGIMEN
    )
    for ordinary in ("all of them", "ice chips", "men over 50", "as it is", "put a pad on it"):
        assert not [m for m in nci_vocabulary.match(ordinary) if m.kind is not Kind.GLOSSARY]


@pytest.mark.shared
def test_every_lay_term_maps_to_words_the_kb_uses(
    nci_documents: list[Document], nci_vocabulary: Vocabulary
) -> None:
    bodies = [document.body.casefold() for document in nci_documents]
    for lay, kb in load_lay_terms(LAY_TERMS).items():
        if nci_vocabulary.lookup(kb):
            continue
        word = re.compile(rf"\b{re.escape(kb.casefold())}\b")
        assert any(word.search(body) for body in bodies), (lay, kb)


# Held-out questions written for this test (not taken from the eval set): a brand, a typo
# or a lay word, and the page or expansion it must give.
HELD_OUT_PAGES = [
    ("is Tafinlar a chemo pill?", "dabrafenib"),
    ("What does Keytruda do?", "pembrolizumab"),
    ("my mom is on herceptin, what should we expect", "trastuzumab"),
    ("Gleevec for CML?", "imatinibmesylate"),
    ("how does OPDIVO work", "nivolumab"),
    ("Does Xeloda cause hand-foot syndrome?", "capecitabine"),
    ("Zoladex injections every month?", "goserelinacetate"),
    ("Is Revlimid used for myeloma?", "lenalidomide"),
    ("Is R-CHOP chemo?", "r-chop"),
    ("what is tamoxifin", "tamoxifencitrate"),
    ("pembrolizumb and lung cancer", "pembrolizumab"),
    ("side effects of doxorubicn", "doxorubicinhydrochloride"),
]
HELD_OUT_EXPANSIONS = [
    ("cancer of the voice box", "larynx"),
    ("chemo makes me throw up", "vomiting"),
    ("bowel cancer screening", "colorectal cancer"),
]


@pytest.mark.shared
@pytest.mark.parametrize(("question", "slug"), HELD_OUT_PAGES)
def test_held_out_brand_and_typo_questions(
    nci_vocabulary: Vocabulary, question: str, slug: str
) -> None:
    assert top(nci_vocabulary, question).url == DRUGS + slug


@pytest.mark.shared
@pytest.mark.parametrize(("question", "term"), HELD_OUT_EXPANSIONS)
def test_held_out_lay_questions(nci_vocabulary: Vocabulary, question: str, term: str) -> None:
    assert term in nci_vocabulary.expand(question)


@pytest.mark.shared
def test_drug_questions_of_the_eval_set(shared_dir: Path, nci_vocabulary: Vocabulary) -> None:
    """Measured, not tuned: "What is <name> used to treat?" → the top match's page."""
    lines = (
        (shared_dir / "eval" / "nci-kb-questions.jsonl").read_text(encoding="utf-8").splitlines()
    )
    rows: list[dict[str, Any]] = [json.loads(line) for line in lines if line.strip()]
    questions = [
        row
        for row in rows
        if row["question"].startswith("What is")
        and any("/treatment/drugs/" in r["url"] for r in row["relevant"])
    ]
    hits = 0
    for row in questions:
        found = nci_vocabulary.match(row["question"])
        hits += bool(found) and found[0].url in {r["url"] for r in row["relevant"]}
    assert len(questions) > 400
    assert hits / len(questions) >= 0.9


def test_lay_terms_file_is_plain_yaml() -> None:
    data = yaml.safe_load(LAY_TERMS.read_text(encoding="utf-8"))
    assert data["version"] == 1 and len(data["lay_terms"]) >= 30


def test_the_shipped_lay_terms_add_metastatic_to_a_cancer_that_spread_to_an_organ(tmp_path: Path) -> None:
    # "colon cancer spread to her liver. does she have liver cancer now" is a question on
    # metastatic cancer (named after where it started), not on liver cancer
    page = _document(write_page(
        tmp_path, "metastatic.md",
        "# Metastatic Cancer\n\nMetastatic cancer has the same name as the primary cancer.\n",
        url="https://www.cancer.gov/types/metastatic-cancer", title="Metastatic Cancer",
    ))
    shipped = Vocabulary.from_documents([page], lay_terms=load_lay_terms(policy_path("lay_terms.yaml")))
    assert "metastatic" in shipped.expand("moms colon cancer spread to her liver, is it liver cancer now")
    assert "metastatic" not in shipped.expand("how is liver cancer treated")
