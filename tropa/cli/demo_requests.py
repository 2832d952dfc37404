"""The demo's synthetic requests: invented situations, no real person
behind any of them, in several of the requester languages (tropa demo)."""

from __future__ import annotations

REQUESTS = [
    (
        "ru",
        {
            "situation": "summons",
            "region": "tatarstan",
            "report_by_days": 5,
            "documents": ["internal_passport", "foreign_passport"],
            "russian": "native",
            "story": "Пришла повестка на уточнение данных. Что делать, ехать ли в военкомат?",
        },
    ),
    (
        "ru",
        {
            "situation": "at_front",
            "region": "belgorod",
            "health": "yes",
            "deceived": "yes",
            "story": "Подписал контракт, обещали тыл, отправили на передовую. Хочу выбраться.",
        },
    ),
    (
        "en",
        {
            "situation": "contract",
            "region": "abroad",
            "russian": "basic",
            "languages": "Nepali, English",
            "deceived": "yes",
            "story": "I was promised construction work. Now they say I am a soldier.",
        },
    ),
    (
        "ru",
        {
            "situation": "relative",
            "region": "saint_petersburg",
            "asking": "relative",
            "story": "Сына мобилизовали две недели назад, связи нет. Как узнать, где он?",
        },
    ),
    (
        "ru",
        {
            "situation": "awol",
            "region": "rostov",
            "report_by_days": -2,
            "story": "Я не вернулся из отпуска. Боюсь, что ищут.",
        },
    ),
    (
        "ru",
        {
            "situation": "abroad",
            "region": "abroad",
            "documents": ["foreign_passport"],
            "story": "Уже в Казахстане, нужна помощь с документами для визы.",
        },
    ),
    (
        "en",
        {
            "situation": "mobilised",
            "region": "unknown",
            "russian": "none",
            "languages": "Kyrgyz",
            "story": "Got a call-up letter. I do not understand it.",
        },
    ),
    (
        "uz",
        {
            "situation": "contract",
            "region": "abroad",
            "russian": "basic",
            "deceived": "yes",
            "story": "Ish deb chaqirishdi, shartnoma imzolatishdi, pasportimni olishdi.",
        },
    ),
    (
        "si",
        {
            "situation": "at_front",
            "region": "donetsk",
            "russian": "none",
            "languages": "Sinhala, a little English",
            "story": "රැකියාවක් කියා ගෙනාවා, දැන් පෙරමුණේ. ගමන් බලපත්‍රය ඔවුන් ළඟ.",
        },
    ),
    (
        "ta",
        {
            "situation": "contract",
            "region": "abroad",
            "russian": "none",
            "deceived": "yes",
            "story": "வேலை என்று சொல்லி ஒப்பந்தத்தில் கையெழுத்து வாங்கினார்கள். இப்போது வெளியே வந்துவிட்டேன்.",
        },
    ),
]
