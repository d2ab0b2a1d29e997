"""One-time messages shown on the next page (kept in a signed cookie, not in process memory)."""

from starlette.requests import Request


def flash(request: Request, message: str, category: str = "success") -> None:
    request.session.setdefault("flash", []).append({"message": message, "category": category})
