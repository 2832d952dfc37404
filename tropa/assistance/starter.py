"""The starter templates, made in memory with python-docx so that their text is
reviewable here: examples in Russian for the helpline's own lawyers to check
and adapt. Each opens with a note saying so; a lawyer's first upload of their
own version is the edit that removes it."""

from __future__ import annotations

import io

import docx

from tropa.assistance.models import DocumentTemplate, TemplateVersion
from tropa.assistance.placeholders import check

NOTE = (
    "ОБРАЗЕЦ. Этот шаблон — пример, написанный по открытым правовым источникам. "
    "Юрист организации должен проверить и адаптировать его, прежде чем им пользоваться. "
    "Эта пометка исчезнет, когда юрист загрузит свою версию."
)
HEAD = "{{ commissariat }}\nот {{ full_name_gen }}, {{ birth_date }} г. р.,\nадрес: {{ address }}"
SIGN = "{{ today }}\n\n____________ {{ initials }}\n{{ signature }}"

STARTERS = [
    (
        "Заявление о замене военной службы альтернативной гражданской службой",
        "Право на АГС: Конституция РФ ст. 59 ч. 3; ФЗ от 25.07.2002 № 113-ФЗ "
        "«Об альтернативной гражданской службе», ст. 2, 11. Сроки подачи — ст. 11.",
        "summons",
        [
            "В призывную комиссию\n" + HEAD,
            "ЗАЯВЛЕНИЕ\nо замене военной службы по призыву альтернативной гражданской службой",
            "Я, {{ full_name }}, прошу заменить мне военную службу по призыву альтернативной "
            "гражданской службой, поскольку несение военной службы противоречит моим "
            "убеждениям (ст. 59 ч. 3 Конституции РФ, ст. 2 и 11 ФЗ № 113-ФЗ). "
            "Обоснование и характеристика прилагаются.",
            SIGN,
        ],
    ),
    (
        "Жалоба на решение призывной комиссии",
        "Обжалование в вышестоящую призывную комиссию или в суд: ФЗ «О воинской "
        "обязанности и военной службе» ст. 28 ч. 7; КАС РФ гл. 22, ст. 218–219 "
        "(три месяца). Исполнение решения приостанавливается до решения суда (ст. 28 ч. 7).",
        "summons",
        [
            "В призывную комиссию субъекта РФ\n" + HEAD,
            "ЖАЛОБА\nна решение призывной комиссии от {{ decision_date }}",
            "Решением призывной комиссии от {{ decision_date }} ({{ decision_date_words }}) "
            "в отношении меня, {{ full_name_gen }}, принято решение о призыве на военную "
            "службу. Считаю решение незаконным. На основании ст. 28 ч. 7 ФЗ «О воинской "
            "обязанности и военной службе» прошу отменить указанное решение.",
            SIGN,
        ],
    ),
    (
        "Письменное заявление в военный комиссариат",
        "Письменный ответ на повестку: ФЗ «О воинской обязанности и военной службе» "
        "ст. 31; ФЗ «О порядке рассмотрения обращений граждан» № 59-ФЗ.",
        "summons",
        [
            "Военному комиссару\n" + HEAD,
            "ЗАЯВЛЕНИЕ",
            "Мною, {{ full_name_ins }}, получена повестка № {{ summons_number }} от "
            "{{ summons_date }}. Сообщаю, что прошу направить мне письменный ответ о "
            "цели вызова и правовых основаниях. Документ: {{ document_number }}.",
            SIGN,
        ],
    ),
    (
        "Заявление о направлении на медицинское освидетельствование",
        "Медицинское освидетельствование: ФЗ «О воинской обязанности и военной службе» "
        "ст. 5.1; Положение о военно-врачебной экспертизе (Постановление Правительства "
        "РФ № 565); Расписание болезней.",
        "at_front,contract,mobilised",
        [
            "Военному комиссару\n" + HEAD,
            "ЗАЯВЛЕНИЕ\nо направлении на медицинское освидетельствование",
            "Прошу направить меня, {{ full_name_acc }}, на медицинское освидетельствование "
            "(ст. 5.1 ФЗ «О воинской обязанности и военной службе») в связи с заболеванием. "
            "Медицинские документы прилагаются.",
            SIGN,
        ],
    ),
    (
        "Письмо в посольство: иностранный гражданин, завербованный обманом",
        "Консульская защита граждан за рубежом: Венская конвенция о консульских "
        "сношениях 1963 г., ст. 5 и 36. Описание обстоятельств вербовки — со слов человека.",
        "contract,at_front",
        [
            "{{ embassy }}",
            "ОБРАЩЕНИЕ\nо консульской помощи гражданину {{ citizenship }}",
            "{{ full_name }}, гражданин {{ citizenship }}, паспорт {{ document_number }}, "
            "был вовлечён в военную службу в России путём обмана и просит консульской "
            "помощи для возвращения на родину (ст. 5 и 36 Венской конвенции о консульских "
            "сношениях).",
            SIGN,
        ],
    ),
]


def starter_docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    document.add_paragraph(NOTE).runs[0].italic = True
    for text in paragraphs:
        for line in text.split("\n"):
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def ensure_starters() -> None:
    """Make the starter templates once (never again after any template exists)."""
    if DocumentTemplate.objects.exists():
        return
    for title, description, situations, paragraphs in STARTERS:
        template = DocumentTemplate.objects.create(
            title=title, description=description, situations=situations
        )
        body = starter_docx(paragraphs)
        TemplateVersion.objects.create(
            template=template, number=1, docx=body, fields=check(body), example=True
        )
