from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(reverse("admin:index"))


def _wants_json(request) -> bool:
    return "/api/" in request.path or request.headers.get("Accept", "").startswith("application/json")


def _error(request, status: int, message: str, template: str):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(request, template, {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "bad request", "error.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "permission denied", "error.html")


def page_not_found(request, exception=None):
    return _error(request, 404, "not found", "error.html")


def server_error(request):
    return _error(request, 500, "internal error", "error.html")
