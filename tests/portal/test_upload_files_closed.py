"""Uploaded files parsed by the CSRF check are closed once the response is sent."""

from __future__ import annotations

import asyncio
import io

from starlette.datastructures import FormData, Headers, UploadFile

from portal.middleware import CloseFormMiddleware


def test_the_files_of_a_parsed_form_are_closed_after_the_response():
    upload = UploadFile(io.BytesIO(b"a,b\n1,2\n"), filename="a.csv", headers=Headers())

    async def handler(scope, receive, send):
        scope["form"] = FormData([("file", upload)])  # as the CSRF middleware leaves it
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        pass

    asyncio.run(CloseFormMiddleware(handler)({"type": "http"}, receive, send))
    assert upload.file.closed


def test_a_request_without_a_form_passes_through():
    async def handler(scope, receive, send):
        scope["seen"] = True

    scope = {"type": "http"}
    asyncio.run(CloseFormMiddleware(handler)(scope, None, None))
    assert scope["seen"]
