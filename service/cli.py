"""`screening ...`: serve, worker, beat, db upgrade, lists import/fetch/refresh/status/diff, audit, keys."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from service.core.errors import ScreeningError
from service.settings import get_settings

app = typer.Typer(help="Sanctions and export-control screening service.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
lists_app = typer.Typer(help="Sanctions list versions: import, fetch, refresh, status, diff.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(lists_app, name="lists")
audit_app = typer.Typer(help="Audit log: verify the hash chain, export events.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
keys_app = typer.Typer(help="API keys: create, list, revoke, bootstrap the first admin key.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _fail(exc: ScreeningError) -> None:
    typer.secho(f"error [{exc.code}]: {exc.message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _date(value: str | None, option: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        typer.secho(f"error: {option} must be YYYY-MM-DD, got {value!r}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="API processes (each builds its own matcher index, ~0.5 GB)")
    ] = 1,
) -> None:
    """Serve the API (docs at /docs). Without a broker, an in-process worker and scheduler run beside it."""
    import uvicorn

    from service.api.app import create_app
    from service.api.server import APP, balanced_by_kernel, serve_processes
    from workers.dispatch import EmbeddedScheduler

    settings = get_settings()
    if not settings.broker_url:
        EmbeddedScheduler(settings.refresh_interval_seconds, settings.sweep_interval_seconds).start()
    if workers > 1:
        # Synchronous screening is CPU-bound Python: one process per core is what scales it, each on its own socket
        # where the kernel can spread connections (`service.api.server`).
        if balanced_by_kernel():
            serve_processes(host, port, workers)
        else:
            uvicorn.run(APP, factory=True, host=host, port=port, workers=workers)
    else:
        uvicorn.run(create_app(settings), host=host, port=port)


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="worker processes")] = 2,
    queues: Annotated[str, typer.Option(help="comma-separated queues")] = "celery",
) -> None:
    """Run a Celery worker (needs SCREENING_BROKER_URL)."""
    from workers.celery_app import celery_app

    if not get_settings().broker_url:
        typer.secho("error: set SCREENING_BROKER_URL (e.g. redis://127.0.0.1:6379/0)", fg="red", err=True)
        raise typer.Exit(2)
    celery_app.worker_main(
        ["worker", f"--concurrency={concurrency}", f"--queues={queues}", "--loglevel=INFO", "--without-gossip"]
    )


@app.command()
def beat() -> None:
    """Run Celery beat: enqueues `lists.refresh` and `batches.sweep` on their intervals (needs SCREENING_BROKER_URL)."""
    from workers.celery_app import celery_app

    if not get_settings().broker_url:
        typer.secho("error: set SCREENING_BROKER_URL (e.g. redis://127.0.0.1:6379/0)", fg="red", err=True)
        raise typer.Exit(2)
    celery_app.start(["beat", "--loglevel=INFO", f"--schedule={get_settings().download_dir.parent / 'beat'}"])


@app.command("screen-file")
def screen_file_command(
    input_file: Annotated[Path, typer.Argument(metavar="INPUT", help=".csv or .jsonl (shipments: .jsonl)")],
    out: Annotated[Path, typer.Option("--out", help="result JSON lines, one per input, in input order")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="screen against what was listed on YYYY-MM-DD")] = None,
    threshold: Annotated[float | None, typer.Option(help="review threshold (0.55-1.0)")] = None,
    org: Annotated[
        str | None, typer.Option("--org", help="shipments use this organisation's ownership graph and settings")
    ] = None,
) -> None:
    """Screen a file of counterparties (JSONL: also shipments) against the active lists, without the server."""
    from service.core.match_config import MatchConfig
    from service.screen_file import screen_file

    config = MatchConfig()
    if threshold is not None:
        if not 0.55 <= threshold <= 1.0:
            typer.secho("error: --threshold must be between 0.55 and 1.0", fg="red", err=True)
            raise typer.Exit(2)
        config = MatchConfig(review_threshold=threshold, report_threshold=min(config.report_threshold, threshold))
    try:
        with out.open("w", encoding="utf-8") as handle:
            summary = screen_file(
                get_settings().database_url, input_file, handle, as_of=_date(as_of), config=config, org_id=org
            )
    except ScreeningError as exc:
        _fail(exc)
        return
    typer.echo(
        f"{summary.total} screened: {summary.clear} CLEAR, {summary.review} REVIEW, {summary.block} BLOCK, "
        f"{summary.errors} invalid → {out}"
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to SCREENING_DATABASE_URL."""
    from service.db.migrate import upgrade

    upgrade(get_settings().database_url)
    typer.echo("database is at the latest revision")


@lists_app.command("import")
def lists_import(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="ofac-csv, un-xml, eu-fsf-xml, ... (see README)")],
    paths: Annotated[list[Path], typer.Argument(help="file(s) or a folder")],
    list_id: Annotated[str | None, typer.Option("--list-id", help="default: the format name")] = None,
    name: Annotated[str | None, typer.Option(help="display name")] = None,
    published: Annotated[str | None, typer.Option(help="publication date YYYY-MM-DD")] = None,
) -> None:
    """Import list files as a new version; identical content is a no-op, a broken file changes nothing."""
    from service.refresh import import_files

    try:
        result = import_files(
            get_settings(),
            list_id=list_id or fmt,
            name=name or list_id or fmt,
            fmt=fmt,
            paths=[p.resolve() for p in paths],
            published=_date(published, "--published"),
        )
    except ScreeningError as exc:
        _fail(exc)
        return
    typer.echo(
        f"{result.list_id}: {result.outcome} version {result.version_id} "
        f"({result.entity_count} entities; diff {result.diff or 'n/a'}; "
        f"parse {result.parse_seconds:.1f}s, store {result.store_seconds:.1f}s)"
    )
    for warning in result.warnings[:20]:
        typer.echo(f"  warning: {warning}")


def _run_refresh(only: list[str] | None, as_json: bool) -> None:
    from service.refresh import refresh_all

    try:
        reports = refresh_all(get_settings(), only)
    except ScreeningError as exc:
        _fail(exc)
        return
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in reports], indent=2))
    else:
        for r in reports:
            colour = {"unreachable": "yellow", "rejected": "red"}.get(r.outcome, "green")
            typer.secho(f"{r.list_id:14} {r.outcome:13} {r.message}", fg=colour)
    if any(r.outcome == "unreachable" for r in reports):
        typer.secho(
            "some official sources are unreachable (offline?); the last good versions stay active",
            fg="yellow",
            err=True,
        )


@lists_app.command("fetch")
def lists_fetch(
    list_ids: Annotated[list[str] | None, typer.Argument(help="only these lists")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Download the lists of the sources file (conditional requests, timeouts) and import what changed."""
    _run_refresh(list_ids, as_json)


@lists_app.command("refresh")
def lists_refresh(
    list_ids: Annotated[list[str] | None, typer.Argument(help="only these lists")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Fetch URL sources and re-read path sources; what `make run` and the beat task do."""
    _run_refresh(list_ids, as_json)


@lists_app.command("status")
def lists_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Each list's active version, entity count and last fetch outcome."""
    from service.db.session import session_scope
    from service.versions import list_status

    with session_scope(get_settings().database_url) as session:
        rows = list_status(session)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("no lists imported yet: run `screening lists refresh` or `screening lists import`")
    for row in rows:
        active = row["active_version"]
        if isinstance(active, dict):
            typer.echo(f"{row['list_id']:14} {active['label']:36} {active['entity_count']:>7} entities")
        else:
            typer.echo(f"{row['list_id']:14} (no active version) {row['last_error'] or ''}")


@lists_app.command("diff")
def lists_diff(
    list_id: str,
    version: Annotated[int | None, typer.Option(help="version id; default: the active version")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    limit: Annotated[int, typer.Option(help="ids shown per category")] = 20,
) -> None:
    """Added, removed and changed entity ids of a version against its predecessor."""
    from service.db.session import session_scope
    from service.versions import diff_of

    try:
        with session_scope(get_settings().database_url) as session:
            ver, diff = diff_of(session, list_id, version)
            label = ver.label
    except ScreeningError as exc:
        _fail(exc)
        return
    if as_json:
        typer.echo(json.dumps({"label": label, **diff}, indent=2))
        return
    typer.echo(f"{label} against version {diff['previous_version_id']}")
    for key in ("added", "removed", "changed"):
        ids = diff[key]
        assert isinstance(ids, list)
        more = f" (+{len(ids) - limit} more)" if len(ids) > limit else ""
        typer.echo(f"  {key:8} {len(ids):6}  {', '.join(ids[:limit])}{more}")


@audit_app.command("verify")
def audit_verify(
    org: Annotated[str | None, typer.Option("--org", help="one organisation; default: every chain")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    head: Annotated[
        str | None,
        typer.Option("--head", help="SEQ:HASH printed by an earlier verify, kept outside the database (needs --org)"),
    ] = None,
) -> None:
    """Recompute the audit hash chain(s): exit 0 when intact, 1 naming the first broken event.

    Keep the printed head somewhere else (a ticket, a signed email) and pass it back with --head: a chain whose
    newest events were removed is otherwise still a valid chain."""
    from service.audit import parse_anchor, verify_all

    try:
        results = verify_all(get_settings().database_url, org, parse_anchor(head))
    except ScreeningError as exc:
        _fail(exc)
        return
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in results], indent=2))
    for result in results:
        if as_json:
            continue
        if result.broken is None:
            typer.echo(f"{result.org_id}: ok, {result.count} events, head {result.head_seq} {result.head_hash}")
        else:
            typer.secho(f"{result.org_id}: BROKEN at event {result.broken.seq}: {result.broken.message}", fg="red")
    if any(not r.ok for r in results):
        raise typer.Exit(1)


@audit_app.command("export")
def audit_export(
    out: Annotated[Path, typer.Option("--out", help="file to write")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    org: Annotated[str, typer.Option("--org")] = "default",
) -> None:
    """Write an organisation's audit events to a file (streamed; the export itself is recorded first)."""
    from service.audit import CLI, check_format, iter_export
    from service.db.audit_repo import EventFilter

    try:
        chosen = check_format(fmt)
    except ScreeningError as exc:
        _fail(exc)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        for text in iter_export(get_settings().database_url, chosen, EventFilter(org_id=org), actor=CLI):
            handle.write(text)
    typer.echo(f"audit events of {org} written to {out}")


@keys_app.command("create")
def keys_create(
    org: Annotated[str, typer.Option("--org", help="organisation id, e.g. acme (created on first use)")],
    role: Annotated[str, typer.Option("--role", help="submitter, analyst, auditor or admin")],
    name: Annotated[str, typer.Option("--name", help="what the key is for")] = "",
    expires_in_days: Annotated[int | None, typer.Option("--expires-in-days", help="default: never expires")] = None,
) -> None:
    """Create an API key and print its token once (only its hash is stored)."""
    from service import keys
    from service.access import Role
    from service.db.session import session_scope

    try:
        chosen = Role.parse(role)
    except ValueError as exc:
        typer.secho(f"error: --role: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    try:
        with session_scope(get_settings().database_url) as session:
            row, token = keys.create_key(
                session, org_id=org, role=chosen, name=name, expires_at=keys.expiry_in_days(expires_in_days)
            )
            info = keys.key_dict(row)
    except ScreeningError as exc:
        _fail(exc)
        return
    typer.echo(f"created {info['key_id']} ({info['role']} of {info['org_id']}); the token is shown only this once:")
    typer.echo(token)


@keys_app.command("list")
def keys_list(
    org: Annotated[str | None, typer.Option("--org", help="one organisation; default: all")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List API keys (ids, roles, prefixes, expiry, revocation; never tokens or hashes)."""
    from service import keys
    from service.db.session import session_scope

    with session_scope(get_settings().database_url) as session:
        rows = [keys.key_dict(row) for row in keys.list_keys(session, org)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "active" if row["active"] else ("revoked" if row["revoked_at"] else "expired")
        expires = row["expires_at"] or "never"
        typer.echo(
            f"{row['key_id']}  {row['org_id']:12} {row['role']:9} {row['prefix']}…  {state:7}  expires {expires}"
            f"  {row['name']}"
        )


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key id (key_…) shown by `keys list`")]) -> None:
    """Revoke an API key at once (its next request is refused)."""
    from service import keys
    from service.db.session import session_scope

    try:
        with session_scope(get_settings().database_url) as session:
            row = keys.revoke_key(session, key_id)
            org_id = row.org_id
    except ScreeningError as exc:
        _fail(exc)
        return
    typer.echo(f"revoked {key_id} ({org_id})")


@keys_app.command("bootstrap")
def keys_bootstrap() -> None:
    """On an empty key table only: create an admin key for organisation "default" and print its token once."""
    from service import keys

    created = keys.bootstrap(get_settings().database_url)
    if created is None:
        typer.echo("API keys already exist; nothing created (add keys with `screening keys create` or POST /v1/keys)")
        return
    row, token = created
    typer.echo(f"first admin key {row.id} for organisation {row.org_id!r}; the token is shown only this once:")
    typer.echo(token)
    typer.echo("send it as `Authorization: Bearer <token>`; create other keys with POST /v1/keys")


if __name__ == "__main__":
    app(prog_name="screening")
