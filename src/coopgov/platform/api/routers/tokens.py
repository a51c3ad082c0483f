"""API tokens (administrators): issue, list, rotate and revoke on a live server.

Every change is audited and takes effect at once in the process that made
it; other server processes see it within
:data:`coopgov.platform.api.gate.TOKEN_CACHE_S` seconds.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from coopgov.platform.api.deps import CallerDep, StoreDep, audit_context, envelope
from coopgov.platform.api.models import (
    READ_ERRORS,
    WRITE_ERRORS,
    IssuedTokenPage,
    TokenPage,
)
from coopgov.platform.api.queries import Paging

router = APIRouter(prefix="/v1/tokens", tags=["tokens"])

TokenId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class TokenIn(BaseModel):
    """A token to issue."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["city", "admin", "reader"] = Field(
        description="city: writes its city's stations; reader: reads; admin: administers."
    )
    adcode: int | None = Field(
        None, ge=100000, le=999999, description="City of a city token (required for it only)."
    )
    label: str = Field("", max_length=200, description="Who holds it.")

    @model_validator(mode="after")
    def _city_has_adcode(self) -> TokenIn:
        if (self.role == "city") != (self.adcode is not None):
            raise ValueError("a city token needs an adcode; other roles take none")
        return self


def _issued(token_id: str, token: str, row: dict) -> dict:
    return envelope(
        [{"token_id": token_id, "role": row["role"], "adcode": row["adcode"], "token": token}]
    )


@router.post(
    "",
    summary="Issue a token (administrators)",
    response_model=IssuedTokenPage,
    responses=WRITE_ERRORS,
)
async def issue(body: TokenIn, request: Request, store: StoreDep, caller: CallerDep) -> dict:
    """Issue a token; its secret is in this answer only (the store keeps its hash)."""
    caller.require_admin()
    token_id, token = await run_in_threadpool(
        store.issue_token,
        role=body.role,
        adcode=body.adcode,
        label=body.label,
        context=audit_context(request, caller),
    )
    return _issued(token_id, token, {"role": body.role, "adcode": body.adcode})


@router.get(
    "", summary="List tokens (administrators)", response_model=TokenPage, responses=READ_ERRORS
)
async def list_tokens(
    store: StoreDep, caller: CallerDep, query: Annotated[Paging, Query()]
) -> dict:
    """Every issued token: id, role, city, label, dates; never a secret."""
    caller.require_admin()
    rows = await run_in_threadpool(store.tokens)
    return envelope(
        rows[query.offset : query.offset + query.limit],
        page=query.page,
        limit=query.limit,
        found=len(rows),
    )


@router.post(
    "/{token_id}/rotate",
    summary="Give a token a new secret (administrators)",
    response_model=IssuedTokenPage,
    responses=WRITE_ERRORS,
)
async def rotate(token_id: TokenId, request: Request, store: StoreDep, caller: CallerDep) -> dict:
    """Same id and rights, new secret; the old secret stops working."""
    caller.require_admin()
    token = await run_in_threadpool(
        store.rotate_token, token_id, context=audit_context(request, caller)
    )
    if token is None:
        raise HTTPException(404, "no active token with this id")
    row = await run_in_threadpool(store.token, token_id)
    return _issued(token_id, token, row or {"role": "", "adcode": None})


@router.delete(
    "/{token_id}",
    summary="Revoke a token (administrators)",
    response_model=TokenPage,
    responses=WRITE_ERRORS,
)
async def revoke(token_id: TokenId, request: Request, store: StoreDep, caller: CallerDep) -> dict:
    """Revoke a token: it is refused (401) from the next request on."""
    caller.require_admin()
    if await run_in_threadpool(store.token, token_id) is None:
        raise HTTPException(404, "unknown token id")
    await run_in_threadpool(store.revoke_token, token_id, context=audit_context(request, caller))
    return envelope([await run_in_threadpool(store.token, token_id)])
