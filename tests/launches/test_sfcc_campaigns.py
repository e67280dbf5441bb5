"""SFCC campaigns, over real HTTP to the simulator: a launch from a campaign, and moved by its dates."""

from datetime import UTC, datetime

import pytest

from apps.core.errors import DomainError
from apps.launches import services
from apps.launches.models import LaunchEvent
from apps.sfcc import campaigns as connector
from apps.sfcc.client import InMemoryTokenStore, SfccConfig
from apps.sfcc.client.campaigns import CampaignsClient
from apps.sfcc.tasks import sync_campaigns
from apps.workspace.choices import Channel
from apps.workspace.models import Message

pytestmark = pytest.mark.django_db

SPRING = {
    "campaignId": "spring-2027",
    "description": "Spring collection 2027",
    "startDate": "2027-03-01T08:00:00Z",
    "endDate": "2027-04-30T22:00:00Z",
}


def client_for(sfcc) -> CampaignsClient:
    config = SfccConfig(
        api_base_url=sfcc.url,
        organization_id="f_ecom_zzxy_prd",
        site_id="RefArch",
        client_id="crossdock-sim-client",
        client_secret="crossdock-sim-secret",
        token_url=f"{sfcc.url}/dwsso/oauth2/access_token",
    )
    return CampaignsClient.from_config(
        config, token_store=InMemoryTokenStore(), sleep=lambda s: None
    )


def test_the_client_reads_and_searches_campaigns(sfcc):
    sfcc.ctl("POST", "/campaigns", SPRING)
    sfcc.ctl(
        "POST",
        "/campaigns",
        {
            "campaignId": "summer-2027",
            "description": "Summer sale",
            "startDate": "2027-06-01T00:00:00Z",
        },
    )
    with client_for(sfcc) as client:
        assert (
            client.get_campaign(campaign_id="spring-2027")["startDate"]
            == "2027-03-01T08:00:00.000Z"
        )
        assert client.get_campaign(campaign_id="nope") is None
        found = list(client.campaigns_by_id(["summer-2027", "spring-2027", "gone"]))
        assert [c["campaignId"] for c in found] == ["spring-2027", "summer-2027"]
        assert [c["campaignId"] for c in client.text_search("summer")] == ["summer-2027"]
        page = client.search(query={"matchAllQuery": {}}, limit=1)
        assert (len(page["hits"]), page["total"]) == (1, 2)


def test_a_launch_created_from_a_campaign_takes_its_dates(sfcc, merchandiser, partner_a):
    sfcc.ctl("POST", "/campaigns", SPRING)
    launch = services.launch_create(
        actor=merchandiser,
        channel=Channel.WEB,
        draft=services.LaunchDraft(campaign_id="spring-2027", partners=(partner_a,)),
    )
    assert launch.name == "Spring collection 2027"
    assert launch.go_live_at == datetime(2027, 3, 1, 8, tzinfo=UTC)
    assert launch.ends_at == datetime(2027, 4, 30, 22, tzinfo=UTC)
    with pytest.raises(DomainError) as refused:
        services.launch_create(
            actor=merchandiser, channel=Channel.WEB, draft=services.LaunchDraft(campaign_id="nope")
        )
    assert refused.value.fields == {"campaign_id": ["No such campaign in SFCC."]}


def test_a_campaign_moved_in_sfcc_moves_the_launch_and_tells_each_partner_once(
    sfcc, merchandiser, partner_a, partner_b
):
    sfcc.ctl("POST", "/campaigns", SPRING)
    launch = services.launch_create(
        actor=merchandiser,
        channel=Channel.WEB,
        draft=services.LaunchDraft(campaign_id="spring-2027", partners=(partner_a, partner_b)),
    )
    assert sync_campaigns() == 1  # unchanged: nothing happens
    assert not Message.objects.filter(body__contains="moved").exists()

    sfcc.ctl("PATCH", "/campaigns/spring-2027", {"startDate": "2027-03-15T08:00:00Z"})
    sync_campaigns()
    sync_campaigns()  # the second run finds the dates equal and changes nothing

    launch.refresh_from_db()
    assert launch.go_live_at == datetime(2027, 3, 15, 8, tzinfo=UTC)
    for share in launch.shares.all():
        moved = Message.objects.filter(case=share.case, body__contains="moved: go-live")
        assert moved.count() == 1 and moved.get().channel == Channel.SFCC
    assert LaunchEvent.objects.filter(launch=launch, verb="moved").count() == 1


def test_an_sfcc_outage_leaves_the_launch_as_it_was(sfcc, merchandiser, partner_a):
    sfcc.ctl("POST", "/campaigns", SPRING)
    launch = services.launch_create(
        actor=merchandiser,
        channel=Channel.WEB,
        draft=services.LaunchDraft(campaign_id="spring-2027", partners=(partner_a,)),
    )
    sfcc.ctl("PUT", "/faults", {"outage_seconds": 30, "outage_mode": "503"})
    from apps.sfcc.client import SfccError

    with pytest.raises(SfccError):
        connector.sync_followed_campaigns(client=client_for(sfcc))
    sfcc.ctl("PUT", "/faults", {"outage_seconds": 0})
    launch.refresh_from_db()
    assert launch.go_live_at == datetime(2027, 3, 1, 8, tzinfo=UTC)
