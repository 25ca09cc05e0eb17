"""Share links carry a random answer id, never the question (issue 15, point 6).

A patient's question is health data: in an address it stays in the browser history, in
bookmarks and in any proxy's log of URLs. "Link to this answer" keeps the answer on the
server under 128 random bits (``POST /v1/shares``, or the ``POST /share`` form without
JavaScript) and the link is ``/answers/{id}``; the link with the question in it is only
offered closed, as a choice. Real SQLite files and a real ``cancerinfo serve``.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cancerinfo.answer.sessions import SessionStore
from cancerinfo.store.database import Store
from cancerinfo.store.schema import SCHEMA_VERSION
from tests.service.conftest import LARYNX_URL, Server
from tests.service.test_api import assert_error
from tests.service.test_pages import active_content

QUESTION = "What are the symptoms of laryngeal cancer?"
SHARE_PATH = re.compile(r"^/answers/[A-Za-z0-9_-]{22}$")
OLD = "2000-01-01T00:00:00+00:00"


@pytest.fixture
def consented(client: httpx.Client) -> httpx.Client:
    assert client.post("/consent", data={"agree": "yes"}).status_code == 303
    return client


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def rows(db: Path, sql: str, parameters: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


# -- the API -----------------------------------------------------------------------------
def test_a_shared_question_gets_a_random_id_and_its_page_shows_the_answer(
    consented: httpx.Client, service_db: Path
) -> None:
    made = consented.post("/v1/shares", json={"question": QUESTION})
    assert made.status_code == 201, made.text
    share = made.json()
    assert set(share) == {"share_id", "url", "expires_at"}
    assert SHARE_PATH.match(share["url"]) and share["url"] == f"/answers/{share['share_id']}"
    assert "laryngeal" not in share["url"].lower() and "symptoms" not in share["url"].lower()
    again = consented.post("/v1/shares", json={"question": QUESTION}).json()
    assert (
        again["share_id"] != share["share_id"]
    )  # a new random id each time, not a hash of the text
    page = consented.get(share["url"])
    assert page.status_code == 200
    assert QUESTION in page.text and "Warning signs" in page.text and "Ear pain." in page.text
    # the same source cards as the chat: each [n] opens a card with the page's details
    assert 'class="cite" href="#src-a-1"' in page.text and 'id="src-a-1"' in page.text
    assert "Last reviewed" in page.text and LARYNX_URL in page.text
    assert f'href="/answers/{share["share_id"]}"' in page.text  # the link to copy
    assert "laryngeal" not in title_of(page.text).lower()
    head = consented.head(share["url"])
    assert head.status_code == 200 and head.content == b""
    stored = rows(service_db, "SELECT question FROM shares WHERE id = ?", (share["share_id"],))
    assert stored == [(QUESTION,)]


def test_a_turn_of_a_session_is_shared_as_it_was_answered_without_the_session_id(
    consented: httpx.Client,
) -> None:
    session = consented.post("/v1/sessions").json()["session_id"]
    consented.post("/v1/ask", json={"question": QUESTION, "session_id": session})
    follow_up = consented.post(
        "/v1/ask", json={"question": "and how is it treated?", "session_id": session}
    )
    assert follow_up.headers["X-CancerInfo-Turn"] == "2"
    made = consented.post("/v1/shares", json={"session_id": session, "turn": 2})
    assert made.status_code == 201, made.text
    page = consented.get(made.json()["url"])
    assert page.status_code == 200 and "and how is it treated?" in page.text
    # the follow-up was resolved in its conversation: the shared answer is that one
    assert "laryng" in page.text.lower() and 'id="src-a-1"' in page.text
    assert session not in page.text  # whoever opens the link cannot write into the conversation
    missing = consented.post("/v1/shares", json={"session_id": session, "turn": 9})
    assert_error(missing, 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"question": QUESTION, "session_id": "abc", "turn": 1},
        {"session_id": "abc"},
        {"turn": 1},
        {"session_id": "abc", "turn": 1, "filters": {"audience": "patient"}},
        {"question": ""},
        {"question": "x" * 2_001},
        {"question": QUESTION, "colour": "red"},
        {"session_id": "abc", "turn": 2**63},
    ],
)
def test_a_share_request_must_name_one_answer(
    client: httpx.Client, body: dict[str, object]
) -> None:
    error = assert_error(client.post("/v1/shares", json=body), 422, "invalid_request")
    assert "xxxx" not in error["message"]


def test_an_unknown_or_malformed_share_is_a_clear_404_page(consented: httpx.Client) -> None:
    for path in ("/answers/AAAAAAAAAAAAAAAAAAAAAA", "/answers/x", "/answers/" + "a" * 300):
        page = consented.get(path, headers={"accept": "text/html"})
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "Not found" in page.text and "no shared answer at this address" in page.text
        assert "AAAAAAAAAAAAAAAAAAAAAA" not in page.text
    assert consented.head("/answers/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_a_shared_answer_is_escaped(consented: httpx.Client) -> None:
    hostile = "<script>window.__pwned=1</script> what is zorblax syndrome?"
    url = consented.post("/v1/shares", json={"question": hostile}).json()["url"]
    page = consented.get(url).text
    assert "<script>window.__pwned=1</script>" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert active_content(page) == []  # nor anything of the hostile KB page runs


def test_a_share_link_asks_for_consent_first_and_goes_on_to_the_answer(
    client: httpx.Client,
) -> None:
    url = client.post("/v1/shares", json={"question": QUESTION}).json()["url"]
    notice = client.get(url)
    assert notice.status_code == 200 and "Before you start" in notice.text
    assert "Ear pain." not in notice.text and f'name="next" value="{url}"' in notice.text
    agreed = client.post("/consent", data={"agree": "yes", "next": url})
    assert agreed.headers["location"] == url
    assert "Ear pain." in client.get(url).text


def test_a_share_expires_with_the_session_retention(
    consented: httpx.Client, service_db: Path
) -> None:
    share = consented.post("/v1/shares", json={"question": "What is Ninlaro used for?"}).json()
    assert consented.get(share["url"]).status_code == 200
    connection = sqlite3.connect(service_db)
    connection.execute("UPDATE shares SET created_at = ? WHERE id = ?", (OLD, share["share_id"]))
    connection.commit()
    connection.close()
    gone = consented.get(share["url"], headers={"accept": "text/html"})
    assert gone.status_code == 404 and "30 days after it was shared" in gone.text


def test_shares_past_the_retention_are_purged_and_expire_dates_follow_it(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    Store.create_or_open(path).close()
    sessions = SessionStore(path, retention_days=7)
    try:
        answer = {"status": "answered", "reason": None, "intent": "general", "session_id": "mine"}
        kept = sessions.share("a question", {"audience": "patient"}, answer)
        old = sessions.share("an old question", {}, answer)
        assert kept.expires_at[:10] > kept.created_at[:10]
        shared = sessions.shared(kept.share_id)
        assert shared is not None and shared.question == "a question"
        assert shared.filters == {"audience": "patient"} and shared.response["session_id"] is None
        connection = sqlite3.connect(path)
        connection.execute("UPDATE shares SET created_at = ? WHERE id = ?", (OLD, old.share_id))
        connection.commit()
        connection.close()
        assert sessions.shared(old.share_id) is None  # expired: gone even before the purge
        sessions.purge()
        assert rows(path, "SELECT id FROM shares") == [(kept.share_id,)]
        assert sessions.shared("not an id") is None
    finally:
        sessions.close()


# -- the pages without JavaScript --------------------------------------------------------
def test_the_chat_page_title_never_holds_the_question(consented: httpx.Client) -> None:
    posted = consented.post("/", data={"q": QUESTION})
    assert posted.status_code == 200 and "Ear pain." in posted.text
    assert "laryngeal" not in title_of(posted.text).lower()
    linked = consented.get("/", params={"q": QUESTION})  # the opt-in link with the question
    assert "laryngeal" not in title_of(linked.text).lower()
    searched = consented.get("/search", params={"q": "voice box"})
    assert "voice" not in title_of(searched.text).lower()


def test_link_to_this_answer_posts_and_the_question_link_is_only_an_opt_in(
    consented: httpx.Client,
) -> None:
    page = consented.post("/", data={"q": QUESTION, "audience": "patient"}).text
    form = re.search(
        r'<form class="share-form" method="post" action="/share">(.*?)</form>', page, re.S
    )
    assert form, "no share form"
    assert f'name="q" value="{QUESTION}"' in form.group(
        1
    ) and 'name="audience" value="patient"' in form.group(1)
    # every link holding the question sits in a <details> that is closed by default
    for link in re.finditer(r'href="/\?q=', page):
        before = page[: link.start()]
        opened = before.rfind('<details class="share-more"')
        assert opened > before.rfind("</details>"), "a question link outside the opt-in"
        assert page[opened : page.index(">", opened)] == '<details class="share-more"'  # not open
    made = consented.post("/share", data={"q": QUESTION, "audience": "patient"})
    assert made.status_code == 303 and SHARE_PATH.match(made.headers["location"])
    shown = consented.get(made.headers["location"])
    assert (
        shown.status_code == 200 and "Ear pain." in shown.text and "audience: patient" in shown.text
    )


def test_the_share_form_takes_a_session_turn_and_refuses_bad_input(consented: httpx.Client) -> None:
    session = consented.post("/v1/sessions").json()["session_id"]
    fragment = consented.post("/ui/answer", json={"question": QUESTION, "session_id": session})
    assert (
        f'name="session_id" value="{session}"' in fragment.text
        and 'name="turn" value="1"' in fragment.text
    )
    made = consented.post("/share", data={"session_id": session, "turn": "1"})
    assert made.status_code == 303 and "Ear pain." in consented.get(made.headers["location"]).text
    html = {"accept": "text/html"}
    assert (
        consented.post(
            "/share", data={"session_id": session, "turn": "7"}, headers=html
        ).status_code
        == 404
    )
    assert (
        consented.post(
            "/share", data={"session_id": session, "turn": "-1"}, headers=html
        ).status_code
        == 422
    )
    assert consented.post("/share", data={"q": ""}, headers=html).status_code == 422
    assert consented.post("/share", data={"q": "x" * 2_001}, headers=html).status_code == 422


def test_the_share_form_before_consent_gets_the_notice(
    client: httpx.Client, service_db: Path
) -> None:
    before = rows(service_db, "SELECT count(*) FROM shares")
    page = client.post("/share", data={"q": QUESTION})
    assert (
        page.status_code == 200
        and "Before you start" in page.text
        and "laryngeal" not in page.text.lower()
    )
    assert rows(service_db, "SELECT count(*) FROM shares") == before


def test_search_pages_post_their_words_and_ask_by_post(consented: httpx.Client) -> None:
    page = consented.get("/search").text
    assert re.search(r'<form class="search-form card" method="post" action="/search"', page)
    results = consented.post("/search", data={"q": "laryngeal cancer symptoms"})
    assert results.status_code == 200 and "sections found" in results.text
    assert 'href="/?q=' not in results.text  # "Ask this as a question" posts the words
    assert re.search(r'<form class="ask-this" method="post" action="/">', results.text)


# -- an existing store of the schema before shares ---------------------------------------
@pytest.fixture(scope="module")
def schema_3_store(service_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store as schema 3 wrote it (no shares table), with a conversation in it."""
    db = tmp_path_factory.mktemp("schema3") / "store.db"
    shutil.copy(service_db, db)
    connection = sqlite3.connect(db)
    connection.executescript(
        "DROP TABLE shares;"
        " UPDATE meta SET value = '3' WHERE key = 'schema_version';"
        " INSERT INTO sessions(id, created_at, updated_at) VALUES ('kept', '2026-01-01T00:00:00+00:00', '2099-01-01T00:00:00+00:00');"
        " INSERT INTO turns(session_id, turn, asked_at, question, resolved, status, reason, intent, topic, response)"
        " VALUES ('kept', 1, '2026-01-01T00:00:00+00:00', 'q', 'q', 'answered', NULL, 'general', '{}', '{}');"
    )
    connection.close()
    with Store.open(db) as store:  # read as it is: an older store is not written by a reader
        assert store.meta()["schema_version"] == "3"
    assert ("shares",) not in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")
    return db


@pytest.fixture
def old_store_server(schema_3_store: Path, tmp_path: Path) -> Iterator[Server]:
    running = Server(schema_3_store, tmp_path / "server.log")
    yield running
    running.stop()


def test_a_schema_3_store_is_migrated_and_serves_shares(
    schema_3_store: Path, old_store_server: Server
) -> None:
    assert SCHEMA_VERSION == 4
    with httpx.Client(base_url=old_store_server.url, timeout=30.0) as http:
        made = http.post("/v1/shares", json={"question": QUESTION})
        assert made.status_code == 201, made.text
        assert http.post("/consent", data={"agree": "yes"}).status_code == 303
        assert "Ear pain." in http.get(made.json()["url"]).text
    assert rows(schema_3_store, "SELECT value FROM meta WHERE key = 'schema_version'") == [("4",)]
    assert rows(schema_3_store, "SELECT count(*) FROM shares") == [(1,)]
    assert rows(schema_3_store, "SELECT question FROM turns WHERE session_id = 'kept'") == [("q",)]
    assert rows(schema_3_store, "PRAGMA integrity_check") == [("ok",)]
