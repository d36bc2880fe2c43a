"""The danger screen on its own: realistic sentences in Ukrainian and Russian."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.safety import mentions_danger, normalize
from handlers.shared.emergency import emergency_text
from locales import LANGUAGES, load_translators

DANGER = [
    "мій чоловік мене б'є",
    "Мій чоловік мене бʼє, що робити?",
    "Вітчим б’є дитину",
    "у сусідів пожежа",
    "ПОЖЕЖА У ШКОЛІ!!!",
    "мне угрожают",
    "Сосед угрожает мне расправой",
    "Сусід погрожує мені ножем",
    "Колишній погрожував приїхати і вбити мене",
    "Муж бьёт детей",
    "муж бьет меня каждый вечер",
    "Я не хочу більше жити",
    "Не хочу жить",
    "хочу покончить с собой",
    "думаю про суїцид",
    "думаю про суiцид",  # Latin i typed on a Russian keyboard
    "Знайшли снаряд на городі за хатою",
    "В поле видели мину",
    "На узбіччі лежить міна",
    "В подъезде сильный запах газа",
    "Пахне газом у під'їзді",
    "Во дворе стреляют",
    "Біля магазину стрілянина",
    "Він прийшов до нас з ножем",
    "Дитина без свідомості",
    "Батько знепритомнів і не дихає",
    "у мене сильна кровотеча",
    "Нас обстрілюють прямо зараз",
    "Рятуйте!",
    "Мене зґвалтували",
    "мене згвалтували вчора",
    "Меня изнасиловали",
    "Сусіда побили біля під'їзду",
    "в доме был взрыв",
    "Чути вибухи біля школи",
    "Убийство на нашей улице",
    "Убии\u0306ство на нашей улице",  # й typed as и + combining breve
    "у сусідів по\u00adжежа",  # a soft hyphen inside the word
    "Я в небезпеці",
    "Бабуся помирає, швидка не їде",
    "They threatened to kill me",
]

SAFE = [
    "Коли буде зміна графіку вивозу сміття?",
    "нужна справка о доходах",
    "Де здати аналіз крові в нашій амбулаторії?",
    "Где сдать анализ крови?",
    "Коли перевірка пожежної безпеки в школі?",
    "Когда приедет пожарная инспекция?",
    "Як оформити допомогу на поховання? Батько помер минулого тижня.",
    "Хочу зарезервировать актовый зал для собрания",
    "Через 5 мин начнется прием?",
    "Скільки чекати, хвилин 10-15 мін.?",
    "Протекает кровля в доме, кто отремонтирует?",
    "Залишилися без крову після переселення, де отримати житло?",
    "Скільки коштує заміна лічильника?",
    "Яка мінімальна пенсія?",
    "Вбиральня в школі не працює",
    "Где убирают снег в первую очередь?",
    "Коли прибирання у дворі?",
    "Как получить статус ВПО?",
    "Чи буде гуманітарна допомога для пенсіонерів?",
    "Потрібна консультація психолога для дитини",
    "Подскажите, где можно получить юридическую консультацию?",
    "Коли буде вода в нашому будинку?",
    "How do I apply for housing aid?",
    "",
]


@pytest.mark.parametrize("text", DANGER)
def test_words_of_danger_are_caught(text: str) -> None:
    assert mentions_danger(text)


@pytest.mark.parametrize("text", SAFE)
def test_ordinary_questions_are_not_flagged(text: str) -> None:
    assert not mentions_danger(text)


@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ", "‘", "`"])
def test_every_apostrophe_is_the_same(apostrophe: str) -> None:
    assert mentions_danger(f"він мене б{apostrophe}є")
    assert normalize(f"б{apostrophe}є") == "б'є"


def test_entries_must_start_a_word() -> None:
    assert mentions_danger("міна")
    assert not mentions_danger("зміна")
    assert not mentions_danger("заміна")
    assert not mentions_danger("skill")  # "kill" inside another word


EMERGENCY_LINES = {
    "uk": [
        "102 поліція",
        "103 швидка допомога",
        "101 рятувальна служба",
        "112 єдиний номер екстрених служб",
        "Цей бот не є екстреною службою.",
    ],
    "ru": [
        "102 полиция",
        "103 скорая помощь",
        "101 спасательная служба",
        "112 единый номер экстренных служб",
        "Этот бот не является экстренной службой.",
    ],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_emergency_numbers_as_residents_read_them(language: str) -> None:
    """The text the screens send (safety step, words of danger, a rejection "referred to
    emergency services"): every number with its service, in order, in the reader's language."""
    text = emergency_text(load_translators()[language].gettext)
    lines = text.splitlines()
    expected = EMERGENCY_LINES[language]
    assert [line for line in lines if line in expected] == expected, text
    assert lines[0].startswith("<b>") and lines[0].endswith("</b>")


@given(st.text(max_size=300))
def test_any_text_gets_an_answer(text: str) -> None:
    assert mentions_danger(text) in (True, False)
