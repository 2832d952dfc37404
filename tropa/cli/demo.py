"""`tropa demo`: a fresh data directory filled with synthetic staff.

Demo mode needs both TROPA_DEMO and a DEMO marker file that only this module
writes, into a directory it created; the sign-in page then shows the demo
accounts' current two-factor codes. A production data directory has no marker.
"""

from __future__ import annotations

import base64
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from tropa.accounts.demo import DEMO_PASSWORD
from tropa.cli import bootstrap
from tropa.cli.demo_requests import REQUESTS

DEMO_DURESS_WORD = "ромашка"
MARKER = "DEMO"
STAFF = [
    ("olga", "coordinator"),
    ("ivan", "consultant"),
    ("maria", "consultant"),
    ("pavel", "analyst"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    totp_seed: str


DEMO_REQUESTER_NOTE = "codename of the first synthetic request (try the portal)"


def fresh_demo_dir(path: str | None) -> Path:
    data = Path(path or "tropa-demo").resolve()
    if data.exists():
        if not (data / MARKER).is_file():
            sys.exit(f"tropa: {data} exists and is not a demo directory; choose another --data")
        shutil.rmtree(data)
    bootstrap.write_secrets(data)
    (data / MARKER).write_text("synthetic data only\n", encoding="utf-8")
    return data


def populate() -> list[DemoLogin]:
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tropa.accounts import actions
    from tropa.accounts.models import Staff

    assert settings.TROPA_DEMO, "demo data goes only into a demo directory"
    done = bootstrap.initialise_org("admin")
    admin = Staff.objects.get(username=done.admin_username)
    actions.choose_first_password(admin, DEMO_PASSWORD)
    people = [admin]
    for username, role in STAFF:
        people.append(
            actions.create_staff(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                actor=admin,
                must_change_password=False,
                language="ru" if username != "maria" else "en",
            )
        )
    logins = []
    for staff in people:
        device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=False)
        actions.enrol_two_factor(staff, device)
        if staff.role == "coordinator":
            actions.restore_access(staff, done.recovery)
        seed = base64.b32encode(device.bin_key).decode().rstrip("=")
        logins.append(DemoLogin(staff.username, staff.role, seed))
    return logins


def submit_requests() -> str:
    """File the synthetic requests through the real intake path; return one codename."""
    from datetime import timedelta

    from tropa.core import clock
    from tropa.intake.actions import find_requester, send_message, submit_request

    codenames = []
    for language, answers in REQUESTS:
        answers = dict(answers)
        days = answers.pop("report_by_days", None)
        if days is not None:
            answers["report_by"] = clock.now().date() + timedelta(days=days)
        codename, _case = submit_request(answers, language)
        codenames.append(codename)
    requester, who = find_requester(codenames[0])  # type: ignore[misc]
    send_message(requester, who, "Здравствуйте, я писал вчера. Есть новости?", [])
    _work_on_some(codenames)
    _statistics()
    return codenames[0]


def _statistics() -> None:
    """A year of synthetic counts behind the dashboard, two months published."""
    from tropa.accounts.models import Staff
    from tropa.reports import demo

    demo.fill(Staff.objects.get(username="pavel"), DEMO_PASSWORD)


def _work_on_some(codenames: list[str]) -> None:
    """Olga triages three requests, Ivan and Maria take them on: casework to look at."""
    from datetime import timedelta

    from tropa import vault
    from tropa.accounts import handover
    from tropa.accounts.models import Staff
    from tropa.cases import actions
    from tropa.cases import triage as case_triage
    from tropa.core import clock
    from tropa.intake.actions import find_requester

    def person(username: str) -> tuple[Staff, vault.KeyPair]:
        staff = Staff.objects.get(username=username)
        return staff, vault.unwrap_staff_key(staff.wrapped_key(), DEMO_PASSWORD)

    olga, olga_keys = person("olga")
    ivan, _ivan_keys = person("ivan")
    maria, _maria_keys = person("maria")
    cases = [find_requester(c)[0].case for c in codenames[:3]]  # type: ignore[index]
    for case, consultant in zip(cases, (ivan, ivan, maria), strict=True):
        case_triage.accept(case, olga, olga_keys)
        actions.assign(case, consultant, olga, olga_keys)
    first = cases[0]
    actions.reply(
        first,
        olga,
        olga_keys,
        "Здравствуйте! Мы получили ваше обращение. Не ходите в военкомат до разговора "
        "с юристом. Иван свяжется с вами здесь сегодня.",
    )
    actions.note(first, olga, olga_keys, "Повестка на уточнение данных; срок через 5 дней.")
    actions.add_task(
        first,
        ivan,
        olga,
        olga_keys,
        "Разобрать повестку с юристом",
        clock.now() + timedelta(days=1),
    )
    _journey(cases[1], codenames[1], ivan, person("ivan")[1])
    _labels_and_views(cases, olga, ivan)
    _applications(cases, ivan, person("ivan")[1], maria, person("maria")[1])
    _directory(cases, olga, olga_keys, ivan, person("ivan")[1])
    handover.write(olga, "Смена до 09:00 (демо): по первому делу ждём ответа юриста; тревог нет.")


def _directory(cases, olga, olga_keys, ivan, ivan_keys) -> None:  # type: ignore[no-untyped-def]
    """A small synthetic directory (invented names only) and one referral in progress."""
    from tropa.assistance import directory, referrals
    from tropa.core import clock

    today = clock.now().date()
    psychologist = directory.save_entry(
        None,
        "service",
        {
            "name": "Психолог «Вымышленная практика»",
            "kind": "psychologist",
            "languages": "ru, en",
            "countries": "Армения, удалённо везде",
            "mode": "remote",
            "cost": "бесплатно для наших подопечных",
            "contacts": "@example_psy (вымышленный)",
            "how_to_refer": "Сначала согласие человека; пишем куратору, не сами",
            "capacity": "2 новых человека в неделю",
        },
        olga,
        olga_keys,
        today,
    )
    directory.save_entry(
        None,
        "service",
        {"name": "Юрист «Пример и партнёры»", "kind": "lawyer", "countries": "Грузия",
         "mode": "both", "contacts": "example@example.org (вымышленный)"},
        olga,
        olga_keys,
        today,
    )  # fmt: skip
    directory.save_entry(
        None,
        "route_point",
        {"name": "Пример-КПП (вымышленный)", "point_type": "border", "country": "Грузия",
         "status": "open", "status_note": "Очереди до 6 часов"},
        olga,
        olga_keys,
        today,
    )  # fmt: skip
    referral = referrals.refer(
        cases[0],
        psychologist,
        "psychologist",
        ivan,
        ivan_keys,
        referrals.ReferralText(notes="Тревога, плохо спит (вымышленный пример)"),
    )
    consent = referrals.ReferralText(consent_scope="Имя и телеграм, без истории")
    referrals.record_consent(referral, ivan, ivan_keys, consent)
    referrals.move(referral, "sent", ivan, ivan_keys, consent, None)


def _applications(cases, ivan, ivan_keys, maria, maria_keys) -> None:  # type: ignore[no-untyped-def]
    """Two synthetic applications to safer countries, at different stages."""
    from datetime import timedelta

    from tropa.assistance import actions as assistance
    from tropa.assistance.models import ChecklistItem, Stage
    from tropa.assistance.sealing import Details
    from tropa.core import clock

    visa = assistance.open_application(cases[1], ivan, ivan_keys, "DE", "humanitarian", None)
    assistance.save_details(
        visa,
        ivan,
        ivan_keys,
        Details(
            office="Посольство Германии в Ереване",
            references="Пример: AZ-0000-DEMO",
            appointment="Окно 3, взять оригиналы и две копии",
            notes="Вымышленная заявка для демонстрации.",
        ),
        None,
    )
    for item in ChecklistItem.objects.filter(application=visa)[:4]:
        assistance.change_item(item, ivan, ivan_keys, assistance.ItemChange("have", ""))
    assistance.move_stage(visa, Stage.SUBMITTED, ivan, ivan_keys)
    soon = (clock.now() + timedelta(days=4)).date()
    assistance.set_date(visa, "appointment", soon, ivan, ivan_keys)
    permit = assistance.open_application(cases[2], maria, maria_keys, "AM", "residence", None)
    assistance.set_date(
        permit, "expiry", (clock.now() + timedelta(days=60)).date(), maria, maria_keys
    )


def _labels_and_views(cases, olga, ivan) -> None:  # type: ignore[no-untyped-def]
    """Labels on two cases, a team label, and a saved view on ivan's home page."""
    from tropa.cases import labels
    from tropa.cases.models import BuiltinLabel, Label

    deceived = Label.objects.get(builtin=BuiltinLabel.DECEIVED)
    labels.add(cases[1], deceived.pk, olga)
    lawyer = labels.define("Нужен юрист", olga)
    labels.add(cases[0], lawyer.pk, olga)
    labels.save_view(ivan, "Ждут ответа", "status=waiting")


def _journey(case, codename: str, consultant, keys) -> None:  # type: ignore[no-untyped-def]
    """A soldier's way out, under way: a safe check-in and a duress signal to review."""
    from tropa.intake.actions import find_requester
    from tropa.journeys import actions as journeys
    from tropa.journeys.models import Channel, CheckInKind

    journeys.save_protocol(
        case,
        consultant,
        keys,
        "Если нет связи 12 часов: звонок юристу, затем в консульство.",
        "Юрист: через бот; резервный чат: через консультанта.",
    )
    journeys.set_duress_word(case, consultant, keys, DEMO_DURESS_WORD)
    first = journeys.add_leg(
        case,
        consultant,
        keys,
        journeys.LegText(
            "Из части до Ростова",
            details="Увольнительная, рейсовый автобус.",
            risk_notes="Проверки на выезде из города.",
            backup_plan="Переждать у знакомых\nСообщить консультанту",
        ),
        risk="high",
        checkin_every_hours=6,
    )
    journeys.add_leg(
        case,
        consultant,
        keys,
        journeys.LegText("Ростов — граница", backup_plan="Вернуться в Ростов"),
        risk="critical",
        checkin_every_hours=2,
    )
    journeys.start_leg(first, consultant)
    _requester, who = find_requester(codename)  # type: ignore[misc]
    for word in ("", DEMO_DURESS_WORD):
        journeys.check_in(
            first, CheckInKind.SAFE, channel=Channel.WEB, word=word, requester_keys=who.keys
        )


def banner(url: str, logins: list[DemoLogin], codename: str) -> str:
    rows = "\n".join(f"  {x.username:<8} {x.role:<12} TOTP seed {x.totp_seed}" for x in logins)
    return (
        "\nTropa demo: synthetic data only.\n"
        f"  Requester pages: {url}\n"
        f"  Staff sign-in:   {url}staff/login/\n\n"
        f"Demo logins (password for all: {DEMO_PASSWORD}):\n{rows}\n\n"
        f"A synthetic requester's codename, for {url}portal/login/ :\n  {codename}\n\n"
        "One of ivan's cases has a journey under way, with a safe check-in and a\n"
        f"duress signal to review (its agreed duress word: {DEMO_DURESS_WORD}).\n\n"
        "The demo sign-in page lists each account's current two-factor code,\n"
        "so no authenticator app is needed. Stop with Ctrl-C.\n"
    )
