"""`tropa stats`: publish signs the analyst in as the web does; verify checks a
downloaded file; rebuild asks before it recounts."""

from __future__ import annotations

import argparse
import json

import pytest
from django.utils import translation

from tropa.cli import stats
from tropa.core.models import Tally
from tropa.reports.models import Release
from tropa.reports.tests.conftest import month_back
from tropa.testing.factories import new_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The command speaks English (tropa/cli/__init__.py sets it up so)."""
    with translation.override("en"):
        yield


def typed(monkeypatch, *answers: str) -> None:
    said = iter(answers)
    monkeypatch.setattr(stats.getpass, "getpass", lambda prompt="": next(said))


def publish_args(**extra) -> argparse.Namespace:
    values = {"period": f"{month_back(1):%Y-%m}", "as_user": "pavel", "tables": None,
              "supersede": False, "reason": None, **extra}  # fmt: skip
    return argparse.Namespace(**values)


def test_publish_signs_the_analyst_in_and_refuses_a_wrong_password(
    history, analyst, monkeypatch, capsys
):
    typed(monkeypatch, "not the password", analyst.code())
    assert stats.publish(publish_args()) == 1
    assert "sign-in refused" in capsys.readouterr().err and not Release.objects.exists()
    typed(monkeypatch, analyst.password, analyst.code())
    assert stats.publish(publish_args(tables="outcomes,since-start")) == 0
    assert "Published" in capsys.readouterr().out
    tables = [t["key"] for t in json.loads(Release.objects.get().document)["tables"]]
    assert tables == ["outcomes", "since-start"]


def test_publish_refuses_a_consultant_and_an_unknown_table(
    history, consultant, analyst, monkeypatch, capsys
):
    typed(monkeypatch, consultant.password, consultant.code())
    assert stats.publish(publish_args(as_user="ivan")) == 1
    assert "Only analysts and admins" in capsys.readouterr().err
    typed(monkeypatch, analyst.password, analyst.code())
    assert stats.publish(publish_args(tables="everything")) == 1
    assert not Release.objects.exists()


def test_verify_accepts_the_download_and_refuses_a_changed_figure(
    history, analyst, signed_in, tmp_path, capsys
):
    client = signed_in(analyst)
    period = f"{month_back(1):%Y-%m}"
    client.post("/staff/statistics/releases/", {"period": period, "tables": ["outcomes"]})
    signed = client.get(f"/impact/{period}/1/release.json").json()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(signed))
    assert stats.verify(argparse.Namespace(file=str(good), key=None)) == 0
    doc = json.loads(signed["document"])
    doc["tables"][0]["total"] = 999
    signed["document"] = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(signed))
    assert stats.verify(argparse.Namespace(file=str(bad), key=None)) == 1
    assert "does NOT match" in capsys.readouterr().out
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    assert stats.verify(argparse.Namespace(file=str(junk), key=None)) == 1


def test_rebuild_asks_first_then_recounts_the_cases_present(org, capsys):
    new_request()
    Tally.objects.all().delete()
    assert stats.rebuild(argparse.Namespace(confirm=False)) == 2
    assert not Tally.objects.exists()
    assert stats.rebuild(argparse.Namespace(confirm=True)) == 0
    assert Tally.objects.filter(measure="received").get().n == 1
