"""The web chat in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

A missing Chromium or Playwright fails these tests with a message (never a skip: a real
browser is one of the parts the tests must use; .ci/run installs Chromium). Each test keeps a screenshot in test-artifacts/service/.
Nothing is downloaded: Playwright's own browsers are not used, and every test checks that
its pages load nothing from outside the server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.conftest import ADMIN_TOKEN, HOSTILE_URL, Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    pytest.fail(
        f"{CHROMIUM} not found: the browser tests need Debian's chromium (apt-get install chromium;"
        " .ci/run installs it)",
        pytrace=False,
    )
try:
    from playwright import sync_api
except ImportError:
    pytest.fail(
        "the browser tests need playwright (make setup, or pip install -e .[dev])", pytrace=False
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """A page that records dialogs, console errors and requests leaving the server."""

    def __init__(self, page: Any, server: Server) -> None:
        self.page = page
        self.server = server
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "request",
            lambda r: (
                None if r.url.startswith((server.url, "data:")) else self.outside.append(r.url)
            ),
        )

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def consent(self) -> None:
        self.page.goto(self.server.url + "/")
        self.page.get_by_role("button", name="I understand, continue").click()
        self.page.wait_for_selector("#question")

    def ask(self, question: str) -> Any:
        turns = self.page.locator("article.turn").count()
        self.page.get_by_label("Your question").fill(question)
        self.page.get_by_role("button", name="Ask", exact=True).click()
        self.page.locator("article.turn").nth(turns).wait_for()
        return self.page.locator("article.turn").nth(turns)

    def shot(self, artifacts: Path, name: str) -> Path:
        path = artifacts / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def tab(browser: Any, server: Server) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    opened = Tab(context.new_page(), server)
    yield opened
    context.close()
    assert opened.outside == [], f"the page loaded from outside the server: {opened.outside}"


def test_consent_then_ask_then_open_a_source_card(tab: Tab, artifacts: Path) -> None:
    page = tab.page
    page.goto(tab.server.url + "/")
    assert page.get_by_role("heading", name="Before you start").is_visible()
    assert "not medical advice" in page.inner_text("main")
    assert "In an emergency, call" in page.inner_text("main")
    tab.shot(artifacts, "consent")
    tab.consent()
    turn = tab.ask("What is Ninlaro used for?")
    assert turn.get_attribute("data-status") == "answered"
    assert turn.get_by_role("heading", name="Short answer").is_visible()
    assert turn.locator("details.more summary").is_visible()  # the rest, one tap away
    citation = turn.locator("a.cite").first
    assert citation.is_visible() and citation.inner_text() == "[1]"
    card = page.locator("#src-t1-1")
    assert card.get_attribute("open") is None
    citation.click()
    assert card.get_attribute("open") is not None
    assert page.evaluate("document.activeElement.closest('details')?.id") == "src-t1-1"
    assert "Last reviewed 2025-12-30" in card.inner_text().replace("\n", " ").replace("\t", " ")
    assert card.locator(".badge-overdue").first.is_visible() and "Publisher" in card.inner_text()
    original = card.get_by_role("link", name="Original page")
    assert original.get_attribute("href").startswith("https://www.cancer.gov/")
    assert original.get_attribute("rel") == "noopener noreferrer external"
    tab.shot(artifacts, "chat-answer-with-source")
    # the README's picture: the page down to the end of the answer
    bottom = turn.evaluate("(e) => e.getBoundingClientRect().bottom + window.scrollY")
    page.screenshot(
        path=str(artifacts / "web-chat.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1000, "height": bottom + 16},
    )
    assert tab.dialogs == [] and tab.errors == []


def test_a_hostile_kb_page_renders_inert(tab: Tab, artifacts: Path) -> None:
    page = tab.page
    tab.consent()
    turn = tab.ask("What are the symptoms of Zorblax syndrome?")
    for card in turn.locator("details.source-card").all():
        card.locator("summary").click()
    page.goto(tab.server.url + f"/documents?url={HOSTILE_URL}")
    page.goto(tab.server.url + "/search?q=zorblax+spleen")
    page.go_back()
    state = page.evaluate(
        """() => ({
            pwned: window.__pwned ?? null,
            scripts: [...document.scripts].map(s => s.getAttribute('src')),
            handlers: [...document.querySelectorAll('*')].flatMap(
                e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
            images: document.images.length,
            javascriptLinks: [...document.querySelectorAll('a')].filter(a => a.href.startsWith('javascript:')).length,
            text: document.body.innerText,
        })"""
    )
    assert state["pwned"] is None and tab.dialogs == []
    assert state["scripts"] == ["/static/app.js?v=0.1.0"] and state["handlers"] == []
    assert state["images"] == 0 and state["javascriptLinks"] == 0
    assert "<script>window.__pwned" in state["text"]  # shown as the text it is
    tab.shot(artifacts, "hostile-document-inert")
    page.goto(tab.server.url + "/?q=What+are+the+symptoms+of+Zorblax+syndrome%3F")
    assert page.evaluate("window.__pwned ?? null") is None and tab.dialogs == []
    assert "<script>" in page.locator("article.turn .source-title").first.inner_text()
    tab.shot(artifacts, "hostile-answer-inert")


def test_keyboard_only_consent_ask_and_source(tab: Tab, artifacts: Path) -> None:
    page = tab.page
    page.goto(tab.server.url + "/")

    def tab_to(selector: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    tab_to("#consent-agree")
    page.keyboard.press("Enter")
    page.wait_for_selector("#question")
    tab_to("#question")
    page.keyboard.type("What is Ninlaro used for?")
    page.keyboard.press("Enter")  # Enter asks; Shift+Enter would add a line
    page.locator("article.turn").wait_for()
    assert page.evaluate("document.activeElement.id") == "q-t1"  # focus moves to the new answer
    tab_to("a.cite")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    assert page.locator("details.source-card[open]").count() == 1
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    tab_to("button.thumb")
    page.keyboard.press("Enter")
    page.locator(".feedback-status", has_text="Thank you").wait_for()
    tab.shot(artifacts, "keyboard-flow")


def test_an_urgent_reply_is_an_alert_at_the_top(tab: Tab, artifacts: Path) -> None:
    tab.consent()
    tab.ask("What is Ninlaro used for?")
    turn = tab.ask("I can't breathe right now")
    assert turn.get_attribute("data-status") == "urgent"
    alert = tab.page.locator("#alerts [role=alert]")
    assert alert.is_visible() and "emergency" in alert.inner_text().lower()
    assert alert.bounding_box()["y"] < tab.page.locator("article.turn").first.bounding_box()["y"]
    call = alert.locator("a.call-button").first
    assert call.get_attribute("href") == "tel:911" and call.is_visible()
    tab.shot(artifacts, "urgent-alert")
    crisis = tab.ask("I don't want to be alive anymore")
    assert crisis.get_attribute("data-urgency") == "crisis"
    banner = tab.page.locator("#alerts [data-urgency=crisis]")
    assert banner.is_visible() and "988" in banner.inner_text()
    colours = {
        level: tab.page.evaluate(
            "(level) => { const d = document.createElement('div'); d.className = 'urgent-banner urgent-' + level;"
            " document.body.appendChild(d); const c = getComputedStyle(d).backgroundColor; d.remove(); return c; }",
            level,
        )
        for level in ("emergency", "care_team_now", "crisis", "poison")
    }
    assert len(set(colours.values())) == 4  # a look of its own for each level
    assert crisis.locator(".feedback").count() == 0 and crisis.locator("a.share").count() == 0
    tab.shot(artifacts, "urgent-crisis")


def test_a_refusal_beside_a_crisis_signal_opens_with_the_crisis_line_to_tap(tab: Tab, artifacts: Path) -> None:
    tab.consent()
    turn = tab.ask(
        "how long do i have left, some nights i think it would be easier to just not be here"
    )
    assert turn.get_attribute("data-status") == "refused"
    first = turn.locator("section").first
    assert "kind-emergency_guidance" in (first.get_attribute("class") or "") and "988" in first.inner_text()
    call = first.locator("a.call-button").first
    assert call.get_attribute("href") == "tel:988" and call.is_visible()
    tab.shot(artifacts, "refusal-with-crisis-line")


def test_feedback_thumbs_and_start_over(tab: Tab, server: Server) -> None:
    page = tab.page
    tab.consent()
    turn = tab.ask("What is Ninlaro used for?")
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    ) as admin:
        before = admin.get("/v1/admin/metrics").json()["feedback"]["not_helpful"]
        turn.get_by_role("button", name="No").click()
        turn.locator(".feedback-status", has_text="Thank you").wait_for()
        assert turn.get_by_role("button", name="No").get_attribute("aria-pressed") == "true"
        assert admin.get("/v1/admin/metrics").json()["feedback"]["not_helpful"] == before + 1
    session = page.evaluate("sessionStorage.getItem('cancerinfo.session')")
    page.get_by_role("link", name="Start over").click()
    assert page.locator("article.turn").count() == 0
    assert page.evaluate("document.activeElement.id") == "question"
    tab.ask("What is ixabepilone?")
    assert page.evaluate("sessionStorage.getItem('cancerinfo.session')") not in (None, session)
    assert page.locator("article.turn").first.get_attribute("id") == "turn-t1"


def test_without_javascript_a_shared_link_still_answers(browser: Any, server: Server) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = Tab(context.new_page(), server)
    page = tab.page
    page.goto(server.url + "/?q=What+is+Ninlaro+used+for%3F")
    page.get_by_role("button", name="I understand, continue").click()
    page.locator("article.turn").wait_for()
    assert "multiple myeloma" in page.inner_text("article.turn").lower()
    page.get_by_label("Your question").fill("What are the symptoms of laryngeal cancer?")
    with page.expect_navigation():
        page.get_by_role("button", name="Ask", exact=True).click()
    assert page.url == server.url + "/"  # the form posts: the question is not in the address
    assert page.get_by_role("heading", name="Short answer").is_visible()
    assert "laryngeal" in page.inner_text("article.turn").lower()
    assert tab.outside == []
    context.close()


SHARED = re.compile(r"/answers/[A-Za-z0-9_-]{22}")


def test_an_answer_is_shared_by_a_link_that_does_not_hold_the_question(
    tab: Tab, browser: Any, server: Server, artifacts: Path
) -> None:
    page = tab.page
    tab.consent()
    turn = tab.ask("What are the symptoms of laryngeal cancer?")
    opt_in = turn.locator("details.share-more")
    assert opt_in.get_attribute("open") is None and not turn.locator("a.share-question").is_visible()
    turn.get_by_role("button", name="Link to this answer").click()
    link = turn.locator("a.share-link")
    link.wait_for()
    href = link.get_attribute("href")
    assert SHARED.fullmatch(href), href
    assert link.inner_text() == server.url + href
    assert page.evaluate("document.activeElement.className") == "share-link"
    assert page.url == server.url + "/"  # the chat stays where it was
    tab.shot(artifacts, "share-made")
    # somebody else opens the link: another browser context, no consent yet
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    other = Tab(context.new_page(), server)
    other.page.goto(server.url + href)
    other.page.get_by_role("button", name="I understand, continue").click()
    other.page.get_by_role("heading", name="A shared answer").wait_for()
    assert other.page.url == server.url + href
    assert "laryng" not in other.page.url.lower() and "laryng" not in other.page.title().lower()
    shared = other.page.locator("article.turn")
    assert "symptoms of laryngeal cancer" in shared.inner_text()
    assert shared.get_by_role("heading", name="Short answer").is_visible()
    assert "Ear pain." in shared.text_content()
    shared.locator("a.cite").first.click()
    assert other.page.locator("#src-a-1").get_attribute("open") is not None
    other.shot(artifacts, "share-opened")
    assert other.outside == [] and other.errors == [] and tab.errors == []
    context.close()


def test_without_javascript_link_to_this_answer_goes_to_an_id(browser: Any, server: Server) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = Tab(context.new_page(), server)
    tab.consent()
    tab.page.get_by_label("Your question").fill("What is Ninlaro used for?")
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Ask", exact=True).click()
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Link to this answer").click()
    assert SHARED.fullmatch(tab.page.url.removeprefix(server.url)), tab.page.url
    assert tab.page.get_by_role("heading", name="A shared answer").is_visible()
    assert "multiple myeloma" in tab.page.inner_text("article.turn").lower()
    assert "ninlaro" not in tab.page.title().lower()
    assert tab.outside == []
    context.close()


def test_on_a_phone_nothing_scrolls_sideways(browser: Any, server: Server, artifacts: Path) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    tab = Tab(context.new_page(), server)
    tab.consent()
    tab.ask("What are the symptoms of laryngeal cancer?")
    tab.page.locator("a.cite").first.tap()
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= 375
    button = tab.page.get_by_role("button", name="Ask", exact=True).bounding_box()
    assert button["height"] >= 44  # a finger-sized target
    tab.shot(artifacts, "phone")
    assert tab.outside == [] and tab.errors == []
    context.close()


def test_curator_pages_after_a_token_login(tab: Tab, artifacts: Path) -> None:
    page = tab.page
    page.goto(tab.server.url + "/admin")
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Curators").wait_for()
    assert page.get_by_role("heading", name="Review queue (3)").is_visible()
    assert page.locator("table.queue .badge-overdue").count() == 3
    assert "Questions, last 30 days" in page.inner_text("main")
    tab.shot(artifacts, "admin-dashboard")
    page.get_by_role("link", name="All documents").click()
    page.wait_for_url("**/admin/documents")
    page.wait_for_load_state()  # the click only starts the navigation: count the new page's rows
    page.locator("tbody tr").first.wait_for()
    assert page.locator("tbody tr").count() == 4
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Admin token").wait_for()
