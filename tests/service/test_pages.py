"""The web pages as HTML over HTTP (the browser tests drive the same pages in Chromium)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from cancerinfo.service import render
from tests.service.conftest import HOSTILE_URL, LARYNX_URL
from tests.service.test_api import assert_error


class ActiveContent(HTMLParser):
    """Collects what could run in a page: script elements, on* attributes, javascript: links, images."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src", "").split("?")[0] != "/static/app.js":
            self.found.append(f"script {values}")
        if tag in ("img", "iframe", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


@pytest.fixture
def consented(client: httpx.Client) -> httpx.Client:
    agreed = client.post("/consent", data={"agree": "yes"})
    assert agreed.status_code == 303 and client.cookies.get("cancerinfo_consent") == "1"
    return client


def test_the_consent_screen_comes_first_and_carries_the_question_on(client: httpx.Client) -> None:
    page = client.get("/", params={"q": "What is Ninlaro used for?"})
    assert page.status_code == 200 and "Before you start" in page.text
    assert "not medical advice" in page.text and "In an emergency, call 911" in page.text
    assert 'name="next" value="/?q=What+is+Ninlaro+used+for%3F"' in page.text  # the shared link goes on
    agreed = client.post("/consent", data={"agree": "yes", "next": "/?q=What+is+Ninlaro+used+for%3F"})
    assert agreed.status_code == 303 and agreed.headers["location"] == "/?q=What+is+Ninlaro+used+for%3F"
    cookie = agreed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    document = client.get("/documents", params={"url": LARYNX_URL})
    assert "Laryngeal" in document.text  # consented now


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/\t/evil.example", "javascript:x"]
)
def test_the_consent_screen_never_sends_anyone_off_site(client: httpx.Client, target: str) -> None:
    agreed = client.post("/consent", data={"agree": "yes", "next": target})
    assert agreed.status_code == 303 and agreed.headers["location"] == "/"


def test_a_shared_document_link_goes_on_to_the_document(client: httpx.Client) -> None:
    page = client.get("/documents", params={"url": LARYNX_URL})
    assert "Before you start" in page.text
    next_url = re.search(r'name="next" value="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    agreed = client.post("/consent", data={"agree": "yes", "next": next_url})
    assert client.get(agreed.headers["location"]).text.count("Laryngeal Cancer Treatment") >= 1


def test_a_shared_link_renders_the_answer_on_the_server(consented: httpx.Client) -> None:
    page = consented.get("/", params={"q": "What are the symptoms of laryngeal cancer?"})
    assert page.status_code == 200
    assert "Warning signs" in page.text and "Ear pain." in page.text
    assert 'class="cite" href="#src-t0-1"' in page.text and 'id="src-t0-1"' in page.text
    assert "Last reviewed" in page.text and LARYNX_URL in page.text
    assert "Link to this answer" in page.text


def test_one_source_card_a_page_holds_each_of_its_quotes(consented: httpx.Client) -> None:
    page = consented.get("/", params={"q": "What are the symptoms of laryngeal cancer?"}).text
    targets = set(re.findall(r'class="cite" href="#(src-t0-\d+)"', page))
    assert targets and all(f'id="{target}"' in page for target in targets)  # every [n] leads somewhere
    cards = re.findall(r'<details class="source-card" id="src-t0-\d+">', page)
    pages = re.findall(r'<a href="(https://[^"]+)" rel="noopener noreferrer external"', page)
    quotes = page.count('<blockquote class="quote">')
    assert len(cards) == len(pages) == len(set(pages))  # one card a page
    assert quotes > len(cards)  # this answer quotes one page more than once: inside its card


def test_an_urgent_answer_is_an_alert_above_the_page(consented: httpx.Client) -> None:
    page = consented.get("/", params={"q": "I can't breathe right now"}).text
    alert = page.index('role="alert"')
    assert alert < page.index('<main id="main"') and "Call for emergency help now" in page[alert:alert + 300]
    assert 'href="tel:911"' in page[alert:page.index('<main id="main"')]


@pytest.mark.parametrize(
    ("question", "level", "href"),
    [
        ("I want to end my life", "crisis", "sms:988"),
        ("temp 38.9 and shivering a week after chemo", "care_team_now", "tel:911"),
        ("my son swallowed some of my sleeping tablets", "poison", "tel:18002221222"),
    ],
)
def test_each_urgency_level_has_its_own_look_numbers_and_no_share_or_feedback(
    consented: httpx.Client, question: str, level: str, href: str
) -> None:
    page = consented.get("/", params={"q": question}).text
    assert f'class="urgent-banner urgent-{level}"' in page and f'data-urgency="{level}"' in page
    assert f'href="{href}"' in page
    assert "Link to this answer" not in page and "Was this helpful?" not in page
    session = consented.post("/v1/sessions").json()["session_id"]
    fragment = consented.post("/ui/answer", json={"question": question, "session_id": session}).text
    assert f"urgency-{level}" in fragment and "Was this helpful?" not in fragment and 'class="share"' not in fragment


def test_the_chat_fragment_needs_consent_and_numbers_its_turn(client: httpx.Client) -> None:
    body = {"question": "What is Ninlaro used for?"}
    assert_error(client.post("/ui/answer", json=body), 403, "consent_required")
    client.post("/consent", data={"agree": "yes"})
    session = client.post("/v1/sessions").json()["session_id"]
    fragment = client.post("/ui/answer", json={**body, "session_id": session})
    assert fragment.headers["X-CancerInfo-Turn"] == "1" and 'id="turn-t1"' in fragment.text
    assert 'data-turn="1"' in fragment.text and "Was this helpful?" in fragment.text
    assert "<html" not in fragment.text


def test_search_and_document_pages_render(consented: httpx.Client) -> None:
    results = consented.get("/search", params={"q": "hoarseness"})
    assert results.status_code == 200 and "Laryngeal Cancer Treatment" in results.text
    document = consented.get("/documents", params={"url": LARYNX_URL})
    assert document.status_code == 200 and "<li>Ear pain.</li>" in document.text
    assert "<strong>Laryngoscopy</strong>" in document.text
    missing = consented.get("/documents", params={"url": "https://example.org/x"}, headers={"accept": "text/html"})
    assert missing.status_code == 404 and "Not found" in missing.text


@pytest.mark.parametrize(
    ("path", "params"),
    [("/", {"q": "What are the symptoms of Zorblax syndrome?"}), ("/search", {"q": "zorblax spleen"}),
     ("/documents", {"url": HOSTILE_URL})],
)
def test_hostile_kb_text_is_escaped_everywhere(consented: httpx.Client, path: str, params: dict[str, str]) -> None:
    page = consented.get(path, params=params)
    assert page.status_code == 200
    assert "Zorblax" in page.text
    assert active_content(page.text) == []
    assert "&lt;script&gt;" in page.text  # shown as text, not dropped


def test_the_renderer_escapes_first_then_adds_only_its_own_tags() -> None:
    html = str(render.answer_text('- **bold** <b onclick="x()">b</b> [1] [7]\n- plain [2]', citations=[1, 2], anchor="t3"))
    assert "<strong>bold</strong>" in html and "&lt;b onclick=&#34;x()&#34;&gt;" in html
    assert 'href="#src-t3-1"' in html and 'href="#src-t3-2"' in html and "[7]" in html and "src-t3-7" not in html
    body = str(render.document_body("# T <i>\n\n| a | b |\n|---|---|\n| <x> | y |\n\n![alt](x.png) [w](javascript:z)"))
    assert active_content('<p><img src=x onerror="a()"></p>') == ["img", "img onerror=a()"]  # the check bites
    assert active_content(body) == [] and active_content(html) == []
    assert "<h2>T &lt;i&gt;</h2>" in body and "&lt;x&gt; · y" in body and "javascript" not in body
    assert render.safe_url("javascript:alert(1)") is None and render.safe_url("https://a.org/x") == "https://a.org/x"


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_text_colours_meet_wcag_aa_contrast() -> None:
    css = (Path(render.__file__).parent / "static" / "app.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", css))
    colours["white"] = "#ffffff"
    pairs = [("text", "bg"), ("text", "card"), ("muted", "bg"), ("muted", "card"), ("accent", "card"),
             ("accent", "bg"), ("white", "accent"), ("alert-text", "alert-bg"), ("warn-text", "warn-bg"),
             ("ok-text", "ok-bg")]
    for text, background in pairs:
        light, dark = sorted((_luminance(colours[text]), _luminance(colours[background])), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (text, background)
