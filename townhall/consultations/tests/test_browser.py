"""The issue's "done when", in real Chromium: a citizen comments on a passage, supports a
section and proposes an amendment; the responsible staff member groups the comment into a
theme, answers it and the amendment, and publishes the response; the citizen is told and
sees what became of their comment. axe checks every consultation page on the way."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from townhall.browser_tests.test_conversation_with_staff import (
    sign_in,
    sign_in_with_second_factor,
)
from townhall.consultations import actions
from townhall.consultations.models import Amendment, Comment, Support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_takes_part_staff_answers_citizen_sees_the_outcome(
    citizen,
    citizen2,
    staff_member,
    site_admin,
    consultation,
    sections,
    close,
    browser_page,
    axe_check,
):
    page = browser_page
    actions.post_comment(by=citizen2, consultation=consultation, section=sections[0], body="Yes!")
    page.goto("/consultations/")
    axe_check(page)

    sign_in(page, citizen.email)
    page.wait_for_url("**/account/")
    page.goto(f"/consultations/{consultation.pk}/")
    axe_check(page)
    speed = sections[1]
    page.locator(f"#section-{speed.pk} summary", has_text="Comment on this section").click()
    page.locator(f"#comment-{speed.pk}-passage").fill("drops to 20 mph")
    page.locator(f"#comment-{speed.pk}-body").fill("Twenty is plenty.")
    page.locator(f"#section-{speed.pk}").get_by_role("button", name="Post the comment").click()
    page.wait_for_url("**/comments/*/")
    axe_check(page)
    comment = Comment.objects.get(author=citizen)
    assert comment.passage == "drops to 20 mph"

    page.goto(f"/consultations/{consultation.pk}/")
    assert page.locator("mark", has_text="drops to 20 mph").count() >= 1
    page.locator(f"#section-{speed.pk}").get_by_role("button", name="Save my stance").click()
    page.wait_for_url(f"**/consultations/{consultation.pk}/**")
    assert Support.objects.filter(user=citizen).count() == 1
    crossings = sections[2]
    page.locator(f"#section-{crossings.pk} summary", has_text="Propose an amendment").click()
    page.locator(f"#amend-{crossings.pk}-text").fill(
        "Every school gets a raised crossing this year."
    )
    page.locator(f"#section-{crossings.pk}").get_by_role(
        "button", name="Propose the amendment"
    ).click()
    page.wait_for_url("**/amendments/**")
    axe_check(page)
    amendment = Amendment.objects.get()
    for path in ("versions/", "summary/", "mine/"):
        page.goto(f"/consultations/{consultation.pk}/{path}")
        axe_check(page)

    # Sam, the responsible staff member, answers after the consultation closes. He signs
    # in with an authenticator app, which Public Works allows (decision 0016).
    from townhall.agencies.actions import update_agency

    update_agency(by=site_admin, agency=staff_member.agency, changes={"allow_totp_for_staff": True})
    page.context.clear_cookies()
    secret = generate_totp_secret()
    TOTP.activate(staff_member.user, secret)
    sign_in_with_second_factor(page, staff_member.user.email, secret)
    page.goto(f"/consultations/{consultation.pk}/respond/")
    axe_check(page)
    page.get_by_label("Theme", exact=True).fill("Speed limits")
    page.get_by_label("Comment numbers").fill(str(comment.pk))
    page.get_by_role("button", name="Create the theme").click()
    page.wait_for_url("**/respond/**")
    theme = consultation.themes.get()
    page.locator(f"label[for=theme-{theme.pk}-accepted]").click()
    page.locator(f"#theme-{theme.pk}-response").fill("We keep 20 mph on residential streets.")
    page.locator(f"#theme-{theme.pk}").get_by_role("button", name="Save the answer").click()
    page.wait_for_url("**/respond/**")
    page.locator(f"label[for=amendment-{amendment.pk}-partly_accepted]").click()
    page.locator(f"#amendment-{amendment.pk}-response").fill("Schools on main roads first.")
    page.locator(f"#amendment-{amendment.pk}").get_by_role("button", name="Save the answer").click()
    page.wait_for_url("**/respond/**")
    close(consultation)
    page.goto(f"/consultations/{consultation.pk}/respond/")
    page.get_by_label("Summary of the response").fill("Thank you. **You said, we did.**")
    page.get_by_role("button", name="Publish the response and tell participants").click()
    page.wait_for_url("**/response/")
    axe_check(page)

    page.context.clear_cookies()
    sign_in(page, citizen.email)
    page.wait_for_url("**/account/")
    assert citizen.notifications.filter(reason__contains="answered").exists()
    page.goto(f"/consultations/{consultation.pk}/mine/")
    assert page.get_by_text("We keep 20 mph on residential streets.").count() == 1
    axe_check(page)
    page.goto(f"/consultations/{consultation.pk}/")
    axe_check(page)
