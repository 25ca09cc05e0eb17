"""Without JavaScript the chat form posts its question: it never lands in the URL.

A patient's question is health data; in a query string it would stay in the browser
history and in any proxy's log of URLs. The real server, over httpx, as a browser without
JavaScript would use it.
"""

from __future__ import annotations

import re

import httpx
import pytest

QUESTION = "What are the symptoms of laryngeal cancer?"


@pytest.fixture
def consented(client: httpx.Client) -> httpx.Client:
    assert client.post("/consent", data={"agree": "yes"}).status_code == 303
    return client


def test_the_chat_form_posts_the_question(consented: httpx.Client) -> None:
    page = consented.get("/").text
    form = re.search(r'<form id="ask-form"[^>]*>', page).group(0)
    assert 'method="post"' in form and 'action="/"' in form
    assert re.search(r'<textarea id="question" name="q"', page)


def test_a_posted_question_is_answered_on_the_page_and_stays_out_of_the_url(
    consented: httpx.Client,
) -> None:
    answered = consented.post("/", data={"q": QUESTION, "cancer_type": "", "audience": ""})
    assert answered.status_code == 200 and answered.url.query == b""
    assert "Warning signs" in answered.text and "Ear pain." in answered.text
    assert 'class="cite" href="#src-t0-1"' in answered.text
    filtered = consented.post("/", data={"q": QUESTION, "cancer_type": "no-such-type"})
    assert (
        filtered.status_code == 200 and "Ear pain." not in filtered.text
    )  # filters are read from the body


def test_a_posted_question_is_escaped_and_bounded(consented: httpx.Client) -> None:
    hostile = consented.post("/", data={"q": "<script>window.__pwned=1</script> zorblax?"})
    assert hostile.status_code == 200 and "<script>window.__pwned=1</script>" not in hostile.text
    too_long = consented.post("/", data={"q": "x" * 2_001}, headers={"accept": "text/html"})
    assert too_long.status_code == 422 and "xxxx" not in too_long.text
    not_a_form = consented.post("/", json={"q": QUESTION}, headers={"accept": "application/json"})
    assert not_a_form.status_code == 422


def test_a_posted_question_before_consent_gets_the_notice_without_the_question(
    client: httpx.Client,
) -> None:
    page = client.post("/", data={"q": QUESTION})
    assert page.status_code == 200 and "Before you start" in page.text
    assert "laryngeal" not in page.text.lower() and 'name="next" value="/"' in page.text
