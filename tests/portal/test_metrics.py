"""Prometheus metrics (issue 14): off by default; with PORTAL_METRICS_TOKEN, /metrics answers
only the scraper that sends it, with requests by route template and status, their latency,
and the background queue's depth."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from college.app import create_app
from tests.support import Browser, make_student


@pytest.fixture
def scraped(monkeypatch, people):
    monkeypatch.setenv("PORTAL_METRICS_TOKEN", "scrape-token-123")
    with TestClient(create_app(), base_url="http://testserver") as client:
        yield client


def test_metrics_count_requests_under_their_route_template(scraped):
    coordinator = Browser(scraped)
    assert coordinator.sign_in("coord").status_code == 303
    student = make_student()
    assert coordinator.get(f"/students/{student}").status_code == 200
    coordinator.get("/no-such-page")

    response = scraped.get("/metrics", headers={"authorization": "Bearer scrape-token-123"})

    assert response.status_code == 200
    text = response.text
    expected = 'portal_requests_total{method="GET",route="/students/{student_id:int}",status="200"}'
    assert expected in text
    assert 'route="unmatched",status="404"' in text
    assert "portal_request_duration_seconds_bucket" in text
    assert 'portal_queue_jobs{kind="pdf_batch",status="queued"} 0.0' in text
    assert f"/students/{student}" not in text  # paths never become labels


def test_metrics_refuse_a_scraper_without_the_token(scraped):
    assert scraped.get("/metrics").status_code == 401
    wrong = scraped.get("/metrics", headers={"authorization": "Bearer guess"})
    assert wrong.status_code == 401
