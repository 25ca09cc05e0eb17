"""The sections of docs/benchmarks.md (:mod:`cancerinfo.eval.report`) on cost and robustness:
scale against KB size, load on the HTTP service, API fuzzing, the fault drills (with the run
that measured them) and the CI smoke run.
"""

from __future__ import annotations

from typing import Any


def _scale(scale: dict[str, Any]) -> list[str]:
    lines = [
        "## Scale: cost against KB size",
        "",
        "Synthetic KBs made of real NCI pages (own urls, odd copies with their sections reversed;",
        "`cancerinfo.eval.scale`). Their section vectors are copied from the NCI KB store, so the",
        "ingest figures are parsing, chunking, FTS5, postings and vocabulary, without the model.",
        "The searcher is measured in a process of its own (its peak RSS includes the model).",
        "",
        "| pages | chunks | ingest | pages/s | ingest peak RSS | store | searcher load | searcher peak RSS"
        " | search p50 | search p99 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for point in scale["points"]:
        search = point["search"]
        ingest = f"{point['ingest_seconds']:.0f} s" if point.get("synthetic") else "(NCI KB, above)"
        searcher_rss = f"{search['peak_rss_mib']} MiB" if "peak_rss_mib" in search else ""
        lines.append(
            f"| {point['pages']:,} | {point['chunks']:,} | {ingest} | {point.get('pages_per_second', '')} | "
            f"{point.get('ingest_peak_rss_mib', '')}{' MiB' if point.get('synthetic') else ''} | "
            f"{point.get('store_mib', '')}{' MiB' if point.get('synthetic') else ''} | {search['load_seconds']} s | "
            f"{searcher_rss} | {search['p50']} ms | {search['p99']} ms |"
        )
    if scale.get("note"):
        lines += ["", str(scale["note"])]
    if scale.get("plot"):
        lines += ["", f"![search latency against KB size]({scale['plot']})"]
    return [*lines, ""]


def _load(load: dict[str, Any]) -> list[str]:
    lines = [
        "## HTTP load on POST /v1/ask (issue 6)",
        "",
        f"A real `cancerinfo serve --answer-processes {load.get('answer_processes', 0)}` "
        f"(`--workers {load['workers']}`) on 127.0.0.1 with the NCI KB, "
        f"{load['clients']} concurrent clients for {load['seconds']:.0f} s "
        "(`cancerinfo.service.loadtest`, on the same 2 cores as the server).",
        "",
        "| questions | serve | requests | requests/s | p50 | p90 | p99 | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, run in load["runs"].items():
        latency = run["latency_ms"]
        serve = run.get("serve", f"--workers {load['workers']}")
        lines.append(
            f"| {name} | `{serve}` | {run['requests']} | {run['requests_per_second']} | {latency['p50']} ms | "
            f"{latency['p90']} ms | {latency['p99']} ms | {run['errors']} |"
        )
    lines += [
        "",
        "Goal (issue 6): 0 errors, p99 ≤ 250 ms. With 32 clients always waiting, the mean latency",
        "is 32 ÷ requests/s: fresh answers cost CPU the two cores share with the clients, and",
        "the queue, not the web layer, sets their p99.",
        "",
    ]
    return lines


def _fuzz(fuzz: dict[str, Any]) -> list[str]:
    """The Schemathesis run (issue 15): what was sent, and what the OpenAPI did not promise."""
    measured = fuzz.get("measured")
    lines = [
        "## API fuzzing with Schemathesis (issue 15)",
        "",
        f"Schemathesis {fuzz['schemathesis']} (`cancerinfo.eval.fuzz_bench`, seed {fuzz['seed']}) on a",
        f"real `cancerinfo serve` of {fuzz['kb']} with the admin API open: valid and invalid requests",
        "made from `/openapi.json` for every operation; each response checked for a 5xx, a status the",
        "OpenAPI does not declare for the operation, a body or header not matching the declared",
        "schema, and a 4xx/5xx not in the one error shape. Goal: 0 of each over >= 10,000 cases.",
    ]
    if measured:  # a run kept apart from the report's own (inserted by hand)
        lines.append(
            f"Measured at commit {measured['commit']} ({measured['date']}) with "
            f"`{measured['command']}`{'; ' + measured['note'] if measured.get('note') else ''}."
        )
    lines += [
        "",
        "| cases | operations | seconds | 5xx | undeclared statuses | schema violations | error-shape violations |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {fuzz['cases']:,} | {fuzz['operations']} | {fuzz['seconds']} | {fuzz['server_errors']} | "
        f"{fuzz['undeclared_statuses']} | {fuzz['schema_violations']} | {fuzz['error_shape_violations']} |",
        "",
        "Statuses: " + ", ".join(f"{status} × {count:,}" for status, count in fuzz["statuses"].items()) + ".",
        "Cases per operation: "
        + ", ".join(f"`{name}` {count:,}" for name, count in fuzz["cases_by_operation"].items())
        + " (an operation without parameters or body has only a few distinct requests).",
    ]
    rejected = fuzz.get("valid_rejected") or {}
    if rejected:
        lines.append(
            "Valid requests answered 422 (a rule the schema cannot state, such as an ingest path "
            "outside the store's KB folders; not counted as findings): "
            + ", ".join(f"`{name}` {count}" for name, count in rejected.items()) + "."
        )
    for kind, examples in (fuzz.get("examples") or {}).items():
        lines += ["", f"First {kind} findings:", ""] + [f"- `{example}`" for example in examples]
    return [*lines, ""]


def _drills(drills: dict[str, Any]) -> list[str]:
    kill, disk, damaged = drills["kill_ingest"], drills["disk_full"], drills["damaged"]
    serving, server = drills["serving_ingest"], drills["server_kill"]
    lines = [
        "## Fault drills (issue 15)",
        "",
        "Real processes and real files hurt on purpose (`cancerinfo.eval.drills`; a few of each run in CI,",
        "tests/test_drills.py). A store's state is its pages, versions and chunks (not timestamps or vectors).",
        "",
        *_measured_by(drills),
        "| drill | figures |",
        "|---|---|",
        f"| kill -9 during ingest ({kill['pages_old']} -> {kill['pages_new']} pages, seed {kill['seed']}) | "
        f"{kill['runs']} runs: {kill['kills']} killed ({kill['in_write_transaction']} inside the write transaction), "
        f"{kill['finished_before_kill']} finished first; old state {kill['old_state']}, new state {kill['new_state']}, "
        f"neither {kill['neither']}; integrity_check ok {kill['integrity_ok']} / {kill['runs']}; next ingest reaching "
        f"the new state {kill['next_ingest_ok']} / {kill['runs']} |",
        f"| ingest while serving ({serving['clients']} clients searching) | {serving['requests']} requests, "
        f"{serving['non_200']} not 200, {serving['transport_errors']} transport errors; the new page served "
        f"{serving['served_after_seconds']} s after the ingest exited |",
        f"| disk full (an ingest of the new KB) | {disk['cases']} cases, {disk.get('out_of_room', disk['cases'])} out of "
        f"room: one-line error {disk['one_line']}, old KB kept {disk['old_kept']}; completed within the room "
        f"{disk.get('completed', 0)}; integrity_check ok {disk['integrity_ok']} / {disk['cases']}"
        + (f" ({disk['tmpfs_skipped']})" if disk.get("tmpfs_skipped") else "") + " |",
        f"| damaged stores ({damaged['damages']} damages x {damaged['commands']} commands) | {damaged['runs']} runs: "
        f"refused in one line naming the store {damaged['refused_one_line']}, worked {damaged['worked']}, "
        f"traceback / internal error / unclear {damaged['bad']}; reading commands left the file untouched "
        f"{damaged['reading_untouched']} / {damaged['reading_runs']} |",
        f"| kill -9 of a server ({server['runs']} runs, {server['clients']} clients asking and rating) | "
        f"{server['asks']} asks, {server['acknowledged_feedback']} acknowledged feedback rows, {server['lost']} lost; "
        f"integrity_check ok {server['integrity_ok']} / {server['runs']} |",
        "",
        "Disk-full cases:",
        "",
    ]
    for case in disk["details"]:
        lines.append(f"- {case['how']}: exit {case['exit']}, `{case['line']}`")
    bad = [run for run in damaged["details"] if not run["ok"]]
    if bad:
        lines += ["", "Damaged-store runs that fell short:", ""]
        lines += [f"- {run['damage']} / `{run['command']}`: exit {run['exit']}, `{run['line']}`" for run in bad]
    lines += ["", f"Drills took {drills['seconds']} s.", ""]
    return lines


def _measured_by(section: dict[str, Any]) -> list[str]:
    machine = section.get("machine")
    if not machine:
        return []
    return [
        f"Measured {machine['date']} at commit {machine['commit']}{' (with uncommitted changes)' if machine['dirty'] else ''}"
        f" ({machine['cpu']}, {machine['cores']} cores) by `make bench BENCH_FLAGS=\"--suite drills\"`.",
        "",
    ]


def _smoke(smoke: dict[str, Any]) -> list[str]:
    answers = smoke.get("answers", {})
    return [
        "## Smoke (the CI run of the harness)",
        "",
        f"{smoke['pages']} pages (seeds + a sample), ingest {smoke['ingest']['seconds']} s; retrieval "
        f"doc@1 {smoke['retrieval']['metrics'].get('doc@1', 0):.3f} (BM25 "
        f"{smoke['retrieval']['baseline'].get('doc@1', 0):.3f}) over {smoke['retrieval']['questions']} "
        f"questions; {answers.get('quotes', 0)} quotes, {answers.get('quotes_not_in_page', 0)} not in "
        f"their page; search p50 {smoke['search_ms']['p50']} ms, ask p50 "
        f"{answers.get('ask_ms', {}).get('p50', '')} ms; {smoke['seconds']} s in all.",
        "",
    ]
