"""The coordinator's pages for figures of earlier years (statistics/history.py)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samverkan.core.errors import SamverkanError
from samverkan.records.imports import ImportFailed, Upload
from samverkan.statistics import history
from samverkan.statistics.forms import HistoryImportForm, HistoryMonthForm, parse_month


def _units(request: HttpRequest):  # noqa: ANN202
    if not history.can_keep_history(request.user):
        raise Http404
    return history.units_for_history(request.user)


@login_required
def history_list(request: HttpRequest) -> HttpResponse:
    units = _units(request)
    context = {
        "units": units,
        "months": history.history_months(units),
        "import_form": HistoryImportForm(),
        "columns": ",".join(history.COLUMNS),
    }
    return render(request, "statistics/history.html", context)


@login_required
def history_choose(request: HttpRequest) -> HttpResponse:
    """The form on the list page leads to a month's page (a GET, so it works without JS)."""
    units = _units(request)
    unit = (
        units.filter(pk=request.GET.get("unit") or 0).first()
        if (request.GET.get("unit") or "").isdigit()
        else None
    )
    month = parse_month(request.GET.get("month", ""))
    if unit is None or month is None:
        messages.error(request, _("Choose a unit and a month (YYYY-MM)."))
        return redirect("statistics:history")
    return redirect("statistics:history_month", unit_id=unit.pk, month=f"{month:%Y-%m}")


@login_required
@require_http_methods(["GET", "POST"])
def history_month(request: HttpRequest, unit_id: int, month: str) -> HttpResponse:
    unit = _units(request).filter(pk=unit_id).first()
    day = parse_month(month)
    if unit is None or day is None:
        raise Http404
    metrics = history.metrics_for(unit)
    stored = history.history_month(unit, day)
    initial = {name: n for name, (n, _total) in stored.items()}
    initial.update({f"{name}:total": total for name, (_n, total) in stored.items()})
    form = HistoryMonthForm(request.POST or None, metrics=metrics, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            history.history_month_set(by=request.user, unit=unit, month=day, figures=form.figures())
        except SamverkanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The figures of %(month)s are saved.") % {"month": month})
            return redirect("statistics:history")
    context = {"unit": unit, "month": month, "form": form}
    return render(
        request, "statistics/history_month.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["POST"])
def history_import(request: HttpRequest) -> HttpResponse:
    units = _units(request)
    form = HistoryImportForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            kept = history.history_import(by=request.user, path=Upload(upload.name, upload.read()))
        except ImportFailed as failed:
            errors = failed.errors
        except SamverkanError as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request, _("%(count)d figure(s) of earlier years imported.") % {"count": kept}
            )
            return redirect("statistics:history")
    context = {
        "units": units,
        "months": history.history_months(units),
        "import_form": form,
        "columns": ",".join(history.COLUMNS),
        "errors": errors,
    }
    return render(request, "statistics/history.html", context, status=400)


@login_required
def history_template(request: HttpRequest) -> HttpResponse:
    """Every figure of a unit for a month, with zeros: fill in and import."""
    import csv
    import io

    units = _units(request)
    unit_id = request.GET.get("unit", "")
    unit = units.filter(pk=unit_id).first() if unit_id.isdigit() else units.first()
    month = parse_month(request.GET.get("month", "")) or datetime.date(
        timezone.localdate().year - 1, 1, 1
    )
    if unit is None:
        raise Http404
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(history.COLUMNS)
    writer.writerows(history.history_template_rows(unit, month))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="history-{unit.key}-{month:%Y-%m}.csv"'
    return response
