"""The web service: a patient chat and an HTTP API over one store (``cancerinfo serve``).

Modules, in the order a request meets them:

- :mod:`.app` — ``create_app(settings)``: the FastAPI app, its lifespan and templates;
- :mod:`.middleware` + :mod:`.limits` — rate limit, body limit, security headers, a
  private access log (paths only, never a question);
- :mod:`.api` — ``/v1/ask``, ``/v1/search``, ``/v1/sessions``, ``/v1/feedback``,
  ``/v1/documents``, ``/healthz``; :mod:`.models` — their bodies (OpenAPI);
- :mod:`.admin` — ``/v1/admin/…`` behind ``CANCERINFO_ADMIN_TOKEN``;
- :mod:`.web` + :mod:`.web_admin` — the pages; :mod:`.render` — the safe Markdown renderer;
- :mod:`.engine` — the assistant on a thread of its own; :mod:`.kbdata` — read-only views;
- :mod:`.errors` — one error shape for every 4xx/5xx;
- :mod:`.loadtest` — the HTTP load test of ``make bench``.
"""

from cancerinfo.service.app import create_app

__all__ = ["create_app"]
