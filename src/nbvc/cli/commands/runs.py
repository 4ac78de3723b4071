"""nbvc runs [--filter EXPR] [--sort KEY] | show | diff | get | rename | tag | note | delete |
restore"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from nbvc.cli.commands import add_options, add_parser, options_of
from nbvc.cli.output import NUMBER, TIME, Column, human_size, human_time, print_json, table
from nbvc.core import Repo, RunRecord, RunsOptions, value_columns, value_text


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub, "runs", "List runs (every repro and logged session) with params and metrics."
    )
    add_options(parser, RunsOptions)
    verbs = parser.add_subparsers(dest="runs_command", metavar="SUBCOMMAND")
    show = verbs.add_parser("show", help="one run: params, metrics, stages, artifacts")
    show.add_argument("run", metavar="RUN")
    show.add_argument("--env", action="store_true", help="the environment it ran in")
    show.add_argument("--json", action="store_true", dest="show_json")
    diff = verbs.add_parser("diff", help="params, metrics, tags and environment of two runs")
    diff.add_argument("old", metavar="A")
    diff.add_argument("new", metavar="B")
    diff.add_argument("--json", action="store_true", dest="show_json")
    get = verbs.add_parser("get", help="save a file or folder logged to a run")
    get.add_argument("run", metavar="RUN")
    get.add_argument("name", metavar="NAME")
    get.add_argument("-o", "--out", metavar="PATH", help="where to write it (default: NAME)")
    rename = verbs.add_parser("rename", help="give a run another name")
    rename.add_argument("run", metavar="RUN")
    rename.add_argument("name", metavar="NAME")
    tag = verbs.add_parser("tag", help="set tags (KEY=VALUE) or remove them (KEY=)")
    tag.add_argument("run", metavar="RUN")
    tag.add_argument("tags", metavar="KEY=VALUE", nargs="+")
    note = verbs.add_parser("note", help="set a run's note")
    note.add_argument("run", metavar="RUN")
    note.add_argument("text", metavar="TEXT")
    for verb, text in (("delete", "hide a run (purged by `nbvc gc`)"), ("restore", "undelete")):
        edit = verbs.add_parser(verb, help=text)
        edit.add_argument("runs", metavar="RUN", nargs="+")
    return ["runs"]


def run(args: argparse.Namespace) -> int:
    command = getattr(args, "runs_command", None)
    with Repo.find() as repo:
        if command is None:
            return _list(repo, options_of(RunsOptions, args))
        if command == "show":
            return _show(repo.runs.get(args.run), args.env, args.show_json)
        if command == "diff":
            return _diff(repo, args.old, args.new, args.show_json)
        if command == "get":
            written = repo.runs.save_artifact(args.run, args.name, args.out or args.name)
            print(
                f"Saved {len(written)} file{'s' if len(written) != 1 else ''} to "
                f"{args.out or args.name}"
            )
            return 0
        return _edit(repo, command, args)


def _list(repo: Repo, options: RunsOptions) -> int:
    sort, limit, search = options.sort, options.limit, options.filter
    if sort and options.asc and sort[:1] not in "+-" and not sort.endswith((":asc", ":desc")):
        sort = f"+{sort}"
    plain = not (search or sort or options.deleted)
    if options.json:
        if plain:
            records = repo.runs.query(limit)
            print_json([_json(r) for r in records])
        else:
            found = repo.runs.search(search, sort, limit, options.deleted)
            print_json([_json(repo.runs.get(s["id"])) for s in found])
        return 0
    rows = [r.summary_json() for r in repo.runs.open()] if plain else []
    remaining = None if limit is None else limit - len(rows)
    if remaining is None or remaining > 0:
        rows += repo.runs.search(search, sort, remaining, options.deleted)
    rows = rows[:limit] if limit else rows
    if rows:
        print(_table(rows))
    elif search or options.deleted:
        print("No runs match." if search else "No deleted runs.")
    else:
        print("No runs yet: `nbvc repro` runs the pipeline, nbvc.log_metric logs from code.")
    return 0


def _json(record: RunRecord) -> dict[str, Any]:
    doc = record.to_record()
    return {**{key: doc[key] for key in sorted(doc)}, "short_id": record.short_id}


def _table(rows: Sequence[dict[str, Any]]) -> str:
    params = value_columns([r["params"] for r in rows])
    metrics = value_columns([r["metrics"] for r in rows])
    columns = [
        Column("run"),
        Column("name"),
        Column("started", TIME),
        Column("status"),
        Column("time", NUMBER),
        Column("git"),
        *(Column(c[2], NUMBER, verbatim=True, group="params") for c in params),
        *(Column(c[2], NUMBER, verbatim=True, group="metrics") for c in metrics),
    ]
    lines = []
    for r in rows:
        duration = r["duration"]
        line = [
            r["short_id"],
            ("  " if r.get("parent") else "") + (r.get("name") or "-"),
            r["started"] or None,
            r["status"],
            f"{duration:.1f}s" if isinstance(duration, int | float) else None,
            (r["git"] or "")[:7] or None,
        ]
        for values, shown in ((r["params"], params), (r["metrics"], metrics)):
            line += [value_text(values.get(s, {}).get(n)) for s, n, _ in shown]
        lines.append(line)
    return table(columns, lines)


def _show(run: RunRecord, env: bool, as_json: bool) -> int:
    if as_json:
        print_json(run.to_json())
        return 0
    out = [f"run {run.id}  {run.name or ''}".rstrip(), *_about(run)]
    for title, values in (("params", run.params), ("metrics", run.metrics)):
        for source, named in values.items():
            for name, value in named.items():
                out.append(f"  {title[:-1]:<8} {source}:{name} = {value_text(value)}")
    for status, stages in run.stage_statuses().items():
        out.append(f"  {status:<8} {', '.join(stages)}")
    for artifact in run.artifacts:
        step = f" step {artifact.step}" if artifact.step is not None else ""
        out.append(
            f"  artifact {artifact.name} ({artifact.kind}, {human_size(artifact.size)}{step})"
        )
    if env:
        out += _env_lines(run.env)
    print("\n".join(out))
    return 0


def _about(run: RunRecord) -> list[str]:
    """Status, times, parent, tags, note and notebook cells of a run."""
    started = human_time(run.started) if run.started else "-"
    crashed = " (crashed)" if run.extra.get("crashed") else ""
    lines = [
        f"  status   {run.status.value}{crashed}",
        f"  started  {started}  took {run.duration or 0:.1f}s  source {run.source}",
    ]
    if run.parent:
        lines.append(f"  parent   {run.parent}")
    if run.deleted:
        lines.append("  deleted  yes (`nbvc runs restore` brings it back; `nbvc gc` purges it)")
    if run.tags:
        lines.append("  tags     " + ", ".join(f"{k}={v}" for k, v in sorted(run.tags.items())))
    if run.note:
        lines.append(f"  note     {run.note}")
    if run.extra.get("notebook"):
        cells = ", ".join(run.extra.get("cells") or []) or "-"
        lines.append(f"  notebook {run.extra['notebook']} (cells {cells})")
    return lines


def _env_lines(env: dict[str, Any]) -> list[str]:
    lines = ["environment:"]
    for key, value in env.items():
        if key != "packages":
            lines.append(f"  {key:<22} {value}")
    packages = env.get("packages") or {}
    if packages:
        lines.append(f"packages ({len(packages)}):")
        lines += [f"  {name}=={version}" for name, version in packages.items()]
    return lines


def _diff(repo: Repo, old: str, new: str, as_json: bool) -> int:
    result = repo.runs.diff(old, new)
    if as_json:
        print_json(result.to_json())
        return 0
    if result.empty:
        print(f"Runs {result.old.short_id} and {result.new.short_id} do not differ.")
        return 0
    rows = []
    for part in ("params", "metrics", "tags", "env", "packages"):
        for change in getattr(result, part):
            rows.append([part, change.key, value_text(change.old), value_text(change.new)])
    columns = [
        Column(""),
        Column("key"),
        Column(result.old.short_id, NUMBER, verbatim=True),
        Column(result.new.short_id, NUMBER, verbatim=True),
    ]
    print(table(columns, rows))
    return 0


def _edit(repo: Repo, command: str, args: argparse.Namespace) -> int:
    if command in ("delete", "restore"):
        for ref in args.runs:
            done = repo.runs.delete(ref) if command == "delete" else repo.runs.restore(ref)
            print(f"{command.capitalize()}d run {done.short_id} ({done.name or '-'})")
        return 0
    if command == "rename":
        done = repo.runs.rename(args.run, args.name)
    elif command == "note":
        done = repo.runs.set_note(args.run, args.text)
    else:
        tags: dict[str, str | None] = {}
        for item in args.tags:
            key, sep, value = item.partition("=")
            if not sep or not key:
                print(f"nbvc: error: {item!r} is not KEY=VALUE", file=sys.stderr)
                return 2
            tags[key] = value or None
        done = repo.runs.set_tags(args.run, tags)
    print(f"Updated run {done.short_id} ({done.name or '-'})")
    return 0
