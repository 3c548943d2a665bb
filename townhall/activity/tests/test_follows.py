"""Following: a person follows what they can see (a request, a conversation, an agency...)
to be told when it changes; never what they cannot see; and can stop at any time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from townhall.activity import follows
from townhall.activity.actions import follow, unfollow
from townhall.activity.models import Follow

REQUESTS = "service_requests.ServiceRequest"


@pytest.fixture
def followable_requests() -> Iterator[None]:
    """Service requests are followable (the owning app registers them; tests do it here)."""
    before = dict(follows._FOLLOWABLE)
    follows.register_followable(REQUESTS)
    yield
    follows._FOLLOWABLE.clear()
    follows._FOLLOWABLE.update(before)


def test_a_person_follows_what_they_can_see_once(
    followable_requests: None, citizen: Any, pothole_request: Any
) -> None:
    follow(by=citizen, target=pothole_request)
    follow(by=citizen, target=pothole_request)
    assert Follow.objects.of(pothole_request).count() == 1
    assert list(follows.followers_of(pothole_request)) == [citizen]
    assert follows.is_following(citizen, pothole_request)


def test_a_person_cannot_follow_what_they_cannot_see(
    followable_requests: None, citizen2: Any, pothole_request: Any
) -> None:
    # Alex's pothole report is private: Bea cannot see it, so she cannot follow it.
    with pytest.raises(PermissionDenied):
        follow(by=citizen2, target=pothole_request)
    assert not Follow.objects.filter(user=citizen2).exists()


def test_the_follow_view_answers_404_for_what_you_cannot_see(
    followable_requests: None, client: Any, citizen2: Any, pothole_request: Any
) -> None:
    client.force_login(citizen2)
    response = client.post(
        reverse("activity:follow-change"),
        {"target": follows.follow_token(pothole_request), "action": "follow"},
    )
    assert response.status_code == 404
    assert not Follow.objects.filter(user=citizen2).exists()


def test_staff_of_the_agency_can_follow_a_private_request(
    followable_requests: None, staff_member: Any, pothole_request: Any
) -> None:
    follow(by=staff_member.user, target=pothole_request)
    assert staff_member.user in follows.followers_of(pothole_request)


def test_a_kind_nobody_registered_cannot_be_followed(
    citizen: Any, citizen2: Any, pothole_request: Any, followable_requests: None
) -> None:
    follows.unregister_followable(REQUESTS)
    with pytest.raises(PermissionDenied):
        follow(by=citizen, target=pothole_request)  # not registered in this test
    with pytest.raises(PermissionDenied):
        follow(by=citizen, target=citizen2)


def test_a_registered_check_replaces_visible_to(
    citizen: Any, citizen2: Any, followable_requests: None
) -> None:
    follows.register_followable("identity.User", can_see=lambda user, other: other.is_active)
    follow(by=citizen, target=citizen2)
    assert follows.is_following(citizen, citizen2)


def test_the_follow_button_follows_and_unfollows_and_goes_back(
    followable_requests: None, client: Any, citizen: Any, pothole_request: Any
) -> None:
    client.force_login(citizen)
    token = follows.follow_token(pothole_request)
    back = f"/requests/{pothole_request.pk}/"
    response = client.post(
        reverse("activity:follow-change"), {"target": token, "action": "follow", "next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == back
    assert follows.is_following(citizen, pothole_request)
    client.post(
        reverse("activity:follow-change"),
        {"target": token, "action": "unfollow", "next": "https://evil.example.com/"},
    )
    assert not follows.is_following(citizen, pothole_request)


def test_unfollowing_works_after_losing_sight_of_the_object(
    followable_requests: None, citizen: Any, citizen2: Any, pothole_request: Any
) -> None:
    Follow.objects.create(user=citizen2, target=pothole_request)  # followed when it was public
    assert unfollow(by=citizen2, target=pothole_request) is True
    assert unfollow(by=citizen2, target=pothole_request) is False


def test_a_tampered_or_made_up_target_is_refused_clearly(
    followable_requests: None, client: Any, citizen: Any, pothole_request: Any
) -> None:
    client.force_login(citizen)
    Follow.objects.all().delete()  # Alex follows her request since she filed it
    token = follows.follow_token(pothole_request)
    for bad in [token[:-3] + "abc", "", "service_requests.servicerequest:1", "x" * 5000]:
        response = client.post(reverse("activity:follow-change"), {"target": bad})
        assert response.status_code == 400
        assert "This cannot be followed" in response.content.decode()
    assert not Follow.objects.exists()


def test_following_needs_a_sign_in_and_a_post(
    followable_requests: None, client: Any, citizen: Any, pothole_request: Any
) -> None:
    Follow.objects.all().delete()  # Alex follows her request since she filed it
    token = follows.follow_token(pothole_request)
    response = client.post(reverse("activity:follow-change"), {"target": token})
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(citizen)
    assert client.get(reverse("activity:follow-change")).status_code == 405
    assert not Follow.objects.exists()


def test_the_follow_button_shows_only_to_those_who_can_follow(
    followable_requests: None, citizen: Any, citizen2: Any, pothole_request: Any
) -> None:
    template = Template("{% load follows %}{% follow_button obj %}")

    def render(user: Any) -> str:
        request = RequestFactory().get("/requests/x/")
        request.user = user
        return template.render(Context({"request": request, "obj": pothole_request}))

    assert "Follow" in render(citizen)
    assert "Follow" not in render(citizen2)
    follow(by=citizen, target=pothole_request)
    assert "Following" in render(citizen)
    assert 'value="unfollow"' in render(citizen)


def test_http404_is_what_the_view_raises(
    followable_requests: None, citizen2: Any, pothole_request: Any
) -> None:
    """A guard against ever answering 403, which would tell that the object exists."""
    from townhall.activity import views

    request = RequestFactory().post(
        reverse("activity:follow-change"),
        {"target": follows.follow_token(pothole_request), "action": "follow"},
    )
    request.user = citizen2
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    with pytest.raises(Http404):
        views.follow_change(request)
