"""The campaigns client and the simulator hold to the official SCAPI Campaigns specification."""

import warnings
from functools import cache
from pathlib import Path

import pytest
import yaml
from jsonschema_path import SchemaPath
from openapi_core import V30RequestValidator, V30ResponseValidator

from apps.sfcc.client import InMemoryTokenStore, SfccConfig
from apps.sfcc.client.campaigns import CampaignsClient
from tests.sfcc.test_client_contract import OpenAPIRequest, OpenAPIResponse, RecordingTransport

SPEC_PATH = Path(__file__).resolve().parents[1] / "data/sfcc/campaigns-oas-v1-public.yaml"
SCAPI_PATH = "/pricing/campaigns/v1/"


@cache
def validators():
    spec = SchemaPath.from_file_path(str(SPEC_PATH))
    return V30RequestValidator(spec), V30ResponseValidator(spec)


def test_reads_and_searches_match_the_spec(sfcc_process):
    sfcc_process.ctl("POST", "/reset")
    sfcc_process.ctl(
        "POST",
        "/campaigns",
        {
            "campaignId": "spring-2027",
            "description": "Spring",
            "startDate": "2027-03-01T08:00:00Z",
            "endDate": "2027-04-30T22:00:00Z",
        },
    )
    recorder = RecordingTransport()
    config = SfccConfig(
        api_base_url=sfcc_process.url,
        organization_id="f_ecom_zzxy_prd",
        site_id="RefArch",
        client_id="crossdock-sim-client",
        client_secret="crossdock-sim-secret",
        token_url=f"{sfcc_process.url}/dwsso/oauth2/access_token",
    )
    with CampaignsClient.from_config(
        config, token_store=InMemoryTokenStore(), transport=recorder, sleep=lambda s: None
    ) as client:
        client.get_campaign(campaign_id="spring-2027")
        assert client.get_campaign(campaign_id="missing") is None
        list(client.campaigns_by_id(["spring-2027", "autumn"]))
        client.text_search("spring")
        client.text_search("")
    request_validator, response_validator = validators()
    exchanges = [(q, r) for q, r in recorder.exchanges if q.url.path.startswith(SCAPI_PATH)]
    assert len(exchanges) == 5
    campaign_fields = set(
        yaml.safe_load(SPEC_PATH.read_text())["components"]["schemas"]["Campaign"]["properties"]
    )
    for request, response in exchanges:
        oa_request, oa_response = OpenAPIRequest(request), OpenAPIResponse(response)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Unsupported scheme type")
            request_validator.validate(oa_request)
            if request.method == "GET":
                response_validator.validate(oa_request, oa_response)
                continue
        # The spec's search result closes its properties next to an allOf that adds limit,
        # offset and total, so a strict validator refuses every real answer: check by hand.
        body = response.json()
        assert (
            set(body) <= {"hits", "query", "sorts", "limit", "offset", "total"} and "query" in body
        )
        assert all(set(hit) <= campaign_fields for hit in body["hits"])
    token_request = next(q for q, _ in recorder.exchanges if q.url.path.endswith("/access_token"))
    assert b"sfcc.promotions" in token_request.content


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (
            {
                "query": {
                    "termQuery": {"fields": ["campaignId"], "operator": "is", "values": ["a", "b"]}
                }
            },
            400,
        ),
        ({"query": {"boolQuery": {"should": [{"matchAllQuery": {}}]}}}, 400),
        ({"query": {"matchAllQuery": {}}, "limit": 201}, 400),
        ({"query": {"matchAllQuery": {}}, "sorts": [{"field": "startDate"}]}, 400),
    ],
)
def test_the_simulator_refuses_what_scapi_refuses(sfcc_process, body, status):
    import httpx

    token = httpx.post(
        f"{sfcc_process.url}/dwsso/oauth2/access_token",
        auth=("crossdock-sim-client", "crossdock-sim-secret"),
        data={
            "grant_type": "client_credentials",
            "scope": "SALESFORCE_COMMERCE_API:zzxy_prd sfcc.orders sfcc.promotions",
        },
    ).json()
    response = httpx.post(
        f"{sfcc_process.url}/pricing/campaigns/v1/organizations/f_ecom_zzxy_prd/campaigns",
        params={"siteId": "RefArch"},
        json=body,
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert response.status_code == status and response.json()["detail"]
