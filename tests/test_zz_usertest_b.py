from __future__ import annotations
import sys, copy
sys.path.insert(0, "/tmp/usertest")
import pytest
from walk import Walker
from tests.request_steps import make_moderator

pytestmark = pytest.mark.e2e

def data_of(msg, label):
    for row in msg.buttons:
        for b in row:
            if b.text == label:
                return b.callback_data

@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_ru_resident(botapi, bot, engine, backend):
    w = Walker(botapi)
    mod = w.name(await make_moderator(botapi, engine), "MOD")
    w.dump()
    r = w.name(botapi.user(first_name="Сергей", last_name="Иванов", username="serg_iv", language_code="ru"), "RU")
    await w.cmd(r, "/start")
    await w.act("RU sends photo at language step", lambda: r.send_photo())
    lang_msg = r.last_message()
    lang_data = data_of(lang_msg, "Русский")
    await w.press(r, "Русский")
    await w.act("RU presses stale [Русский] on old lang msg", lambda: r.press_data(lang_msg, lang_data))
    await w.press(r, "Дружковка")
    menu = r.last_message()
    await w.press(r, "Задать вопрос")
    await w.press(r, "Продолжить")
    cat_msg = r.last_message()
    soc = data_of(cat_msg, "Социальная защита")
    await w.press(r, "Социальная защита")
    await w.act("RU presses stale category [Полиция] data", lambda: r.press_data(cat_msg, soc))
    await w.cmd(r, "/start")
    await w.press(r, "Задать вопрос")
    await w.press(r, "Продолжить")
    await w.press(r, "Социальная защита")
    await w.act("RU photo WITH caption", lambda: r.send_photo(caption="Где получить справку о составе семьи? Мне нужно для субсидии."))
    msg, t = w.find(r, "Продолжить", prefix=True)
    await w.press(r, t, msg=msg)
    await w.press(r, "Остаться анонимным")
    prev = r.last_message()
    print("PREVIEW buttons", prev.button_texts())
    send = next(x for x in prev.button_texts() if x.startswith("Отправ"))
    await w.act("RU double-presses [Отправить]", lambda: (r.press(prev, send), r.press(prev, send))[1])
    # moderator
    card = mod.last_message()
    await w.press(mod, "Показати фото", msg=next(m for m in reversed(mod.messages()) if "DRU-0001" in (m.text or "")))
    card = next(m for m in reversed(mod.messages()) if "Взяти в роботу" in m.button_texts())
    await w.press(mod, "Взяти в роботу", msg=card)
    card = next(m for m in reversed(mod.messages()) if "Відповісти" in m.button_texts())
    await w.press(mod, "Відповісти", msg=card)
    await w.text(mod, "Довідку можна отримати в ЦНАПі, вікно 3, з понеділка по п'ятницю з 9:00 до 16:00. Візьміть паспорт.")
    prev = next(m for m in reversed(mod.messages()) if any((b.callback_data or "").startswith("sa:send") for row in m.buttons for b in row))
    label = next(b.text for row in prev.buttons for b in row if (b.callback_data or "").startswith("sa:send"))
    await w.act("MOD double-presses send", lambda: (mod.press(prev, label), mod.press(prev, label))[1])
    ans = r.last_message()
    print("RU answer buttons", ans.button_texts())
    for lb in ans.button_texts():
        if lb.startswith("Да"):
            await w.press(r, lb, msg=ans)
            break
    await w.press(r, "Нет", prefix=True, msg=r.last_message() if "Нет" in r.last_message().button_texts() else None)
    await w.cmd(mod, "/queue")
    await w.cmd(mod, "/stats")
    await w.cmd(r, "/start")
    await w.press(r, "Мои обращения")
    await w.press(r, "DRU-0001", prefix=True)
