"""Open311 GeoReport v2 endpoints: a thin adapter over the same queries and actions as
the web pages and the REST API. Every answer, errors included, is in the format the URL
asks for (`.json` or `.xml`); nothing here answers with an HTML page or a 500 page."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt

from townhall.agencies.models import AttributeDatatype, Service
from townhall.conversations.attachments import check_uploads
from townhall.service_requests.models import ServiceRequest, Status

from . import actions, formats, parameters, queries
from .formats import JSON, XML
from .models import Open311Application
from .parameters import BadParameter

logger = logging.getLogger(__name__)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-27T00:00:00Z"  # when these endpoints last changed shape
DESCRIPTION_MAX_LENGTH = 4000
WINDOW = dt.timedelta(days=90)
CONTACT_FIELDS = ("email", "first_name", "last_name", "phone", "device_id", "account_id")


class Refusal(Exception):
    """Answer with the specification's error list and this HTTP status."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(descriptions)
        self.status = status
        self.descriptions = descriptions


def _format_of(kwargs: dict[str, Any], request: HttpRequest) -> str:
    fmt = kwargs.pop("fmt", "")
    if fmt in formats.FORMATS:
        return fmt
    return JSON if request.path.endswith(".json") else XML


def endpoint(*methods: str) -> Callable[..., Callable[..., HttpResponse]]:
    """An Open311 view: the format from the URL's suffix, the methods allowed, the
    `jurisdiction_id` checked, and every failure answered in that format."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            fmt = _format_of(kwargs, request)
            if request.method not in methods:
                response = formats.errors(
                    fmt,
                    405,
                    _("%(method)s is not allowed here; use %(allowed)s.")
                    % {"method": request.method, "allowed": ", ".join(methods)},
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                _check_jurisdiction(request)
                return view(request, fmt, *args, **kwargs)
            except Refusal as refusal:
                return formats.errors(fmt, refusal.status, *refusal.descriptions)
            except BadParameter as error:
                return formats.errors(fmt, 400, error.message)
            except RequestDataTooBig:
                return formats.errors(fmt, 400, _("The request is too large."))
            except TooManyFieldsSent:
                return formats.errors(fmt, 400, _("The request has too many parameters."))
            except Exception:
                logger.exception("open311: failure on %s", request.path)
                return formats.errors(
                    fmt, 500, _("Something went wrong on our side; it has been logged.")
                )

        return wrapped

    return decorate


def _params(request: HttpRequest) -> QueryDict:
    """The parameters: the form body of a POST over the query string."""
    if request.method != "POST":
        return request.GET
    merged = request.GET.copy()
    for key in request.POST:
        merged.setlist(key, request.POST.getlist(key))
    return merged


def _check_jurisdiction(request: HttpRequest) -> None:
    params = _params(request)
    jurisdiction = parameters.text(params, "jurisdiction_id", limit=10_000)
    if jurisdiction and jurisdiction != settings.OPEN311_JURISDICTION_ID:
        raise Refusal(
            404,
            _("jurisdiction_id: this server answers only for “%(jurisdiction)s”.")
            % {"jurisdiction": settings.OPEN311_JURISDICTION_ID},
        )


def _over_rate(application: Open311Application) -> bool:
    """Count one call of the application in this minute; True when it is over its limit."""
    minute = int(timezone.now().timestamp() // 60)
    key = f"open311:calls:{application.pk}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        calls = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        calls = 1
    return calls > application.rate_limit_per_minute


def _application(request: HttpRequest, *, required: bool) -> Open311Application | None:
    """The application whose `api_key` came with the call (403 when it is wrong or
    revoked, or missing where one is required; 429 over its rate)."""
    key = parameters.text(_params(request), "api_key", limit=10_000)
    if not key:
        if required:
            raise Refusal(403, _("api_key: an API key is required to file a request."))
        return None
    application = queries.application_for_key(key)
    if application is None:
        raise Refusal(403, _("api_key: this API key is not valid."))
    if not application.is_active:
        raise Refusal(403, _("api_key: this API key was revoked."))
    if _over_rate(application):
        raise Refusal(
            429,
            _("api_key: more than %(limit)s calls a minute; wait a minute and try again.")
            % {"limit": application.rate_limit_per_minute},
        )
    return application


# --- representations ---------------------------------------------------------------------


def _datetime(value: dt.datetime | None, time_zone: str) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value, ZoneInfo(time_zone)).replace(microsecond=0).isoformat()


def service_notice(service: Service) -> str:
    return ngettext(
        "Answered within %(days)s working day.",
        "Answered within %(days)s working days.",
        service.respond_working_days,
    ) % {"days": service.respond_working_days}


def _service_summary(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": bool(service.attributes.all()),
        "type": "realtime",
        "keywords": ",".join(service.keywords or []),
        "group": service.group,
    }


def _attribute(question: Any) -> dict[str, Any]:
    return {
        "variable": question.variable,
        "code": question.code,
        "datatype": question.open311_datatype,
        "required": question.required,
        "datatype_description": question.datatype_description,
        "order": question.order,
        "description": question.description,
        "values": [{"key": value["key"], "name": value["name"]} for value in question.values],
    }


def _agency_responsible(request: ServiceRequest) -> str:
    if request.assignee is None:
        return request.agency.name
    return f"{request.agency.name}: {request.assignee.public_name}, {request.assignee.job_title}"


def request_data(
    request: ServiceRequest, *, http: HttpRequest | None, extensions: bool
) -> dict[str, Any]:
    """One request as Open311 shows it: no requester, no contact details, ever. Without an
    HTTP request (a webhook), links are made on `SITE_URL`."""
    zone = request.agency.time_zone
    filing = getattr(request, "open311_filing", None)
    notes = request.status_reason or str(Status(request.status).label)
    data: dict[str, Any] = {
        "service_request_id": request.reference,
        "status": queries.OPEN311_STATUS.get(request.status, "open"),
        "status_notes": notes,
        "service_name": request.service.name,
        "service_code": request.service.code,
        "description": request.description,
        "agency_responsible": _agency_responsible(request),
        "service_notice": service_notice(request.service),
        "requested_datetime": _datetime(request.submitted_at, zone),
        "updated_datetime": _datetime(request.status_changed_at, zone),
        "expected_datetime": _datetime(request.expected_at, zone),
        "address": request.address,
        "address_id": filing.address_id if filing is not None else "",
        "zipcode": "",
        "lat": float(request.latitude) if request.latitude is not None else None,
        "long": float(request.longitude) if request.longitude is not None else None,
        "media_url": filing.media_url if filing is not None else "",
    }
    if extensions:
        data["extended_attributes"] = {
            "townhall_status": request.status,
            "status_page": (
                http.build_absolute_uri(request.get_absolute_url())
                if http is not None
                else settings.SITE_URL.rstrip("/") + request.get_absolute_url()
            ),
            "agency": request.agency.name,
            "held_by": request.assignee.public_name if request.assignee else "",
            "held_by_title": request.assignee.job_title if request.assignee else "",
            "answered_datetime": _datetime(request.answered_at, zone),
            "closed_datetime": _datetime(request.closed_at, zone),
            "deadline_extended": request.is_extended,
            "supporters": request.supporter_count,
        }
    return data


# --- endpoints ---------------------------------------------------------------------------


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    root = request.build_absolute_uri(reverse("open311:service-list", kwargs={"fmt": fmt}))
    payload = {
        "changeset": CHANGESET,
        "contact": _("%(site)s, %(email)s")
        % {
            "site": settings.SITE_NAME,
            "email": settings.DEFAULT_FROM_EMAIL,
        },
        "key_service": _(
            "Ask %(email)s for an API key for your application; a site administrator issues it."
        )
        % {"email": settings.DEFAULT_FROM_EMAIL},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": root.rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return formats.respond(payload, fmt, root="discovery")


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _application(request, required=False)
    payload = [_service_summary(service) for service in queries.offered_services()]
    return formats.respond(payload, fmt, root="services")


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    _application(request, required=False)
    service = queries.offered_service(code)
    if service is None:
        raise Refusal(404, _("service_code: there is no service “%(code)s”.") % {"code": code[:64]})
    payload = {
        "service_code": service.code,
        "attributes": [_attribute(question) for question in service.attributes.all()],
    }
    return formats.respond(payload, fmt, root="service_definition")


@endpoint("GET", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _file(request, fmt)
    _application(request, required=False)
    params = request.GET
    ids = parameters.comma_list(params, "service_request_id")
    service_codes = parameters.comma_list(params, "service_code")
    statuses = [status.lower() for status in parameters.comma_list(params, "status")]
    unknown = [status for status in statuses if status not in ("open", "closed")]
    if unknown:
        raise BadParameter(_("status: use open, closed, or both separated by a comma."))
    start = parameters.moment(params, "start_date")
    end = parameters.moment(params, "end_date")
    updated_after = parameters.moment(params, "updated_after")
    updated_before = parameters.moment(params, "updated_before")
    if start is None and end is None and updated_after is None and updated_before is None:
        end = timezone.now()
        start = end - WINDOW
    elif start is not None and end is None:
        end = start + WINDOW
    elif end is not None and start is None:
        start = end - WINDOW
    if start is not None and end is not None:
        if start > end:
            raise BadParameter(_("start_date must not be after end_date."))
        if end - start > WINDOW:
            raise BadParameter(_("start_date and end_date may be at most 90 days apart."))
    page = parameters.positive_int(params, "page", default=1, limit=parameters.MAX_PAGE)
    page_size = parameters.positive_int(
        params,
        "page_size",
        default=parameters.DEFAULT_PAGE_SIZE,
        limit=parameters.MAX_PAGE_SIZE,
    )
    extensions = parameters.flag(params, "extensions")
    found = queries.find_requests(
        ids=ids,
        service_codes=service_codes,
        statuses=statuses,
        start=start,
        end=end,
        updated_after=updated_after,
        updated_before=updated_before,
    )
    offset = (page - 1) * page_size
    rows = found[offset : offset + page_size]
    payload = [request_data(row, http=request, extensions=extensions) for row in rows]
    return formats.respond(payload, fmt, root="service_requests")


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    _application(request, required=False)
    extensions = parameters.flag(request.GET, "extensions")
    found = queries.request_by_id(service_request_id)
    if found is None:
        raise Refusal(
            404,
            _("service_request_id: there is no public request “%(id)s”.")
            % {"id": service_request_id[:40]},
        )
    payload = [request_data(found, http=request, extensions=extensions)]
    return formats.respond(payload, fmt, root="service_requests")


@endpoint("GET")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    _application(request, required=False)
    filing = queries.filing_by_token(token)
    if filing is None:
        raise Refusal(404, _("token: there is no request with this token."))
    payload = [{"service_request_id": filing.request.reference, "token": filing.token}]
    return formats.respond(payload, fmt, root="service_requests")


@endpoint("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
def not_found(request: HttpRequest, fmt: str = "", rest: str = "") -> HttpResponse:
    raise Refusal(404, _("There is no Open311 endpoint here."))


# --- filing --------------------------------------------------------------------------------

# How the action's error keys read as Open311 parameters.
_PARAMETER_NAMES = {
    "description": "description",
    "location": "lat/long",
    "address": "address_string",
    "service": "service_code",
    "files": "media",
    "is_public": "service_code",
}


def _parameter(key: str) -> str:
    if key.startswith("answers."):
        return f"attribute[{key.removeprefix('answers.')}]"
    if key.startswith("contact."):
        return key.removeprefix("contact.")
    return _PARAMETER_NAMES.get(key, key if key != "__all__" else "")


def _describe(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    described: list[str] = []
    for key, messages in error.message_dict.items():
        name = _parameter(key)
        described.extend(f"{name}: {message}" if name else message for message in messages)
    return described


def _answers(service: Service, sent: dict[str, list[str]]) -> dict[str, Any]:
    """Open311 sends every value as text, lists repeated: one value per question, a list
    for multi-value questions (unknown codes are left for the check to refuse)."""
    kinds = {question.code: question.datatype for question in service.attributes.all()}
    answers: dict[str, Any] = {}
    for code, values in sent.items():
        if kinds.get(code) == AttributeDatatype.MULTI_VALUE_LIST:
            answers[code] = values
        elif len(values) == 1:
            answers[code] = values[0]
        elif values:
            raise BadParameter(
                _("attribute[%(code)s]: this question takes one answer.") % {"code": code}
            )
    return answers


def _file(request: HttpRequest, fmt: str) -> HttpResponse:
    application = _application(request, required=True)
    assert application is not None
    params = _params(request)
    code = parameters.text(params, "service_code", limit=200)
    if not code:
        raise BadParameter(_("service_code: give the code of the service to request."))
    service = queries.offered_service(code)
    if service is None:
        raise Refusal(404, _("service_code: there is no service “%(code)s”.") % {"code": code[:64]})
    latitude = parameters.coordinate(params, "lat", bound=90)
    longitude = parameters.coordinate(params, "long", bound=180)
    if bool(latitude) != bool(longitude):
        raise BadParameter(_("lat/long: give both the latitude (lat) and the longitude (long)."))
    address = parameters.text(params, "address_string", limit=300)
    address_id = parameters.text(params, "address_id", limit=100)
    if not latitude and not address and not address_id:
        raise BadParameter(
            _("lat/long: say where, with lat and long, address_string or address_id.")
        )
    description = parameters.text(params, "description", limit=DESCRIPTION_MAX_LENGTH)
    if not description.strip():
        # GeoReport v2 makes the description optional; a request still reads as words, so
        # it says what is known (the status page and the inbox show it).
        description = f"{service.name}: reported through {application.name} without a description."
    media_url = parameters.text(params, "media_url", limit=1000)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError as error:
            raise BadParameter(_("media_url: give an http or https address.")) from error
    contact = {name: parameters.text(params, name, limit=254) for name in CONTACT_FIELDS}
    answers = _answers(service, parameters.attributes(params))
    try:
        files = check_uploads(request.FILES.getlist("media"))
    except ValidationError as error:
        raise Refusal(400, *(f"media: {message}" for message in error.messages)) from error
    retry_fields = {key: params.getlist(key) for key in sorted(params) if key != "api_key"}
    retry_fields["media"] = [
        f"{upload.name}:{upload.size}" for upload in request.FILES.getlist("media")
    ]
    try:
        filed, filing = actions.file_open311_request(
            application=application,
            service=service,
            description=description,
            answers=answers,
            latitude=latitude,
            longitude=longitude,
            address=address or (f"Address ID {address_id}" if not latitude else ""),
            address_id=address_id,
            media_url=media_url,
            contact=contact,
            retry_fields=retry_fields,
            files=files,
        )
    except PermissionDenied as error:
        raise Refusal(400, f"service_code: {error}") from error
    except ValidationError as error:
        raise Refusal(400, *_describe(error)) from error
    payload = [
        {
            "service_request_id": filed.reference,
            "token": filing.token,
            "service_notice": service_notice(service),
            "account_id": contact["account_id"] or None,
        }
    ]
    return formats.respond(payload, fmt, root="service_requests", status=201)
