from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def due_date(request: HttpRequest) -> HttpResponse:
    return render(request, "commitments/due_date.html", {})
