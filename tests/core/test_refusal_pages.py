"""What a person gets when a session ended under an htmx request, or an address takes only POST."""

from tests.workspace.helpers import open_case


def test_an_htmx_request_without_a_session_signs_in_and_returns_to_the_page(
    client, agent, partner_a
):
    case = open_case(agent, partner_a)
    response = client.post(
        f"/cases/{case.pk}/reply/",
        {"body": "kept in the browser"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver/cases/{case.pk}/",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/accounts/login/?next=%2Fcases%2F{case.pk}%2F"
    assert not response.content.strip()  # no sign-in form drawn inside the case page


def test_a_page_without_a_session_still_redirects_to_sign_in(client, agent, partner_a):
    case = open_case(agent, partner_a)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_get_on_a_post_only_address_shows_the_branded_page(client, agent, partner_a):
    case = open_case(agent, partner_a)
    client.force_login(agent)
    response = client.get(f"/cases/{case.pk}/reply/")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert b"Nothing to show at this address" in response.content


def test_the_api_keeps_its_own_405(api_client, agent):
    api_client.force_authenticate(agent)
    response = api_client.delete("/api/v1/cases/")
    assert response.status_code == 405 and response["Content-Type"].startswith("application/json")
