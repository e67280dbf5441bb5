"""SCAPI Campaigns Admin (campaignsSearch, getCampaign) and the control routes that seed campaigns.

Follows `campaigns-oas-v1-public.yaml` 1.0.40: `/pricing/campaigns/v1/organizations/{org}/campaigns`,
`siteId` required, a bearer token with `sfcc.promotions[.rw]`, search by POST with a query
(matchAll, term, text, bool "must", filtered with a term filter), at most 200 hits a page.
The control API creates campaigns and moves their dates, as a merchandiser would in Business
Manager; each change stamps `lastModified`. Outages and injected faults apply as to orders.
"""

from __future__ import annotations

import math
import re
import threading
from typing import TYPE_CHECKING, Any

from simulators.sfcc.orders import iso_ms, parse_iso_ms
from simulators.sfcc.wire import BadJson, Request, Response, problem

if TYPE_CHECKING:
    from simulators.sfcc.server import Simulator

CAMPAIGNS_PATH = re.compile(r"^/pricing/campaigns/v1/organizations/([^/]+)/campaigns(?:/([^/]+))?$")
CONTROL_PATH = re.compile(r"^/__control/campaigns(?:/([^/]+))?$")
ORG_PATTERN = re.compile(r"^f_ecom_[a-z]{4}_(prd|stg|dev|s[0-9]{2}|[0-9]{3})$")
SCOPES = {"sfcc.promotions", "sfcc.promotions.rw"}
MAX_LIMIT = 200
SORTABLE = {"campaignId", "description", "enabled"}
FIELDS = {
    "campaignId",
    "description",
    "enabled",
    "startDate",
    "endDate",
    "lastModified",
    "couponId",
    "customerGroup",
    "sourceCode",
}
DATE_FIELDS = ("startDate", "endDate")


class QueryError(ValueError):
    pass


def _bearer(req: Request) -> str | None:
    scheme, _, token = (req.header("Authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class Campaigns:
    """The simulator's campaigns: one dict per site, behind their own lock."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str], dict[str, Any]] = {}

    # Routing ---------------------------------------------------------------------------------

    def dispatch(self, req: Request) -> Response | None:
        """Answer a campaigns request; None for anything else (a reset also clears campaigns)."""
        if req.path == "/__control/reset" and req.method == "POST":
            with self._lock:
                self._items.clear()
            return None
        match = CONTROL_PATH.match(req.path)
        if match:
            try:
                return self._control(req, match.group(1))
            except (BadJson, QueryError, ValueError, TypeError) as exc:
                return Response(400, {"error": str(exc)})
        match = CAMPAIGNS_PATH.match(req.path)
        if match:
            return self._scapi(req, *match.groups())
        return None

    # SCAPI -----------------------------------------------------------------------------------

    def _scapi(self, req: Request, org: str, campaign_id: str | None) -> Response:
        state = self.sim.state
        state.count("requests")
        allowed = ("POST",) if campaign_id is None else ("GET",)
        if req.method not in allowed:
            refused = problem(405, f"{req.method} is not allowed on {req.path}.")
            refused.headers["Allow"] = ", ".join(allowed)
            return refused
        remaining = state.faults.outage_remaining()
        if remaining:
            state.count("outage_hits")
            return problem(
                503,
                "The service is unavailable (simulated outage).",
                retry_after=math.ceil(remaining),
            )
        injected = state.faults.decide(is_write=False, is_token=False)
        if injected:
            state.count(f"fault:{injected.reason}:{injected.status}")
            return problem(injected.status, "Simulated failure.", retry_after=injected.retry_after)
        denied = self._auth(req, org)
        if denied:
            return denied
        site_id = req.param("siteId")
        if not site_id or len(site_id) > 32:
            return problem(400, "The query parameter 'siteId' is required (1-32 characters).")
        if site_id not in state.sites:
            return problem(
                404,
                f"No site with ID '{site_id}' was found.",
                slug="site-not-found",
                title="Site Not Found",
            )
        if campaign_id is not None:
            state.count("getCampaign")
            with self._lock:
                found = self._items.get((site_id, campaign_id))
            if found is None:
                return problem(
                    404,
                    f"No campaign with ID '{campaign_id}' was found.",
                    slug="campaign-not-found",
                    title="Campaign Not Found",
                )
            return Response(200, dict(found))
        state.count("campaignsSearch")
        try:
            return Response(200, self._search(site_id, req.json() or {}))
        except (BadJson, QueryError) as exc:
            return problem(400, str(exc))

    def _auth(self, req: Request, org: str) -> Response | None:
        state = self.sim.state
        token = _bearer(req)
        info = state.token_info(token) if token else None
        if info is None:
            response = problem(
                401, "Your access token is invalid or expired and can't be used to identify a user."
            )
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        if not ORG_PATTERN.match(org):
            return problem(400, f"organizationId '{org}' does not match f_ecom_<realm>_<instance>.")
        if (
            org != state.organization_id
            or f"SALESFORCE_COMMERCE_API:{state.tenant}" not in info["scope"]
        ):
            return problem(403, f"The access token is not valid for organization '{org}'.")
        if not SCOPES & set(info["scope"]):
            return problem(
                403, "The access token lacks the scope sfcc.promotions or sfcc.promotions.rw."
            )
        return None

    def _search(self, site_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(body, dict) or "query" not in body:
            raise QueryError("The search request needs a query.")
        limit = body.get("limit", 25)
        offset = body.get("offset", 0)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be 1..{MAX_LIMIT}.")
        if not isinstance(offset, int) or offset < 0:
            raise QueryError("offset must be 0 or more.")
        sorts = body.get("sorts") or [{"field": "campaignId", "sortOrder": "asc"}]
        match = _query(body["query"])
        with self._lock:
            rows = [dict(c) for (site, _), c in self._items.items() if site == site_id and match(c)]
        for sort in reversed(sorts):
            field = sort.get("field")
            if field not in SORTABLE:
                raise QueryError(f"'{field}' cannot be sorted on; use one of {sorted(SORTABLE)}.")
            rows.sort(
                key=lambda c, f=field: str(c.get(f, "")), reverse=sort.get("sortOrder") == "desc"
            )
        page = rows[offset : offset + limit]
        return {
            "limit": len(page),
            "hits": page,
            "offset": offset,
            "total": len(rows),
            "query": body["query"],
            "sorts": sorts,
        }

    # Control ---------------------------------------------------------------------------------

    def _control(self, req: Request, campaign_id: str | None) -> Response:
        state = self.sim.state
        if campaign_id is None and req.method == "GET":
            with self._lock:
                return Response(200, {"campaigns": [dict(c) for c in self._items.values()]})
        if campaign_id is None and req.method == "POST":
            spec = req.json() or {}
            campaign_id = str(spec.get("campaignId") or "").strip()
            if not campaign_id or len(campaign_id) > 256:
                raise ValueError("campaignId is required (1-256 characters).")
            site_id = str(spec.get("siteId") or state.sites[0])
            now = iso_ms(state.now_ms())
            campaign = {
                "campaignId": campaign_id,
                "description": str(spec.get("description") or ""),
                "enabled": bool(spec.get("enabled", True)),
                "coupons": [],
                "customerGroups": [],
                "sourceCodeGroups": [],
                "creationDate": now,
                "lastModified": now,
            }
            campaign.update(_dates(spec))
            with self._lock:
                self._items[(site_id, campaign_id)] = campaign
            return Response(201, dict(campaign))
        if campaign_id is not None and req.method in ("PATCH", "DELETE", "GET"):
            site_id = req.param("siteId") or state.sites[0]
            with self._lock:
                campaign = self._items.get((site_id, campaign_id))
                if campaign is None:
                    return Response(404, {"error": f"no campaign {campaign_id}"})
                if req.method == "GET":
                    return Response(200, dict(campaign))
                if req.method == "DELETE":
                    del self._items[(site_id, campaign_id)]
                    return Response(204, None)
                changes = req.json() or {}
                updated = {**campaign, **_dates(changes)}
                for name in ("description", "enabled"):
                    if name in changes:
                        updated[name] = changes[name]
                updated["lastModified"] = iso_ms(state.now_ms())
                self._items[(site_id, campaign_id)] = updated
                return Response(200, dict(updated))
        return Response(405, {"error": f"{req.method} is not allowed on {req.path}"})


def _dates(spec: dict[str, Any]) -> dict[str, str]:
    """Start and end as SCAPI writes them (UTC, milliseconds); the end must follow the start."""
    dates = {name: iso_ms(parse_iso_ms(str(spec[name]))) for name in DATE_FIELDS if spec.get(name)}
    if (
        "startDate" in dates
        and "endDate" in dates
        and parse_iso_ms(dates["endDate"]) <= parse_iso_ms(dates["startDate"])
    ):
        raise ValueError("endDate must come after startDate.")
    return dates


def _query(query: Any):
    """A predicate for one SCAPI query object (exactly one kind of query per object)."""
    if not isinstance(query, dict) or len(query) != 1:
        raise QueryError(
            "A query holds exactly one of matchAllQuery, termQuery, textQuery, boolQuery, filteredQuery."
        )
    ((kind, spec),) = query.items()
    if kind == "matchAllQuery":
        return lambda c: True
    if kind == "termQuery":
        return _term(spec)
    if kind == "textQuery":
        fields, phrase = spec.get("fields") or [], str(spec.get("searchPhrase") or "").lower()
        _known(fields)
        terms = phrase.split()
        return lambda c: all(any(t in str(c.get(f, "")).lower() for f in fields) for t in terms)
    if kind == "boolQuery":
        if spec.get("should"):
            raise QueryError("Campaign fields can only be combined with AND (must).")
        musts = [_query(q) for q in spec.get("must") or []]
        nots = [_query(q) for q in spec.get("mustNot") or []]
        return lambda c: all(m(c) for m in musts) and not any(n(c) for n in nots)
    if kind == "filteredQuery":
        inner, flt = _query(spec.get("query")), spec.get("filter") or {}
        term = flt.get("termFilter")
        if not term:
            raise QueryError("Only a termFilter is supported in a filteredQuery.")
        check = _term(
            {
                "fields": [term.get("field")],
                "operator": term.get("operator"),
                "values": term.get("values"),
            }
        )
        return lambda c: inner(c) and check(c)
    raise QueryError(f"Unknown query '{kind}'.")


def _known(fields: list[str]) -> None:
    unknown = [f for f in fields if f not in FIELDS]
    if not fields or unknown:
        raise QueryError(f"Unknown or missing query fields: {unknown or fields}.")


def _term(spec: dict[str, Any]):
    fields, operator, values = (
        spec.get("fields") or [],
        spec.get("operator"),
        spec.get("values") or [],
    )
    _known(fields)
    if operator == "is" and len(values) != 1:
        raise QueryError("The operator 'is' takes exactly one value.")
    if operator not in ("is", "one_of"):
        raise QueryError(f"Operator '{operator}' is not supported here; use is or one_of.")
    wanted = {str(v).lower() for v in values}
    return lambda c: any(str(c.get(f, "")).lower() in wanted for f in fields)
