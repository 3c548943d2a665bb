"""The public service pages: an agency's services with their standard, and one service."""

import pytest
from django.conf import settings
from django.urls import reverse

from townhall.agencies import actions
from townhall.agencies.models import ServiceKind
from townhall.identity.models import AssuranceLevel


@pytest.fixture
def pothole(site_admin, agency):
    service = actions.add_service(
        by=site_admin,
        agency=agency,
        code="pothole",
        name="Pothole",
        description="Report a pothole on a city street.\nWe fill it.",
        kind=ServiceKind.PROBLEM_REPORT,
        location_required=True,
        acknowledge_working_days=1,
        respond_working_days=5,
        public_by_default=True,
        group="Streets",
    )
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="road-position",
        description="Where on the road is it?",
        datatype="singlevaluelist",
        required=True,
        values=[
            {"key": "lane", "name": "In a traffic lane"},
            {"key": "crosswalk", "name": "In a crosswalk"},
        ],
    )
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="size",
        description="Approximate size",
        datatype="number",
        datatype_description="Across the widest part, in inches.",
    )
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="note",
        description="Potholes on state highways go to the state.",
        datatype="string",
        variable=False,
    )
    return service


def page_of(client, service):
    response = client.get(service.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_agency_page_lists_each_services_kind_and_standard_in_words(
    client, agency, pothole, site_admin
):
    actions.add_service(
        by=site_admin,
        agency=agency,
        code="one-day",
        name="Same-day question",
        kind=ServiceKind.QUESTION,
        acknowledge_working_days=1,
        respond_working_days=1,
    )
    page = client.get(agency.get_absolute_url()).content.decode()
    assert "Problem report" in page
    assert "Answer within 5 working days" in page
    assert "Answer within 1 working day<" in page  # singular
    assert "Question" in page
    assert f'href="{pothole.get_absolute_url()}"' in page
    assert "<code>pothole</code>" in page


def test_the_service_address_is_under_its_agency(pothole):
    assert pothole.get_absolute_url() == "/agencies/public-works/services/pothole/"
    assert reverse("agencies:service-detail", args=["public-works", "pothole"]) == (
        pothole.get_absolute_url()
    )


def test_the_service_page_shows_what_it_is_for_its_standard_and_what_it_asks(client, pothole):
    page = page_of(client, pothole)
    assert "<h1>Pothole</h1>" in page
    assert "Problem report, handled by" in page
    assert 'href="/agencies/public-works/"' in page
    assert "<p>Report a pothole on a city street.<br>We fill it.</p>" in page
    assert "acknowledges your request within 1 working day." in page
    assert "You get an answer within 5 working days." in page
    assert "extend the deadline" not in page
    assert "Where it is: an address" in page
    assert "Where on the road is it?" in page and "(required)" in page
    assert "In a traffic lane" in page and "In a crosswalk" in page
    assert "Approximate size" in page and "(optional)" in page
    assert "Across the widest part, in inches." in page
    assert "One choice from a list" in page and "Number" in page
    assert "Potholes on state highways go to the state." in page
    assert "Anyone with an account whose email address is confirmed can file this." in page
    assert "unless you choose to keep yours private" in page
    assert "<code>pothole</code>" in page and "Streets" in page


def test_the_page_lists_questions_in_their_order(client, pothole, site_admin):
    page = page_of(client, pothole)
    assert page.index("Where on the road is it?") < page.index("Approximate size")
    road_position = pothole.attributes.get(code="road-position")
    actions.update_service_attribute(by=site_admin, attribute=road_position, changes={"order": 10})
    page = page_of(client, pothole)
    assert page.index("Approximate size") < page.index("Where on the road is it?")


def test_an_foi_service_page_explains_the_extension_and_that_requests_are_public(
    client, agency, site_admin
):
    foi = actions.add_service(
        by=site_admin,
        agency=agency,
        code="foi-request",
        name="Freedom of Information request",
        kind=ServiceKind.FOI_REQUEST,
        acknowledge_working_days=5,
        respond_working_days=20,
    )
    page = page_of(client, foi)
    assert "Freedom of information request, handled by" in page
    assert "within 5 working days." in page
    assert "You get an answer within 20 working days." in page
    assert "extend the deadline once, by up to 10 working days, and must tell you why" in page
    assert "cannot be made private" in page
    assert "Where it is" not in page
    assert "Questions about your request" not in page


def test_the_page_says_in_plain_words_who_can_file(client, agency, site_admin):
    registration = actions.add_service(
        by=site_admin,
        agency=agency,
        code="rental-registration",
        name="Rental registration certificate",
        required_assurance=AssuranceLevel.IDENTITY_VERIFIED,
    )
    page = page_of(client, registration)
    assert "You need an account whose identity has been verified" in page
    assert "Requests are private: only you and the staff handling your request" in page
    anyone = actions.add_service(
        by=site_admin,
        agency=agency,
        code="open",
        name="Open question",
        required_assurance=AssuranceLevel.NONE,
    )
    assert f"Anyone with an account on {settings.SITE_NAME} can file this." in page_of(
        client, anyone
    )


def test_markup_in_a_service_and_its_questions_is_shown_as_text(client, agency, site_admin):
    nasty = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    service = actions.add_service(
        by=site_admin,
        agency=agency,
        code="nasty",
        name=f"Name {nasty}",
        description=f"About {nasty}",
        group=nasty[:80],
    )
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="q",
        description=f"Question {nasty}",
        datatype="singlevaluelist",
        datatype_description=f"Hint {nasty}",
        values=[{"key": "a", "name": f"Choice {nasty}"}],
    )
    for page in [page_of(client, service), client.get(agency.get_absolute_url()).content.decode()]:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    detail = page_of(client, service)
    for text in ["Question &lt;script&gt;", "Hint &lt;script&gt;", "Choice &lt;script&gt;"]:
        assert text in detail


@pytest.mark.parametrize(
    "address",
    [
        "/agencies/parks-and-recreation/services/pothole/",  # another agency's address
        "/agencies/public-works/services/no-such-service/",
        "/agencies/no-such-agency/services/pothole/",
    ],
)
def test_a_service_at_the_wrong_address_is_not_found(client, pothole, other_agency, address):
    assert client.get(address).status_code == 404


def test_a_withdrawn_service_is_not_found(client, pothole, site_admin):
    actions.update_service(by=site_admin, service=pothole, changes={"is_active": False})
    assert client.get(pothole.get_absolute_url()).status_code == 404


def test_a_service_of_an_unpublished_agency_is_not_found(client, pothole, agency, site_admin):
    actions.update_agency(by=site_admin, agency=agency, changes={"is_published": False})
    assert client.get(pothole.get_absolute_url()).status_code == 404


def test_the_service_page_costs_a_fixed_number_of_queries(
    client, pothole, site_admin, django_assert_max_num_queries
):
    for number in range(10):
        actions.add_service_attribute(
            by=site_admin,
            service=pothole,
            code=f"extra-{number}",
            description=f"Extra question {number}",
            datatype="multivaluelist",
            values=[{"key": "a", "name": "A"}, {"key": "b", "name": "B"}],
        )
    with django_assert_max_num_queries(4):  # the session, the service and agency, questions
        response = client.get(pothole.get_absolute_url())
    assert response.content.decode().count("Extra question") == 10


def test_the_agency_page_costs_no_more_with_more_services(
    client, agency, site_admin, django_assert_max_num_queries
):
    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(agency.get_absolute_url()).status_code == 200
        return len(queries)

    actions.add_service(by=site_admin, agency=agency, code="first", name="First")
    few = count_queries()
    for number in range(8):
        actions.add_service(
            by=site_admin,
            agency=agency,
            code=f"service-{number}",
            name=f"Service {number}",
            kind=ServiceKind.COMPLAINT,
        )
    assert count_queries() == few
