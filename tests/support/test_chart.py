"""Transfers per hour: the query on SQLite and PostgreSQL, and the SVG's structure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from rackdinero_app.extensions import db
from rackdinero_app.models.enums import TransferState
from rackdinero_app.support import chart
from rackdinero_app.support.chart import ChartText
from rackdinero_app.support.chart import Hour
from tests.support.test_issues import connect
from tests.support.test_issues import transfer

NOW = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def at(moment: datetime) -> timedelta:
    """The ``ago`` that makes a transfer finish at ``moment``, seen from the real clock."""
    return datetime.now(UTC) - moment


@pytest.mark.postgres
def test_transfers_are_counted_per_hour_and_state_for_all_or_one_connection(any_db_app):
    shop, farm = connect("Shop ApS"), connect("Farm A/S")
    done, failed, skipped = TransferState.SUCCEEDED, TransferState.FAILED, TransferState.SKIPPED
    transfer(shop, None, state=done, ago=at(NOW.replace(minute=1)))
    transfer(shop, None, state=done, ago=at(NOW.replace(minute=59)))
    transfer(farm, None, state=failed, ago=at(NOW.replace(minute=10)))
    transfer(shop, None, state=skipped, ago=at(NOW - timedelta(hours=1)))
    transfer(shop, None, state=done, ago=at(NOW - timedelta(days=6, hours=23)))  # first hour
    transfer(shop, None, state=done, ago=at(NOW - timedelta(days=7)))  # too old
    transfer(shop, None, state=TransferState.PENDING, ago=at(NOW))  # not finished

    series = chart.transfers_per_hour(now=NOW)

    assert len(series) == 7 * 24
    assert series[-1] == Hour(NOW.replace(minute=0), succeeded=2, failed=1)
    assert series[-2] == Hour(NOW.replace(minute=0) - timedelta(hours=1), skipped=1)
    assert series[0] == Hour(NOW.replace(minute=0) - timedelta(days=6, hours=23), succeeded=1)
    assert sum(hour.total for hour in series) == 5
    assert chart.transfers_per_hour(farm.id, now=NOW)[-1] == Hour(NOW.replace(minute=0), failed=1)
    assert sum(hour.total for hour in chart.transfers_per_hour(farm.id, now=NOW)) == 1


@pytest.mark.postgres
def test_the_hour_is_utc_whatever_the_database_sessions_time_zone(any_db_app):
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("SET TIME ZONE 'Europe/Copenhagen'"))
    transfer(connect("Shop ApS"), None, state=TransferState.SUCCEEDED, ago=at(NOW))

    series = chart.transfers_per_hour(now=NOW)

    assert series[-1].succeeded == 1


def series_of(*counts: tuple[int, int, int]) -> list[Hour]:
    start = datetime(2026, 3, 1, 22, tzinfo=UTC)
    return [
        Hour(start + timedelta(hours=n), succeeded=s, failed=f, skipped=k)
        for n, (s, f, k) in enumerate(counts)
    ]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_each_hour_is_a_stack_of_one_rectangle_per_state_it_had():
    root = parse(chart.render_svg(series_of((4, 0, 0), (0, 0, 0), (2, 1, 1), (0, 2, 0))))

    hours = root.findall(f"{SVG}g[@class='hour']")
    assert len(hours) == 3  # the empty hour draws nothing
    assert [[r.get("class") for r in hour.findall(f"{SVG}rect")] for hour in hours] == [
        ["succeeded"],
        ["succeeded", "skipped", "failed"],
        ["failed"],
    ]
    assert hours[1].find(f"{SVG}title").text == (
        "2026-03-02 00:00 UTC: Succeeded 2, Skipped 1, Failed 1"
    )


def test_heights_are_proportional_and_the_tallest_hour_fills_the_plot():
    root = parse(chart.render_svg(series_of((4, 0, 0), (2, 1, 1), (1, 0, 0))))
    heights = [
        [float(r.get("height")) for r in hour.findall(f"{SVG}rect")]
        for hour in root.findall(f"{SVG}g[@class='hour']")
    ]

    assert heights == [[160.0], [80.0, 40.0, 40.0], [40.0]]
    stacked = root.findall(f"{SVG}g[@class='hour']")[1].findall(f"{SVG}rect")
    bottom = chart.TOP + chart.PLOT_HEIGHT
    assert [float(r.get("y")) for r in stacked] == [bottom - 80, bottom - 120, bottom - 160]


def test_days_legend_and_accessible_names():
    svg = chart.render_svg(series_of(*[(1, 0, 0)] * 30), day_label=lambda d: f"{d:%d/%m}")
    root = parse(svg)

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "transfers-chart-title transfers-chart-desc"
    assert root.find(f"{SVG}title").text == "Transfers per hour, last 7 days"
    assert root.find(f"{SVG}desc").text == "Succeeded: 30, Skipped: 0, Failed: 0"
    days = [g.find(f"{SVG}text").text for g in root.findall(f"{SVG}g[@class='day']")]
    assert days == ["02/03", "03/03"]  # the series starts at 22:00 on 1 March
    legend = [t.text for t in root.find(f"{SVG}g[@class='legend']").findall(f"{SVG}text")]
    assert legend == ["Succeeded", "Skipped", "Failed"]
    assert len(set(chart.COLOURS.values())) == 3
    assert "<script" not in svg and "http" not in svg.replace(SVG[1:-1], "")


def test_every_text_is_escaped():
    hostile = ChartText(
        title='<script>alert(1)</script> & "x"',
        succeeded="Lykkedes <b>",
        failed="Fejl & co",
        skipped="Sprunget '",
    )
    svg = chart.render_svg(
        series_of((1, 1, 1)), text=hostile, day_label=lambda d: "<day>", id_prefix='a"b'
    )
    root = parse(svg)  # still well-formed XML

    assert "<script>" not in svg and "<b>" not in svg and "<day>" not in svg
    assert root.find(f"{SVG}title").text == hostile.title
    assert root.get("aria-labelledby") == 'a"b-title a"b-desc'
    assert re.search(r"Fejl &amp; co", svg)


def test_a_week_without_transfers_draws_an_empty_plot():
    root = parse(chart.render_svg(series_of(*[(0, 0, 0)] * 168)))

    assert root.findall(f"{SVG}g[@class='hour']") == []
    assert root.find(f"{SVG}desc").text == "Succeeded: 0, Skipped: 0, Failed: 0"
