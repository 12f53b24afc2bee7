"""DLRN's GraphQL queries at ``/api/graphql`` (commits, civote, civoteAgg, promotions,
packageStatus), with DLRN's camelCase fields and 100-row pages, on graphql-core.

Query-only, as in DLRN: the schema has a ``Query`` type and no ``Mutation`` or
``Subscription`` type, so graphql-core rejects any other operation before a
resolver runs, and every resolver only reads. That is why ``POST /api/graphql``
takes no credentials (POST is only the transport of a query, as DLRN's pages
send it); like every read route it asks for them only when
``api.protect_read_endpoints`` is set, and it keeps working in read-only mode.
Anyone adding a mutation here must put it behind the ``Writer`` dependency.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from graphql import GraphQLError, GraphQLSchema, build_schema, graphql_sync
from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.api.deps import DB, reader
from trunkline.db import queries
from trunkline.db.models import BuildStatus, CIVote, CIVoteAggregate, Commit, Promotion
from trunkline.errors import InputError

router = APIRouter(prefix="/api", tags=["graphql"], dependencies=[Depends(reader)])
PAGE = 100

SDL = """
type Commit { id: Int! commitHash: String! distroHash: String! extendedHash: String
  projectName: String! status: String! component: String dtCommit: Int dtDistro: Int
  dtBuild: Int repoDir: String commitBranch: String artifacts: String notes: String
  flags: Int type: String versionsCsv: String }
type CIVote { id: Int! commitId: Int! ciName: String! ciUrl: String ciVote: Boolean!
  ciInProgress: Boolean! timestamp: Int! notes: String user: String component: String }
type CIVoteAgg { id: Int! refHash: String! ciName: String! ciUrl: String ciVote: Boolean!
  ciInProgress: Boolean! timestamp: Int! notes: String user: String }
type Promotion { id: Int! commitId: Int! promotionName: String! timestamp: Int! user: String
  component: String aggregateHash: String automatic: Boolean! }
type PackageStatus { id: ID! projectName: String! status: String! lastSuccess: Int
  firstFailureCommit: String }
input IntFilter { gt: Int gte: Int lt: Int lte: Int eq: Int }
input CIVoteWhere { timestamp: IntFilter }
input CIVoteAggWhere { timestamp: IntFilter }
type Query {
  commits(projectName: String, component: String, status: String, offset: Int, limit: Int,
          commitHash: String, distroHash: String, extendedHash: String): [Commit]
  civote(commitId: Int, ciName: String, ciVote: Boolean, ciInProgress: Boolean,
         timestamp: Int, user: String, component: String, offset: Int, limit: Int,
         where: CIVoteWhere): [CIVote]
  civoteAgg(refHash: String, ciName: String, ciVote: Boolean, ciInProgress: Boolean,
            timestamp: Int, user: String, offset: Int, limit: Int, lastRefHash: Boolean,
            where: CIVoteAggWhere): [CIVoteAgg]
  promotions(commitId: Int, promotionName: String, aggregateHash: String, component: String,
             offset: Int, limit: Int): [Promotion]
  packageStatus(projectName: String, status: String): [PackageStatus]
}
"""
SCHEMA: GraphQLSchema = build_schema(SDL)

Row = dict[str, Any]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _row(obj: Any, columns: list[str]) -> Row:
    out: Row = {}
    for col in columns:
        value = getattr(obj, col)
        out[_camel(col)] = value.value if hasattr(value, "value") else value
    return out


def _page(args: dict[str, Any]) -> tuple[int, int]:
    offset = max(int(args.get("offset") or 0), 0)
    limit = min(max(int(args.get("limit") or PAGE), 0), PAGE)
    return offset, limit


def _columns(model: type[Any]) -> list[str]:
    return [c.key for c in model.__table__.columns]


class Root:
    """Resolvers: graphql-core calls the attribute named after each Query field."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _list(self, model: type[Any], filters: dict[str, Any], args: dict[str, Any]) -> list[Row]:
        stmt = select(model)
        for arg, column in filters.items():
            if args.get(arg) is not None:
                col = getattr(model, column)
                # DLRN matches extendedHash with SQL LIKE ("1234567890_%").
                stmt = stmt.where(
                    col.like(args[arg]) if arg == "extendedHash" else col == args[arg]
                )
        timestamp = (args.get("where") or {}).get("timestamp") or {}
        for op, value in timestamp.items():
            if value is not None:
                stmt = stmt.where(_COMPARE[op](model.timestamp, value))
        offset, limit = _page(args)
        stmt = stmt.order_by(model.id.desc()).offset(offset).limit(limit)
        cols = _columns(model)
        return [_row(r, cols) for r in self.session.scalars(stmt)]

    def commits(self, _info: Any, **args: Any) -> list[Row]:
        return self._list(
            Commit,
            {
                "projectName": "project_name",
                "component": "component",
                "status": "status",
                "commitHash": "commit_hash",
                "distroHash": "distro_hash",
                "extendedHash": "extended_hash",
            },
            args,
        )

    def civote(self, _info: Any, **args: Any) -> list[Row]:
        keys = ("commitId", "ciName", "ciVote", "ciInProgress", "timestamp", "user", "component")
        return self._list(CIVote, {k: _snake(k) for k in keys}, args)

    def civoteAgg(self, _info: Any, **args: Any) -> list[Row]:  # noqa: N802 (GraphQL name)
        """Aggregate votes; ``lastRefHash: true`` keeps only those on the aggregate
        voted last (DLRN: newest timestamp), and then ignores the other filters."""
        keys = ("refHash", "ciName", "ciVote", "ciInProgress", "timestamp", "user")
        if args.get("lastRefHash"):
            where_ts = (args.get("where") or {}).get("timestamp")
            if args.get("refHash") or args.get("timestamp") or where_ts:
                raise GraphQLError(
                    "refHash/timestamp/where.timestamp and last_ref_hash "
                    "cannot be provided in the same query"
                )
            newest = self.session.scalars(
                select(CIVoteAggregate.ref_hash)
                .order_by(CIVoteAggregate.timestamp.desc(), CIVoteAggregate.id.desc())
                .limit(1)
            ).first()
            if newest is not None:
                return self._list(
                    CIVoteAggregate, {"refHash": "ref_hash"}, {**_paging(args), "refHash": newest}
                )
        return self._list(CIVoteAggregate, {k: _snake(k) for k in keys}, args)

    def promotions(self, _info: Any, **args: Any) -> list[Row]:
        keys = ("commitId", "promotionName", "aggregateHash", "component")
        return self._list(Promotion, {k: _snake(k) for k in keys}, args)

    def packageStatus(self, _info: Any, **args: Any) -> list[Row]:  # noqa: N802
        latest = queries.latest_processed_per_project(self.session)
        good = queries.latest_success_per_project(self.session)
        out = []
        for i, name in enumerate(sorted(latest), start=1):
            if args.get("projectName") and name != args["projectName"]:
                continue
            build = latest[name]
            status = str(build.status)
            if args.get("status") and status != args["status"]:
                continue
            failed = build.status is BuildStatus.FAILED
            last_ok = good.get(name)
            out.append(
                {
                    "id": str(i),
                    "projectName": name,
                    "status": status,
                    "lastSuccess": last_ok.dt_build if failed and last_ok else None,
                    "firstFailureCommit": build.commit_hash if failed else None,
                }
            )
        return out


_COMPARE: dict[str, Callable[[Any, int], Any]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "eq": operator.eq,
}


def _paging(args: dict[str, Any]) -> dict[str, Any]:
    return {k: args[k] for k in ("offset", "limit") if k in args}


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def _run(session: Session, query: str, variables: dict[str, Any] | None) -> JSONResponse:
    result = graphql_sync(SCHEMA, query, root_value=Root(session), variable_values=variables)
    body: dict[str, Any] = {"data": result.data}
    status = 200
    if result.errors:
        body["errors"] = [{"message": e.message} for e in result.errors]
        status = 400 if result.data is None else 200
    return JSONResponse(body, status_code=status)


@router.get("/graphql")
def graphql_get(session: DB, query: str, variables: str | None = None) -> JSONResponse:
    """Run a GraphQL query given in the URL (``?query=...``)."""
    parsed: dict[str, Any] | None = None
    if variables:
        try:
            loaded = json.loads(variables)
        except ValueError:
            raise InputError("variables: malformed JSON") from None
        parsed = loaded if isinstance(loaded, dict) else None
    return _run(session, query, parsed)


async def _graphql_body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InputError("request body: malformed JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        raise InputError('request body: expected {"query": "..."}')
    return data


@router.post("/graphql")
def graphql_post(session: DB, data: dict[str, Any] = Depends(_graphql_body)) -> JSONResponse:  # noqa: B008
    """Run a GraphQL query given as ``{"query": ..., "variables": ...}`` (read-only)."""
    variables = data.get("variables")
    return _run(session, data["query"], variables if isinstance(variables, dict) else None)


__all__ = ["SCHEMA", "router"]
