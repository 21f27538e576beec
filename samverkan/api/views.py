"""The REST API: thin views over the records' services and selectors, the referral arrival and
the statistics engine. Who may do what is decided by the token (authentication.py) and by the
same services and selectors as the staff pages."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from samverkan.accounts.audit import log_action
from samverkan.accounts.permissions import disclosure_for, partnerships_for_user
from samverkan.api import serializers as api
from samverkan.api.kinds import KINDS, Kind
from samverkan.api.problems import Conflict, RuleBroken, from_domain
from samverkan.core.errors import NotFound, SamverkanError
from samverkan.partnership.models import Unit
from samverkan.records import selectors, services
from samverkan.records.imports import EARLIEST_DATE, ImportFailed, Rows, records_import
from samverkan.referrals.codes import display
from samverkan.referrals.services import register_arrival
from samverkan.statistics.engine import statistics_compute

BATCH_LIMIT = 1000
# Periods the figures can be asked for (the engine's times near year 1 would overflow).
LATEST_DATE = datetime.date(2099, 12, 31)
MAX_PERIOD_DAYS = 3 * 366


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _same(serializer: api.RecordSerializer, record: Model, data: dict[str, Any]) -> bool:
    stored = serializer.input_of(record)
    return all(stored.get(name) == value for name, value in data.items())


def _conflict(ref: str, pointer: str = "#/ref") -> Conflict:
    detail = _(
        "A record with the reference %(ref)s already exists with other content; "
        "change it with PATCH on the record instead."
    ) % {"ref": ref}
    return Conflict(detail, [{"pointer": pointer, "detail": detail}])


class RecordViewSet(viewsets.GenericViewSet):
    """List, read, create (idempotent by `ref`) and change the token's unit's own records."""

    kind: Kind
    pagination_class = Pages
    lookup_value_regex = r"[0-9]+"

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.kind.serializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "unit": getattr(self.request.user, "unit", None),
        }

    def get_queryset(self):  # noqa: ANN201
        return self.kind.records_for_user(self.request.user).order_by(self.kind.order_by, "-pk")

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if request.user.unit.kind != self.kind.unit_kind:
            raise exceptions.PermissionDenied(
                _("This token's unit keeps no %(kind)s.") % {"kind": self.kind.label}
            )

    def _record(self, pk: str) -> Model:
        try:
            return self.kind.get_for_user(self.request.user, pk)
        except NotFound as error:
            raise exceptions.NotFound(str(error)) from None

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        log_action("records.listed", user=request.user, count=len(page))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self._record(pk)).data)

    def _create(
        self, data: dict[str, Any], known: Model | None, pointer: str
    ) -> tuple[Model, bool]:
        """The record for valid input: the existing one of the same ref and content, or new."""
        serializer = self.get_serializer()
        if known is not None:
            if not _same(serializer, known, data):
                raise _conflict(data["ref"], pointer)
            return self._record(known.pk), False
        user = self.request.user
        try:
            with transaction.atomic():
                return self.kind.create(unit=user.unit, by=user, **self.kind.arguments(data)), True
        except IntegrityError:
            # Another request created the same ref in the meantime (the unique constraint
            # waited for it to commit): the same content is that request's record, a 200 as
            # if this one had come second; other content is a conflict.
            known = self._known([data.get("ref")]).get(data.get("ref"))
            if known is None:
                raise
            return self._create(data, known, pointer)
        except SamverkanError as error:
            raise from_domain(error) from None

    def _known(self, refs: list[str]) -> dict[str, Model]:
        refs = [ref for ref in refs if ref]
        if not refs:
            return {}
        return {record.ref: record for record in self.get_queryset().filter(ref__in=refs)}

    @extend_schema(responses={201: None, 200: None})
    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        known = self._known([data.get("ref")]).get(data.get("ref"))
        record, created = self._create(data, known, "#/ref")
        return Response(
            self.get_serializer(record).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @action(detail=False, methods=["post"])
    def batch(self, request: Request) -> Response:
        """Many records at once, all or nothing, through the columnar import (as fast as a file
        of the same rows). Each record needs its ref, so that a retried batch is safe: a ref
        the unit has with the same content is left as it is, with other content it is a 409."""
        body = BatchRequest(data=request.data, context=self.get_serializer_context())
        body.child_class = self.kind.serializer
        body.is_valid(raise_exception=True)
        items = body.validated_data["records"]
        problems: dict[int, dict[str, list[str]]] = {}
        seen: set[str] = set()
        for index, item in enumerate(items):
            ref = item.get("ref")
            if not ref:
                problems[index] = {"ref": [_("A record in a batch needs its reference.")]}
            elif ref in seen:
                problems[index] = {"ref": [_("The reference appears earlier in the batch.")]}
            seen.add(ref)
        if problems:
            raise exceptions.ValidationError({"records": problems})
        refs = [item["ref"] for item in items]
        # An identical batch sent at the same time (a client's retry) may commit first: then
        # this one finds its records on the second pass and answers as a retry does.
        for attempt in range(3):
            try:
                return self._batch(items, refs)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _batch(self, items: list[dict[str, Any]], refs: list[str]) -> Response:
        serializer = self.get_serializer()
        user = self.request.user
        with transaction.atomic():
            known = self._known(refs)
            self._refuse_other_content(serializer, items, known)
            try:
                imported = records_import(
                    kind=self.kind.import_kind,
                    path=Rows([self.kind.row(item) for item in items]),
                    unit=user.unit,
                    by=user,
                )
            except ImportFailed as failed:
                raise RuleBroken(
                    _("The batch has %(count)d problem(s); nothing was saved.")
                    % {"count": len(failed.errors)},
                    errors=[
                        {"pointer": f"#/records/{e.line - 2}/{e.column}", "detail": e.reason}
                        for e in failed.errors
                    ],
                ) from None
            except SamverkanError as error:
                raise from_domain(error) from None
            stored = {
                ref: (pk, batch_id)
                for ref, pk, batch_id in self.get_queryset()
                .filter(ref__in=refs)
                .values_list("ref", "pk", "import_batch_id")
            }
            # Created means added by this import, whatever this request read before it: on
            # PostgreSQL each statement sees the latest commits, so a parallel identical
            # batch may commit between the read above and the import's own, which then skips
            # those refs. Those records are another request's: check their content now.
            added_here = {
                ref for ref, (_pk, batch_id) in stored.items() if batch_id == imported.batch.pk
            }
            late = [ref for ref in refs if ref not in known and ref not in added_here]
            if late:
                self._refuse_other_content(serializer, items, self._known(late))
        results = [{"id": stored[ref][0], "ref": ref, "created": ref in added_here} for ref in refs]
        created = len(added_here)
        return Response(
            {"created": created, "existing": len(results) - created, "records": results},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @staticmethod
    def _refuse_other_content(
        serializer: api.RecordSerializer, items: list[dict[str, Any]], known: dict[str, Model]
    ) -> None:
        for index, item in enumerate(items):
            existing = known.get(item["ref"])
            if existing is not None and not _same(serializer, existing, item):
                raise _conflict(item["ref"], f"#/records/{index}/ref")

    def _change(self, request: Request, pk: str, partial: bool) -> Response:
        if self.kind.update is None:
            raise exceptions.MethodNotAllowed(request.method)
        record = self._record(pk)
        serializer = self.get_serializer(record, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = self.kind.arguments(serializer.validated_data)
        if "ref" in changes and changes["ref"] != record.ref:
            raise exceptions.ValidationError(
                {"ref": [_("The reference of a record cannot change.")]}
            )
        changes.pop("ref", None)
        try:
            with transaction.atomic():
                record = self.kind.update(record, by=request.user, **changes)
        except SamverkanError as error:
            raise from_domain(error) from None
        return Response(self.get_serializer(record).data)

    def update(self, request: Request, pk: str) -> Response:
        return self._change(request, pk, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._change(request, pk, partial=True)


class BatchRequest(serializers.Serializer):
    child_class: type[serializers.Serializer] = api.ChatConversationSerializer

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "records": self.child_class(
                many=True, allow_empty=False, max_length=BATCH_LIMIT, context=self.context
            )
        }


def _batch_schema(kind: Kind) -> type[serializers.Serializer]:
    return type(
        f"{kind.serializer.__name__.removesuffix('Serializer')}Batch",
        (serializers.Serializer,),
        {"records": kind.serializer(many=True, max_length=BATCH_LIMIT)},
    )


def _viewset(name: str, kind: Kind) -> type[RecordViewSet]:
    operations = {
        "list": extend_schema(summary=f"List the unit's {kind.label}"),
        "retrieve": extend_schema(summary=f"Read one of the unit's {kind.label}"),
        "create": extend_schema(
            summary=f"Create one of {kind.label}; idempotent by ref",
            description=(
                "201 with the new record; with a ref the unit already has and the same content, "
                "200 with that record; with a ref the unit has and other content, 409."
            ),
            responses={201: kind.serializer, 200: kind.serializer},
        ),
        "batch": extend_schema(
            summary=f"Create up to {BATCH_LIMIT} {kind.label} at once, all or nothing",
            request=_batch_schema(kind),
            responses={201: api.BatchResult, 200: api.BatchResult},
        ),
    }
    if kind.update is not None:
        operations["update"] = extend_schema(summary="Change a record (every field)")
        operations["partial_update"] = extend_schema(summary="Change some fields of a record")
    # The queryset tells the schema the id is an integer; requests use get_queryset.
    queryset = kind.model.objects.none()
    cls = type(f"{name.title()}ViewSet", (RecordViewSet,), {"kind": kind, "queryset": queryset})
    if kind.update is None:
        cls.http_method_names = ["get", "post", "head", "options"]
    return extend_schema_view(**operations)(cls)


ChatViewSet = _viewset("chat", KINDS["chat"])
SupportViewSet = _viewset("support", KINDS["support"])
ClinicViewSet = _viewset("clinic", KINDS["clinic"])


_SCHEMA_LOCK = threading.Lock()


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated one request at a time: drf-spectacular loads its extensions
    lazily on the first generation, and two threads doing so at once failed once (a 500)."""

    def _get_schema_response(self, request: Request) -> Response:
        with _SCHEMA_LOCK:
            return super()._get_schema_response(request)


class NotFoundView(APIView):
    """Any other address under the API: a problem too, not the web application's HTML page."""

    authentication_classes: list = []
    permission_classes: list = []
    schema = None  # not an operation

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise exceptions.NotFound(_("There is no such address in the API."))


class ClinicChangeView(APIView):
    """Close a client's series or add a session (the clinic's changes after registration)."""

    serializer: type[serializers.Serializer]
    change: Callable[..., Any]

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if request.user.unit.kind != Unit.Kind.CLINIC:
            raise exceptions.PermissionDenied(_("This token's unit keeps no clinic clients."))

    def post(self, request: Request, pk: int) -> Response:
        try:
            client = selectors.get_clinic_client_for_user(request.user, pk)
        except NotFound as error:
            raise exceptions.NotFound(str(error)) from None
        body = self.serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                type(self).change(client=client, by=request.user, **body.validated_data)
        except SamverkanError as error:
            raise from_domain(error) from None
        client.refresh_from_db()
        return Response(api.ClinicClientSerializer(client).data)


@extend_schema(
    summary="Close a client's session series",
    request=api.ClinicCloseSerializer,
    responses={200: api.ClinicClientSerializer},
)
class ClinicCloseView(ClinicChangeView):
    serializer = api.ClinicCloseSerializer
    change = staticmethod(services.clinic_client_close)


@extend_schema(
    summary="Register a session of a client",
    request=api.ClinicSessionSerializer,
    responses={200: api.ClinicClientSerializer},
)
class ClinicSessionView(ClinicChangeView):
    serializer = api.ClinicSessionSerializer
    change = staticmethod(services.clinic_session_add)


class ArrivalView(APIView):
    @extend_schema(
        summary="Register that a young person with a referral code arrived at the unit",
        request=api.ArrivalSerializer,
        responses={201: api.ArrivalResultSerializer},
    )
    def post(self, request: Request) -> Response:
        body = api.ArrivalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            referral = register_arrival(body.validated_data["code"], by=request.user)
        except SamverkanError as error:
            raise from_domain(error, "#/code") from None
        return Response(
            {
                "code": display(referral.code),
                "destination": referral.destination.key,
                "arrived_at": referral.arrived_at,
            },
            status=status.HTTP_201_CREATED,
        )


class StatisticsView(APIView):
    # Public figures are given for whole calendar months that have ended (statistics.release):
    # another period is a 422 problem that names the nearest one.
    problems = ("422",)

    @extend_schema(
        summary="The partnership's figures for a period",
        description=(
            "The JSON of `samverkan stats` (its schema: "
            "samverkan/statistics/schema/stats.schema.json), with disclosure control "
            "(public) unless the token's role may see internal figures. Public figures are "
            "given for whole calendar months that have ended; another period is refused "
            "(422) with the nearest such period in the problem's detail."
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
            OpenApiParameter("partnership", OpenApiTypes.STR, required=False),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        query = api.StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        date_from, date_to = query.validated_data["from"], query.validated_data["to"]
        for name, day in (("from", date_from), ("to", date_to)):
            if not EARLIEST_DATE <= day <= LATEST_DATE:
                raise exceptions.ValidationError({name: [_("A date from 2000 to 2099, please.")]})
        if date_to < date_from:
            raise exceptions.ValidationError({"to": [_("The period ends before it starts.")]})
        if (date_to - date_from).days >= MAX_PERIOD_DAYS:
            raise exceptions.ValidationError(
                {"to": [_("A period is at most %(days)d days.") % {"days": MAX_PERIOD_DAYS}]}
            )
        partnerships = partnerships_for_user(request.user)
        key = query.validated_data.get("partnership")
        if key:
            partnerships = partnerships.filter(key=key)
        found = list(partnerships[:2])
        if not found:
            raise exceptions.NotFound(_("There is no such partnership for this token."))
        if len(found) > 1:
            raise exceptions.ValidationError(
                {"partnership": [_("The unit takes part in several partnerships; choose one.")]}
            )
        figures = statistics_compute(
            partnership=found[0],
            date_from=date_from,
            date_to=date_to,
            disclosure=disclosure_for(request.user),
        )
        return Response(figures)
