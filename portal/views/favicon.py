"""The site's icon at /favicon.ico, where browsers ask for it whatever the page says."""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

ICON = Path(__file__).resolve().parents[1] / "static" / "favicon.ico"


async def favicon(request: Request) -> Response:
    """The portal's icon (a white 校 on the portal's red), cached for a day."""
    return FileResponse(
        ICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )


routes = [Route("/favicon.ico", favicon, name="favicon")]
