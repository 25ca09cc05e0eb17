"""KB lint: warnings about pages that loaded fine but need an editor's eye.

Each finding is a :class:`Problem` with severity ``warning`` (``--strict`` turns them into
errors with :meth:`Problem.as_error`), a stable code, and the line when known:

    REVIEW_OVERDUE               the next review date (lastReviewed + reviewFrequency) has passed
    REVIEW_DUE_SOON              the next review falls within review_due_window_days
    PLACEHOLDER_LEFTOVER         a line matches a template-leftover pattern ("Placeholder slot")
    DUPLICATE_H1                 the body has more than one level-1 heading
    EMPTY_SECTION                no text between a heading and the next one of its level or higher
    RELATIVE_LINK                link targets that only work on the original site (one per file)
    HP_MARKED_PATIENT            audienceLevel patient on a /hp/ (health professional) url
    CANCER_TYPES_MISMATCH        cancerTypes values that the page hardly mentions
    SOURCE_TYPE_FOLDER_MISMATCH  sourceType differs from the <lang>/<NN_name>/ folder of the file
    LANGUAGE_FOLDER_MISMATCH     language differs from that <lang>/ folder
    DUPLICATE_URL                two files share one url
    UNCLOSED_COMMENT             an HTML comment "<!--" that no "-->" closes hides the rest of the page

Thresholds and word lists live in ``policies/lint.yaml`` (:func:`load_lint_policy`).
Headings are ATX (``#`` to ``######``; the KB has no underlined headings); headings and
links inside fenced code blocks (three or more backticks or tildes) are ignored. The lines,
headings and link patterns are those of :mod:`cancerinfo.kb.markdown_syntax`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

from cancerinfo.kb.document import Document, professional_url
from cancerinfo.kb.frontmatter import SOURCE_TYPE_PATTERN
from cancerinfo.kb.languages import ISO_639_1_CODES
from cancerinfo.kb.lint_policy import (
    LintPolicy,
    load_lint_policy,
)
from cancerinfo.kb.lint_policy import (
    words as _words,
)
from cancerinfo.kb.markdown_syntax import (
    DESTINATION_SPAN,
    LINK_TARGET,
    REFERENCE_DEFINITION,
    Line,
    atx_headings,
    body_lines,
)
from cancerinfo.kb.problems import Problem
from cancerinfo.kb.review import review_state
from cancerinfo.kb.text import unclosed_comment

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class _Heading:
    """A heading: ``index`` of its line in the body, ``number`` of that line in the file."""

    index: int
    level: int
    text: str
    number: int


def lint_documents(
    documents: Sequence[Document], *, today: date, policy: LintPolicy | None = None
) -> list[Problem]:
    """Warnings for every document and across documents, sorted by file, line and code."""
    policy = policy if policy is not None else load_lint_policy()
    problems: list[Problem] = []
    for document in documents:
        problems.extend(lint_document(document, today=today, policy=policy))
    problems.extend(_duplicate_urls(documents))
    return sorted(problems, key=lambda problem: (problem.path, problem.line or 0, problem.code))


def lint_document(document: Document, *, today: date, policy: LintPolicy) -> list[Problem]:
    """Warnings about one document on its own (all rules but DUPLICATE_URL)."""
    lines = list(body_lines(document.body, first=document.body_line))
    headings = _headings(lines, document.body_line)
    return [
        *_review(document, today=today, policy=policy),
        *_placeholders(document, lines, policy=policy),
        *_duplicate_h1(document, headings),
        *_empty_sections(document, lines, headings),
        *_relative_links(document, lines, policy=policy),
        *_hp_marked_patient(document),
        *_cancer_type_mismatch(document, policy=policy),
        *_folder_mismatch(document),
        *_unclosed_comment(document),
    ]


def resolve_link(page_url: str, target: str) -> str:
    """The absolute address a link ``target`` points to from the page at ``page_url``.

    A root-relative target resolves against the url's origin: ``/types/breast`` on any
    ``https://www.cancer.gov/...`` page is ``https://www.cancer.gov/types/breast``. A target
    without a leading ``/`` resolves against the page's folder; an absolute one is unchanged.
    """
    return urljoin(page_url, target.strip())


def is_relative_link(target: str) -> bool:
    """True for a target without a scheme (``https:``, ``mailto:``) that is not an ``#anchor``."""
    target = target.strip()
    return bool(target) and not target.startswith("#") and not _SCHEME.match(target)


def _warning(
    document: Document, code: str, message: str, line: int | None, field: str | None = None
) -> Problem:
    return Problem(str(document.path), code, message, "warning", line, field)


def _headings(lines: list[Line], first: int) -> list[_Heading]:
    """The headings outside fenced code, their text trimmed (empty for ``##`` alone)."""
    return [
        _Heading(
            heading.line.number - first, heading.level, heading.text.strip(), heading.line.number
        )
        for heading in atx_headings(lines)
    ]


def _front_matter_line(document: Document, key: str) -> int | None:
    """The file line of a top-level front-matter key, found by scanning the header."""
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for number, text in enumerate(document.text.split("\n")[1 : document.body_line - 2], start=2):
        if pattern.match(text):
            return number
    return None


def _review(document: Document, *, today: date, policy: LintPolicy) -> Iterator[Problem]:
    front_matter = document.front_matter
    state = review_state(front_matter, today=today, due_window_days=policy.review_due_window_days)
    if state.due_date is None or state.status == "ok":
        return
    line = _front_matter_line(document, "lastReviewed")
    cycle = f"lastReviewed {front_matter.last_reviewed} + {front_matter.review_frequency.value}"
    days = abs((state.due_date - today).days)
    if state.status == "overdue":
        message = f"review overdue since {state.due_date} ({cycle}), {days} days before {today}"
        yield _warning(document, "REVIEW_OVERDUE", message, line, "lastReviewed")
    else:
        message = f"review due on {state.due_date} ({cycle}), in {days} days"
        yield _warning(document, "REVIEW_DUE_SOON", message, line, "lastReviewed")


def _placeholders(
    document: Document, lines: list[Line], *, policy: LintPolicy
) -> Iterator[Problem]:
    any_leftover = "|".join(f"(?:{pattern.pattern})" for pattern in policy.placeholder_patterns)
    if not any_leftover or not re.search(any_leftover, document.body, re.IGNORECASE):
        return
    for line in lines:
        for pattern in policy.placeholder_patterns:
            match = pattern.search(line.text)
            if match is not None:
                message = (
                    f"template leftover {match.group(0)!r}: replace it with real text or delete it"
                )
                yield _warning(document, "PLACEHOLDER_LEFTOVER", message, line.number)
                break


def _duplicate_h1(document: Document, headings: list[_Heading]) -> Iterator[Problem]:
    titles = [heading for heading in headings if heading.level == 1]
    if len(titles) < 2:
        return
    listed = ", ".join(f"'# {heading.text}' (line {heading.number})" for heading in titles)
    message = f"the body has {len(titles)} level-1 headings, keep one: {listed}"
    yield _warning(document, "DUPLICATE_H1", message, titles[1].number)


def _empty_sections(
    document: Document, lines: list[Line], headings: list[_Heading]
) -> Iterator[Problem]:
    heading_indexes = {heading.index for heading in headings}
    for position, heading in enumerate(headings):
        end = next(
            (later.index for later in headings[position + 1 :] if later.level <= heading.level),
            len(lines),
        )
        has_text = any(
            lines[index].text.strip() and index not in heading_indexes
            for index in range(heading.index + 1, end)
        )
        if not has_text and heading.level == 1 and end < len(lines):
            continue  # an empty H1 right above another H1 is the DUPLICATE_H1 finding
        if not has_text:
            title = f"{'#' * heading.level} {heading.text}"
            message = f"section '{title}' is empty: no text before the next heading of its level"
            yield _warning(document, "EMPTY_SECTION", message, heading.number)


def _link_targets(lines: list[Line]) -> Iterator[tuple[int, str]]:
    for line in lines:
        if line.in_code:
            continue
        for match in LINK_TARGET.finditer(line.text):
            yield line.number, match.group(1)
        definition = REFERENCE_DEFINITION.match(line.text)
        if definition is not None:
            yield line.number, definition.group(1)


def _relative_links(
    document: Document, lines: list[Line], *, policy: LintPolicy
) -> Iterator[Problem]:
    relative = [
        (number, target) for number, target in _link_targets(lines) if is_relative_link(target)
    ]
    if not relative:
        return
    shown = ", ".join(
        resolve_link(document.url, target)
        for _, target in relative[: policy.relative_link_examples]
    )
    more = ", ..." if len(relative) > policy.relative_link_examples else ""
    noun = "target is" if len(relative) == 1 else "targets are"
    message = f"{len(relative)} link {noun} relative (they only work on the site): {shown}{more}"
    yield _warning(document, "RELATIVE_LINK", message, relative[0][0])


def _hp_marked_patient(document: Document) -> Iterator[Problem]:
    if document.front_matter.audience_level.value == "patient" and professional_url(document.url):
        message = (
            "audienceLevel is patient but the url is a health-professional (/hp/, -hp-pdq) page"
        )
        yield _warning(
            document,
            "HP_MARKED_PATIENT",
            message,
            _front_matter_line(document, "audienceLevel"),
            "audienceLevel",
        )


class _WordCounter:
    """Counts whole-word occurrences of terms (one or more words, last one maybe plural)."""

    def __init__(self, text: str) -> None:
        words = _words(text)
        self.word_count = len(words)
        self._single = Counter(words)
        self._spaced = f"  {'  '.join(words)}  "

    def count(self, term: str) -> int:
        forms = (term, f"{term}s", f"{term}es")
        if " " not in term:
            return sum(self._single[form] for form in forms)
        return sum(self._spaced.count(f" {form.replace(' ', '  ')} ") for form in forms)


def _cancer_type_mismatch(document: Document, *, policy: LintPolicy) -> Iterator[Problem]:
    rules = policy.cancer_types
    front_matter = document.front_matter
    title_and_url = _WordCounter(f"{front_matter.title} {front_matter.url.split('://', 1)[-1]}")
    body: _WordCounter | None = None
    misfits: list[str] = []
    for value in front_matter.cancer_types:
        if value.lower() in rules.always_fit:
            continue
        terms = rules.terms_for(value)
        if any(title_and_url.count(term) for term in terms):
            continue
        if body is None:
            body = _WordCounter(DESTINATION_SPAN.sub("]", document.body))
        mentions = sum(body.count(term) for term in terms)
        if rules.fits(mentions=mentions, word_count=body.word_count):
            continue
        misfits.append(f"{value!r} ({mentions} mention{'' if mentions == 1 else 's'})")
    if misfits:
        message = (
            f"cancerTypes {', '.join(misfits)} may not fit this page: not in the title or url, "
            f"and mentioned fewer than {rules.min_body_mentions} times and under "
            f"{rules.min_mentions_per_1000_words:g} times per 1,000 words "
            f"(the body has {body.word_count if body else 0:,} words)"
        )
        yield _warning(
            document,
            "CANCER_TYPES_MISMATCH",
            message,
            _front_matter_line(document, "cancerTypes"),
            "cancerTypes",
        )


def _folder_mismatch(document: Document) -> Iterator[Problem]:
    folders = document.path.parent.parts
    for position in range(len(folders) - 2, -1, -1):
        language, source_type = folders[position], folders[position + 1]
        if language in ISO_639_1_CODES and SOURCE_TYPE_PATTERN.match(source_type):
            break
    else:
        return
    front_matter = document.front_matter
    if front_matter.source_type != source_type:
        message = f"sourceType is {front_matter.source_type!r} but the folder is {source_type!r}"
        line = _front_matter_line(document, "sourceType")
        yield _warning(document, "SOURCE_TYPE_FOLDER_MISMATCH", message, line, "sourceType")
    if front_matter.language != language:
        message = f"language is {front_matter.language!r} but the folder is {language!r}"
        line = _front_matter_line(document, "language")
        yield _warning(document, "LANGUAGE_FOLDER_MISMATCH", message, line, "language")


def _unclosed_comment(document: Document) -> Iterator[Problem]:
    start = unclosed_comment(document.body)
    if start is None:
        return
    line = document.body_line + document.body.count("\n", 0, start)
    message = (
        "an HTML comment '<!--' opens here and no '-->' closes it: everything after it is "
        "hidden from readers; close the comment"
    )
    yield _warning(document, "UNCLOSED_COMMENT", message, line)


def _url_key(url: str) -> str:
    """The url compared for duplicates: scheme and host lowercased, no fragment or trailing /."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"


def _duplicate_urls(documents: Sequence[Document]) -> Iterator[Problem]:
    by_url: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        by_url[_url_key(document.url)].append(document)
    for group in by_url.values():
        first = group[0]
        for document in group[1:]:
            message = (
                f"url {document.url} is also the url of {first.path}; a url must name one page"
            )
            yield _warning(
                document, "DUPLICATE_URL", message, _front_matter_line(document, "url"), "url"
            )
