// cancerinfo web chat: adds turns without a page load, opens source cards, sends feedback.
// Without JavaScript the page still works: the form posts to / and the server renders.
// "Link to this answer" keeps the answer on the server (POST /v1/shares) and shows a link
// with a random id: the question never goes into an address.
// Answers arrive as HTML rendered (and escaped) by the server's own turn template; this
// file never builds HTML from text.
(function () {
  "use strict";

  var SESSION_KEY = "cancerinfo.session";

  function $(selector, root) { return (root || document).querySelector(selector); }

  function setStatus(text, isError) {
    var status = $("#ask-status");
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/html, application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    });
  }

  function errorMessage(response) {
    return response.json().then(function (data) {
      return (data && data.error && data.error.message) || ("Error " + response.status);
    }, function () { return "Error " + response.status; });
  }

  function newSession() {
    return postJSON("/v1/sessions", {}).then(function (response) {
      if (!response.ok) { return errorMessage(response).then(function (m) { throw new Error(m); }); }
      return response.json();
    }).then(function (data) {
      sessionStorage.setItem(SESSION_KEY, data.session_id);
      return data.session_id;
    });
  }

  function session() {
    var known = sessionStorage.getItem(SESSION_KEY);
    return known ? Promise.resolve(known) : newSession();
  }

  function filtersOf(form) {
    var filters = {};
    ["cancer_type", "audience"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value) { filters[name] = field.value; }
    });
    return filters;
  }

  function insertTurn(html) {
    var template = document.createElement("template");
    template.innerHTML = html;  // inert: nothing in a template runs
    var alerts = $("#alerts");
    template.content.querySelectorAll("[data-urgent]").forEach(function (banner) {
      alerts.replaceChildren(banner);  // an emergency message goes to the top of the page
    });
    var turn = template.content.querySelector("article.turn");
    $("#conversation").appendChild(template.content);
    return turn;
  }

  function ask(form, question, retried) {
    return session().then(function (sessionId) {
      return postJSON("/ui/answer", { question: question, session_id: sessionId, filters: filtersOf(form) });
    }).then(function (response) {
      if (response.status === 404 && !retried) {  // the session expired: start a new one
        sessionStorage.removeItem(SESSION_KEY);
        return ask(form, question, true);
      }
      if (!response.ok) { return errorMessage(response).then(function (m) { throw new Error(m); }); }
      return response.text().then(function (html) {
        var turn = insertTurn(html);
        var heading = turn && $(".question", turn);
        if (turn && turn.dataset.status === "urgent") {
          $("#alerts").scrollIntoView();
        } else if (heading) {
          heading.focus();
        }
        return turn;
      });
    });
  }

  function onSubmit(event) {
    var form = event.target;
    var field = form.elements.q;
    var question = field.value.trim();
    if (!question || !window.fetch) { return; }  // let the browser do a plain GET
    event.preventDefault();
    var button = $("#ask-button");
    button.disabled = true;
    setStatus("Looking in the knowledge base…");
    ask(form, question, false).then(function () {
      field.value = "";
      setStatus("Answer added.");
    }).catch(function (error) {
      setStatus(error.message, true);
    }).then(function () { button.disabled = false; });
  }

  function onShare(event) {
    var form = event.target;
    if (!window.fetch) { return; }  // the plain form posts to /share
    event.preventDefault();
    var body = {};
    if (form.elements.session_id && form.elements.turn) {
      body.session_id = form.elements.session_id.value;
      body.turn = Number(form.elements.turn.value);
    } else {
      body.question = form.elements.q.value;
      var filters = filtersOf(form);
      if (Object.keys(filters).length) { body.filters = filters; }
    }
    var button = $("button", form);
    var status = $(".share-status", form);
    button.disabled = true;
    postJSON("/v1/shares", body).then(function (response) {
      if (!response.ok) { return errorMessage(response).then(function (m) { throw new Error(m); }); }
      return response.json();
    }).then(function (data) {
      var link = document.createElement("a");
      link.className = "share-link";
      link.href = data.url;
      link.textContent = new URL(data.url, location.href).href;
      status.replaceChildren("Link to this answer (it does not contain the question): ", link);
      button.hidden = true;
      link.focus();
    }).catch(function (error) {
      status.textContent = error.message;
      button.disabled = false;
    });
  }

  function startOver(event) {
    event.preventDefault();
    sessionStorage.removeItem(SESSION_KEY);
    $("#conversation").replaceChildren();
    $("#alerts").replaceChildren();
    var field = $("#question");
    field.value = "";
    history.replaceState(null, "", "/");
    setStatus("Started over: a new conversation.");
    field.focus();
  }

  function openSource(link, event) {
    var target = document.getElementById(link.dataset.source);
    if (!target) { return; }
    // a page's card holds all its quotes: a later quote's number points inside the card
    var card = target.closest("details.source-card") || target;
    event.preventDefault();
    card.open = true;
    document.querySelectorAll(".source-card.highlight, figure.quote.highlight").forEach(function (c) { c.classList.remove("highlight"); });
    card.classList.add("highlight");
    if (target !== card) {
      target.classList.add("highlight");
      target.focus();
      target.scrollIntoView({ block: "nearest" });
      return;
    }
    $("summary", card).focus();
    card.scrollIntoView({ block: "nearest" });
  }

  function sendFeedback(box, rating, comment) {
    var body = { session_id: box.dataset.session, turn: Number(box.dataset.turn), rating: rating };
    if (comment) { body.comment = comment; }
    var status = $(".feedback-status", box);
    return postJSON("/v1/feedback", body).then(function (response) {
      if (!response.ok) { return errorMessage(response).then(function (m) { throw new Error(m); }); }
      status.textContent = comment ? "Thank you, your comment was sent." : "Thank you for your feedback.";
    }).catch(function (error) { status.textContent = error.message; });
  }

  function onThumb(button) {
    var box = button.closest(".feedback");
    var rating = Number(button.dataset.rating);
    box.querySelectorAll(".thumb").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b === button));
    });
    box.dataset.rating = String(rating);
    $(".feedback-comment", box).hidden = false;
    sendFeedback(box, rating, null);
  }

  function onSendComment(button) {
    var box = button.closest(".feedback");
    var text = $("textarea", box).value.trim();
    if (text) { sendFeedback(box, Number(box.dataset.rating || "1"), text); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("a.cite, button.thumb, button.send-comment, #start-over");
    if (!target) { return; }
    if (target.matches("a.cite")) { openSource(target, event); }
    else if (target.matches("button.thumb")) { onThumb(target); }
    else if (target.matches("button.send-comment")) { onSendComment(target); }
    else if (target.id === "start-over" && $("#conversation")) { startOver(event); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = $("#ask-form");
    if (form) { form.addEventListener("submit", onSubmit); }
    document.addEventListener("submit", function (event) {
      if (event.target.matches("form.share-form")) { onShare(event); }
    });
    var field = $("#question");
    if (field) {
      field.addEventListener("keydown", function (event) {  // Enter asks; Shift+Enter is a new line
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    }
  });
}());
