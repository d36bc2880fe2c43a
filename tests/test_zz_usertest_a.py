from __future__ import annotations
import sys
sys.path.insert(0, "/tmp/usertest")
import pytest
from walk import Walker
from tests.request_steps import make_moderator

pytestmark = pytest.mark.e2e

@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_uk_resident(botapi, bot, engine, backend):
    w = Walker(botapi)
    mod = w.name(await make_moderator(botapi, engine), "MOD")
    w.dump()
    r = w.name(botapi.user(first_name="Олена", last_name="Коваленко", username="olena_k"), "UK")
    await w.cmd(r, "/start")
    await w.act("UK sends sticker at language step", lambda: r.send_sticker())
    await w.press(r, "Українська")
    await w.text(r, "Дружківка")
    await w.press(r, "Дружківка")
    await w.press(r, "Поставити запитання")
    await w.press(r, "Продовжити")
    await w.act("UK sticker at category step", lambda: r.send_sticker())
    await w.press(r, "Поліція")
    await w.act("UK sticker at text step", lambda: r.send_sticker())
    await w.act("UK photo w/o caption at text step", lambda: r.send_photo())
    await w.text(r, "Б" * 4200)
    await w.cmd(r, "/help")
    await w.text(r, "Біля школи №3 вночі хтось ламає ліхтарі. Хто це має полагодити?")
    await w.act("UK photo at photo step", lambda: r.send_photo())
    await w.act("UK sticker at photo step", lambda: r.send_sticker())
    msg, t = w.find(r, "Продовжити", prefix=True)
    await w.press(r, t, msg=msg)
    await w.press(r, "Поділитися ім’ям з працівниками")
    m, _ = w.find(r, "Надіслати")
    await w.press(r, "Надіслати", msg=m)
    await w.press(r, "Надіслати", msg=m)   # double / stale press
    await w.cmd(r, "/start")
