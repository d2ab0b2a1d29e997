"""Log lines carry the request's id; with PORTAL_LOG_FORMAT=json each is one JSON object."""

from __future__ import annotations

import json
import logging
import logging.config

from portal.logs import JsonLinesFormatter, RequestIdFilter, log_config, request_id


def formatted(record: logging.LogRecord) -> dict:
    RequestIdFilter().filter(record)
    return json.loads(JsonLinesFormatter().format(record))


def test_an_access_line_as_json_names_its_fields_and_the_request():
    token = request_id.set("0123456789abcdef")
    try:
        record = logging.LogRecord(
            "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
            ("10.0.0.1:5000", "GET", "/students/?q=李", "1.1", 200), None,
        )
        entry = formatted(record)
    finally:
        request_id.reset(token)
    assert entry["request_id"] == "0123456789abcdef"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/students/?q=李", 200)
    assert entry["message"] == '10.0.0.1:5000 - "GET /students/?q=李 HTTP/1.1" 200'


def test_an_error_outside_a_request_keeps_its_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "portal", logging.ERROR, "", 0, "Unhandled error", (), sys.exc_info()
        )
    entry = formatted(record)
    assert entry["request_id"] == "-" and entry["level"] == "ERROR"
    assert "ValueError: broken" in entry["error"]


def test_both_configurations_are_accepted_by_logging():
    for json_lines in (False, True):
        config = log_config(json_lines)
        logging.config.dictConfig({**config, "loggers": {}})  # checks filters and formatters
