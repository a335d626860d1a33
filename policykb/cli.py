"""The `policykb` command: ingest, search, timeline, ask, documents, delete, serve, status.

Exit codes (`EXIT_CODES`, the one mapping of the service's errors, documented in the README): 0 done,
2 bad arguments, filter or settings, 3 the data directory cannot be read or written, 4 not found,
5 the language model failed. Anything else is a bug and ends with its traceback.
"""

from __future__ import annotations

import argparse
import errno
import html
import json
import logging
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import policykb  # noqa: F401  (offline switches first)
from policykb.core.errors import NotFound, PolicyKBError
from policykb.core.filters import Filters
from policykb.core.settings import get_settings

if TYPE_CHECKING:
    from pydantic import BaseModel

    from policykb.core.types import SearchResponse, TimelineOrder
    from policykb.service.knowledge_base import IngestReport, KnowledgeBase

    Request = TypeVar("Request", bound=BaseModel)

EXIT_CODES: dict[str, int] = {
    "usage": 2,
    "filter": 2,
    "question": 2,
    "config": 2,
    "upload_rejected": 2,
    "ingest": 2,
    "storage": 3,
    "not_found": 4,
    "llm": 5,
}

EXIT_HELP = """exit codes:
  0  done
  2  bad usage or input (arguments, filters, settings, a refused file)
  3  storage: disk full, no permission, damaged registry or index (one line on stderr says which)
  4  not found (delete, undelete)
  5  the language model endpoint failed"""


class UsageError(Exception):
    """Arguments the API would refuse with 422 (the same request models, the same message): exit 2."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.WARNING, format="policykb: %(message)s", stream=sys.stderr)
    try:
        return int(args.handler(args) or 0)
    except UsageError as exc:
        print(f"policykb: {exc}", file=sys.stderr)
        return EXIT_CODES["usage"]
    except PolicyKBError as exc:
        print(f"policykb: {exc}", file=sys.stderr)
        return EXIT_CODES.get(exc.kind, 1)
    except OSError as exc:
        print(f"policykb: {storage_problem(exc)}", file=sys.stderr)
        return EXIT_CODES["storage"]


def storage_problem(exc: BaseException) -> str:
    """One line for a failure of the disk or the database underneath the data directory."""
    full = getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
    if full:
        return f"the disk holding the data directory is full ({exc}); free space and run the command again"
    if isinstance(exc, PermissionError):
        return f"no permission to write the data directory: {exc}"
    return f"cannot read or write the data directory: {exc}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policykb",
        description="Knowledge base of patient-advocacy policy documents",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command")

    ingest = sub.add_parser("ingest", help="add or update documents from files, folders and links (http, https)")
    ingest.add_argument("paths", nargs="+", help="files, folders, or links to web pages and PDFs")
    ingest.add_argument("--json", action="store_true", help="print one JSON report on stdout")
    ingest.add_argument("--prune", action="store_true", help="remove documents whose files are gone")
    ingest.set_defaults(handler=_ingest)

    search = sub.add_parser("search", help="hybrid keyword + semantic search")
    search.add_argument("query", help="at least one word; an empty query with --sort date lists the newest")
    search.add_argument("-k", type=results_count, default=10, help="how many results (1 to 100)")
    _filter_args(search)
    search.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    search.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    search.add_argument("--group", choices=["document", "passage"], default="document",
                        help="one result per document with its best passage (default), or every passage")  # fmt: skip
    _output_args(search)
    search.set_defaults(handler=_search)

    timeline = sub.add_parser("timeline", help="the most relevant documents in date order, each with its best passage")
    timeline.add_argument("query", nargs="?", default="")
    timeline.add_argument("-k", type=results_count, default=20, help="how many documents (1 to 100)")
    _filter_args(timeline)
    timeline.add_argument("--newest-first", action="store_true", help="newest first (default: oldest first)")
    timeline.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    _output_args(timeline)
    timeline.set_defaults(handler=_timeline)

    ask = sub.add_parser("ask", help="a short answer with citations, or an honest refusal")
    ask.add_argument("question", help="at least one word")
    _filter_args(ask)
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(handler=_ask)

    docs = sub.add_parser("documents", help="list the documents in the knowledge base")
    docs.add_argument("--json", action="store_true")
    docs.set_defaults(handler=_documents)

    delete = sub.add_parser("delete", help="remove a document by id")
    delete.add_argument("doc_id")
    delete.set_defaults(handler=_delete)

    undelete = sub.add_parser("undelete", help="let re-scans index a deleted corpus file again (path or source)")
    undelete.add_argument("path_or_source", nargs="?", help="omit to list the withheld files")
    undelete.set_defaults(handler=_undelete)

    serve = sub.add_parser("serve", help="the API and web UI in one process")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(handler=_serve)

    changes = sub.add_parser("changes", help="what changed: every ingest run, newest first")
    changes.add_argument("--since", help="ISO 8601 date or time (UTC by default), or a span: 36h, 7d, 2w")
    changes.add_argument("--limit", type=int, default=20, help="at most this many runs (default 20)")
    changes.add_argument("--json", action="store_true")
    changes.set_defaults(handler=_changes)

    refresh = sub.add_parser("refresh", help="fetch every kept link again; unchanged pages cost one request")
    refresh.add_argument("--json", action="store_true", help="print one JSON report on stdout")
    refresh.set_defaults(handler=_refresh)

    watch = sub.add_parser("watch", help="ingest what is created, changed, moved or deleted in folders, until Ctrl-C")
    watch.add_argument("paths", nargs="*", type=Path, help="folders to watch (default: POLICYKB_CORPUS_DIRS)")
    watch.set_defaults(handler=_watch)

    status = sub.add_parser("status", help="counts, the live index generation and whether it matches the registry")
    status.set_defaults(handler=_status)

    db = sub.add_parser("db", help="the PostgreSQL schema (POLICYKB_DATABASE_URL)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending schema migrations").set_defaults(handler=_db_upgrade)
    db_sub.add_parser("status", help="schema version and pending migrations").set_defaults(handler=_db_status)

    migrate = sub.add_parser(
        "migrate", help="move a knowledge base between a data folder and PostgreSQL (vectors are copied, not re-made)"
    )
    migrate.add_argument("--from", dest="source", required=True, help="a data folder or a postgresql:// URL")
    migrate.add_argument("--to", dest="target", required=True, help="a data folder or a postgresql:// URL")
    migrate.add_argument("--model", default=None, help="which model's vectors to publish, if the source has several")
    migrate.set_defaults(handler=_migrate)

    repair = sub.add_parser("repair", help="rebuild the live index generation from the registry")
    repair.set_defaults(handler=_repair)
    return parser


def _filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--type", dest="doc_type", action="append", default=[], help="document type (repeatable)")
    p.add_argument("--org", dest="organisation", action="append", default=[], help="organisation (repeatable)")
    p.add_argument("--lang", dest="language", action="append", default=[], help="language code (repeatable)")
    p.add_argument("--from", dest="date_from", help="YYYY[-MM[-DD]], inclusive")
    p.add_argument("--to", dest="date_to", help="YYYY[-MM[-DD]], inclusive")
    p.add_argument("--source", help="a source path or folder prefix")
    p.add_argument("--meeting", action="append", default=[], help="WHO session, e.g. WHA77 or 'RC74 AFRO' (repeatable)")
    p.add_argument("--agenda-item", dest="agenda_item", action="append", default=[], help="e.g. 11.2 (repeatable)")


def _output_args(p: argparse.ArgumentParser) -> None:
    output = p.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the API's JSON")
    output.add_argument("--csv", action="store_true", help="CSV on stdout, the query and filters in its first line")


def results_count(value: str) -> int:
    """-k: an integer within the API's bounds (`MAX_K`); anything else is a usage error (exit 2)."""
    from policykb.api.schemas import MAX_K

    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_K}, not {k}")
    return k


def filters_from(args: argparse.Namespace) -> Filters:
    """The filters of the command line, checked as every face checks them: a malformed date or an empty date
    range raises FilterError (exit 2) before anything is opened."""
    return Filters(
        doc_type=args.doc_type,
        organisation=args.organisation,
        language=args.language,
        date_from=args.date_from,
        date_to=args.date_to,
        source=args.source,
        meeting=args.meeting,
        agenda_item=args.agenda_item,
    ).check()


def validated(model: type[Request], **fields: Any) -> Request:
    """The request as the API reads it (its pydantic model: a question needs a word, a query sorted by
    relevance needs one too, ...); what the API would answer with 422 is a UsageError here."""
    from pydantic import ValidationError

    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise UsageError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" if e["loc"] else e["msg"]
                                   for e in errors)) from None  # fmt: skip


def _kb() -> KnowledgeBase:
    from policykb.service.knowledge_base import KnowledgeBase

    return KnowledgeBase(get_settings())


def is_link(argument: str) -> bool:
    return "://" in argument


def _ingest(args: argparse.Namespace) -> int:
    urls = [a for a in args.paths if is_link(a)]
    paths = [Path(a) for a in args.paths if not is_link(a)]
    missing_all = paths and all(not p.exists() and not p.is_symlink() for p in paths)
    if missing_all:
        print(f"policykb: no such file or directory: {', '.join(map(str, paths))}", file=sys.stderr)
        return 2
    kb = _kb()
    progress = None
    bars: dict = {}
    if not args.json and sys.stderr.isatty():
        from tqdm import tqdm

        def progress(stage: str, done: int, total: int) -> None:
            bar = bars.get(stage)
            if bar is None:
                bar = bars[stage] = tqdm(total=total, desc=stage, unit="", file=sys.stderr, leave=False)
            bar.n = done
            bar.refresh()

    reports = [kb.ingest(paths, prune=args.prune, progress=progress)] if paths else []
    if urls:
        reports.append(kb.fetch(urls, progress=progress))
    for bar in bars.values():
        bar.close()
    for report in reports:
        _print_report(report, args.json)
    return 0


def _refresh(args: argparse.Namespace) -> int:
    kb = _kb()
    if not kb.links():
        print("no links kept yet: `policykb ingest URL` fetches one")
        return 0
    _print_report(kb.refresh(), args.json)
    return 0


def _print_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        data = report.as_dict()
        keys = ("added", "updated", "unchanged", "removed", "moved", "duplicates", "withheld", "failed", "healed",
                "seconds")  # fmt: skip
        print(json.dumps({k: data[k] for k in keys}))
    else:
        print(
            f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"removed {len(report.removed)}, moved {len(report.moved)}, duplicates {len(report.duplicates)}, "
            f"failed {len(report.failed)} "
            f"in {report.seconds:.1f}s (generation {report.generation})"
        )
        for failure in report.failed:
            print(f"  failed: {failure['path']}: {failure['error']}")
        for source in report.withheld:
            print(f"  withheld: {source} (deleted by an admin; `policykb undelete` brings it back)")
        if report.healed:
            print(f"  republished the live index, which did not match the registry: {report.healed}")


def _search(args: argparse.Namespace) -> int:
    from policykb.api.schemas import SearchRequest

    filters = filters_from(args)
    validated(SearchRequest, query=args.query, k=args.k, sort=args.sort, mode=args.mode, group=args.group)
    response = _kb().search(args.query, k=args.k, filters=filters, sort=args.sort, mode=args.mode, group=args.group)
    return _print_results(args, response, filters, "search")


def _timeline(args: argparse.Namespace) -> int:
    filters = filters_from(args)
    order: TimelineOrder = "newest" if args.newest_first else "oldest"
    response = _kb().timeline(args.query, k=args.k, filters=filters, order=order, mode=args.mode)
    return _print_results(args, response, filters, "timeline")


def _print_results(args: argparse.Namespace, response: SearchResponse, filters: Filters, kind: str) -> int:
    if args.json:
        from policykb.api.schemas import SearchResponseModel, TimelineResponse

        data = SearchResponseModel.model_validate(response, from_attributes=True).model_dump()
        if kind == "timeline":
            data["order"] = "newest" if args.newest_first else "oldest"
            print(TimelineResponse.model_validate(data).model_dump_json())
        else:
            print(SearchResponseModel.model_validate(data).model_dump_json())
        return 0
    if args.csv:
        from policykb.service.export import results_csv

        sys.stdout.write(results_csv(response.results, args.query, filters, kind))
        return 0
    if not response.results:
        print("no results")
    for n, hit in enumerate(response.results, start=1):
        page = f", p. {hit.page}" if hit.page else ""
        meeting = f", {hit.meeting}" + (f" item {hit.agenda_item}" if hit.agenda_item else "") if hit.meeting else ""
        print(f"[{n}] {hit.title} ({hit.doc_type}, {hit.date or 'undated'}{meeting}{page}) — {hit.source}")
        print("    " + html.unescape(re.sub(r"</?mark>", "", hit.snippet)))
        if hit.more:
            print(f"    ({len(hit.more)} more passage{'s' if len(hit.more) > 1 else ''} in this document)")
    return 0


def _ask(args: argparse.Namespace) -> int:
    from policykb.api.schemas import AskRequest

    filters = filters_from(args)
    validated(AskRequest, question=args.question)
    answer = _kb().ask(args.question, filters=filters)
    if args.json:
        from policykb.api.schemas import AskResponse

        print(AskResponse.model_validate(answer, from_attributes=True).model_dump_json())
        return 0
    print(answer.answer)
    for c in answer.citations:
        page = f", {c.pages}" if c.pages else ""
        print(f"  [{c.n}] {c.title} ({c.doc_type}, {c.date or 'undated'}{page}) — {c.source}")
    for r in answer.related:
        print(f"  related: {r.title} ({r.doc_type}, {r.date or 'undated'}) — {r.source}")
    return 0


def _documents(args: argparse.Namespace) -> int:
    docs = _kb().documents()
    if args.json:
        from policykb.api.schemas import DocumentList

        listing = {"documents": docs, "total": len(docs), "offset": 0, "limit": len(docs)}
        print(DocumentList.model_validate(listing, from_attributes=True).model_dump_json())
        return 0
    for d in docs:
        meeting = f"{d.meeting} {d.agenda_item or ''}".strip() if d.meeting else ""
        print(f"{d.doc_id}  {d.date or '----------':10}  {d.doc_type:13}  {meeting:16}  {d.title[:70]}  ({d.source})")
    return 0


def _delete(args: argparse.Namespace) -> int:
    if not _kb().delete(args.doc_id):
        raise NotFound(f"no document {args.doc_id}")
    print(f"deleted {args.doc_id}")
    return 0


def _undelete(args: argparse.Namespace) -> int:
    kb = _kb()
    if not args.path_or_source:
        for path, source in kb.withheld():
            print(f"{source}  ({path})")
        return 0
    released = kb.undelete(args.path_or_source)
    if not released:
        raise NotFound(f"no deleted file {args.path_or_source!r} (`policykb undelete` lists them)")
    for path in released:
        print(f"released {path}: the next ingest or re-scan indexes it again")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from policykb.api.app import create_app

    settings = get_settings()
    host, port = args.host or settings.host, args.port or settings.port
    print(f"policykb: serving the UI on http://{host}:{port}/ui and the API docs on http://{host}:{port}/docs")
    watch = settings.watch and bool(settings.corpus_dirs)
    if watch:
        print(f"policykb: watching {', '.join(map(str, settings.corpus_dirs))} for new and changed documents")
    uvicorn.run(create_app(settings=settings, ui_background=True, watch=watch), host=host, port=port, log_level="info")
    return 0


def _changes(args: argparse.Namespace) -> int:
    from datetime import datetime

    from policykb.service.changes import parse_since

    runs = _kb().changes(parse_since(args.since), max(1, args.limit))
    if args.json:
        from policykb.api.schemas import ChangeFeed, change_feed

        print(ChangeFeed.model_validate(change_feed(runs)).model_dump_json())
        return 0
    if not runs:
        print("no changes recorded" + (f" since {args.since}" if args.since else ""))
    for run in runs:
        when = datetime.fromtimestamp(run.at).strftime("%Y-%m-%d %H:%M")
        counts = ", ".join(f"{run.count(a)} {a}" for a in ("added", "updated", "moved", "removed", "failed")
                           if run.count(a))  # fmt: skip
        print(f"{when}  {run.trigger:8} {counts or 'nothing changed'}; {run.unchanged} unchanged"
              + (f"; failed: {run.error}" if run.error else ""))  # fmt: skip
        for c in run.changes:
            print(f"  {c.action:8} {c.title or c.source}" + (f" ({c.source})" if c.title and c.title != c.source
                  else "") + (f": {c.detail}" if c.detail else ""))  # fmt: skip
    return 0


def _watch(args: argparse.Namespace) -> int:
    import threading

    from policykb.service.jobs import Job, JobManager
    from policykb.service.watch import watcher_for

    kb = _kb()
    jobs = JobManager(kb)
    watcher = watcher_for(kb, jobs, args.paths or None)
    if watcher is None:
        print("policykb: none of the folders to watch exists", file=sys.stderr)
        jobs.shutdown()
        return 2

    def done(job: Job) -> None:
        report = job.report or {}
        counts = ", ".join(f"{len(report.get(k, []))} {k}" for k in ("added", "updated", "moved", "removed", "failed"))
        print(f"{job.status}: {counts}" + (f" ({job.error})" if job.error else ""), flush=True)
        for failure in report.get("failed", []):
            print(f"  failed: {failure['path']}: {failure['error']}", flush=True)

    watcher.on_done = done
    watcher.start()
    print(f"policykb: watching {', '.join(map(str, watcher.folders))}; Ctrl-C stops", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        jobs.shutdown()
    return 0


def _status(args: argparse.Namespace) -> int:
    from policykb.api.schemas import StatusModel

    s = _kb().status()
    print(StatusModel.model_validate(s, from_attributes=True).model_dump_json())
    if s.index not in ("ok", "empty") or s.registry != "ok":
        print(f"policykb: the index is {s.index}: {s.index_detail}; `policykb repair` rebuilds it", file=sys.stderr)
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from policykb.service.database import upgrade_schema

    applied = upgrade_schema(get_settings())
    print(f"applied {', '.join(applied)}" if applied else "the schema is up to date")
    return 0


def _db_status(args: argparse.Namespace) -> int:
    from policykb.service.database import schema_status

    print(json.dumps(schema_status(get_settings())))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from policykb.service.migrate import migrate

    report = migrate(args.source, args.target, get_settings(), args.model)
    print(json.dumps(asdict(report)))
    return 0


def _repair(args: argparse.Namespace) -> int:
    health = _kb().repair()
    print(f"{health.state}: {health.detail}")
    return 0 if health.state in ("ok", "empty") else 3


if __name__ == "__main__":
    raise SystemExit(main())
