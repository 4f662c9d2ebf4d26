"""The compatibility layer answers as Telegram would, over HTTP, and python-telegram-bot runs on it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from .emulator import Emulator

pytestmark = pytest.mark.e2e

ALICE = {"id": 42, "is_bot": False, "first_name": "Alice"}
KEYBOARD = {"inline_keyboard": [[{"text": "Done", "callback_data": "done"}]]}


@dataclass
class Layer:
    """Raw HTTP calls to both sides of the emulator, for one bot token."""

    emulator: Emulator
    token: str
    http: httpx.Client

    def bot(self, method: str, **params: Any) -> httpx.Response:
        """Call a Bot API method form-encoded, as python-telegram-bot does."""
        data = {
            key: value if isinstance(value, str) else json.dumps(value)
            for key, value in params.items()
        }
        return self.http.post(f"{self.emulator.bot_api_base_url}{self.token}/{method}", data=data)

    def client(self, path: str, **body: Any) -> httpx.Response:
        """Call the client API with a JSON body carrying this bot's token."""
        return self.http.post(f"{self.emulator.url}/{path}", json={"botToken": self.token, **body})

    def result(self, response: httpx.Response) -> Any:
        assert response.status_code == 200, response.text
        return response.json()["result"]


# A token of its own per test: updates one test leaves unconfirmed never reach another.
@pytest.fixture(name="layer")
def _layer(emulator: Emulator) -> Iterator[Layer]:
    with httpx.Client() as http:
        yield Layer(emulator, emulator.new_token(), http)


def test_get_me_answers_a_complete_user(layer):
    me = layer.result(layer.bot("getMe"))

    assert me["is_bot"] is True
    assert me["id"] == int(layer.token.split(":")[0])
    assert {"first_name", "username", "can_join_groups"} <= me.keys()
    assert User.de_json(me, None).is_bot


def test_send_message_returns_a_message_dated_in_seconds_with_from_and_chat(layer):
    layer.result(layer.client("sendMessage", **{"from": ALICE, "text": "hi"}))

    message = layer.result(
        layer.bot("sendMessage", chat_id=42, text="Hello", reply_markup=KEYBOARD)
    )

    assert abs(message["date"] - time.time()) < 3600  # seconds: milliseconds would be ~1000x off
    assert message["from"]["is_bot"] is True
    assert message["chat"] == {"id": 42, "type": "private", "first_name": "Alice"}
    assert message["text"] == "Hello"
    assert message["reply_markup"] == KEYBOARD
    assert isinstance(message["message_id"], int)


def test_send_message_returns_only_inline_markup(layer):
    reply_keyboard = {"keyboard": [[{"text": "Yes"}]], "one_time_keyboard": True}

    message = layer.result(
        layer.bot("sendMessage", chat_id=42, text="Sure?", reply_markup=reply_keyboard)
    )

    assert "reply_markup" not in message


async def test_an_edit_without_markup_drops_the_keyboard_and_the_client_sees_it(emulator, layer):
    sent = layer.result(layer.bot("sendMessage", chat_id=42, text="Step 1", reply_markup=KEYBOARD))

    edited = layer.result(
        layer.bot("editMessageText", chat_id=42, message_id=sent["message_id"], text="Step 1 done")
    )

    assert edited["message_id"] == sent["message_id"]
    assert edited["text"] == "Step 1 done"
    assert "reply_markup" not in edited
    assert "edit_date" in edited
    async with emulator.client(token=layer.token, chat_id=42) as alice:
        [seen] = await alice.messages()
    assert (seen.text, seen.keyboard, seen.edited) == ("Step 1 done", (), True)


def test_edit_reply_markup_returns_the_edited_message(layer):
    sent = layer.result(layer.bot("sendMessage", chat_id=42, text="Pick", reply_markup=KEYBOARD))
    other = {"inline_keyboard": [[{"text": "Undo", "callback_data": "undo"}]]}

    edited = layer.result(
        layer.bot(
            "editMessageReplyMarkup", chat_id=42, message_id=sent["message_id"], reply_markup=other
        )
    )

    assert edited["reply_markup"] == other
    assert edited["text"] == "Pick"


def test_an_edit_that_changes_nothing_is_refused_as_telegram_does(layer):
    sent = layer.result(layer.bot("sendMessage", chat_id=42, text="Same"))

    response = layer.bot("editMessageText", chat_id=42, message_id=sent["message_id"], text="Same")

    assert response.status_code == 400
    assert "message is not modified" in response.json()["description"]


def test_get_updates_redelivers_until_an_offset_confirms(layer):
    first = layer.result(layer.client("sendMessage", **{"from": ALICE, "text": "one"}))
    second = layer.result(layer.client("sendMessage", **{"from": ALICE, "text": "two"}))
    ids = [first["update_id"], second["update_id"]]

    delivered = layer.result(layer.bot("getUpdates"))
    again = layer.result(layer.bot("getUpdates"))
    limited = layer.result(layer.bot("getUpdates", limit=1))
    after_first = layer.result(layer.bot("getUpdates", offset=ids[0] + 1))
    after_both = layer.result(layer.bot("getUpdates", offset=ids[1] + 1))

    assert [u["update_id"] for u in delivered] == ids
    assert [u["message"]["text"] for u in delivered] == ["one", "two"]
    assert [u["update_id"] for u in again] == ids
    assert [u["update_id"] for u in limited] == ids[:1]
    assert [u["update_id"] for u in after_first] == ids[1:]
    assert after_both == []


def test_an_injected_update_is_delivered_again_under_the_same_id(layer):
    update = layer.result(layer.client("sendMessage", **{"from": ALICE, "text": "once"}))
    layer.result(layer.bot("getUpdates"))
    layer.result(layer.bot("getUpdates", offset=update["update_id"] + 1))

    layer.result(layer.client("injectUpdate", update=update))
    redelivered = layer.result(layer.bot("getUpdates", offset=update["update_id"] + 1))

    assert redelivered == [update]


async def test_get_updates_waits_for_an_update_that_arrives_during_the_poll(emulator, layer):
    url = f"{emulator.bot_api_base_url}{layer.token}/getUpdates"
    async with httpx.AsyncClient(timeout=30) as http, emulator.client(token=layer.token) as alice:
        poll = asyncio.create_task(http.post(url, data={"timeout": "20"}))
        await asyncio.sleep(0.2)
        assert not poll.done(), "with nothing pending, getUpdates must wait"

        sent = await alice.send("while you wait")
        response = await poll

    assert [u["update_id"] for u in response.json()["result"]] == [sent["update_id"]]


def test_unknown_methods_are_refused_with_400_naming_the_method(layer):
    upload = layer.http.post(
        f"{layer.emulator.bot_api_base_url}{layer.token}/sendDocument",
        data={"chat_id": "42"},
        files={"document": ("report.csv", b"a,b\n1,2\n", "text/csv")},
    )
    get_chat = layer.bot("getChat", chat_id=42)

    for response, method in [(upload, "sendDocument"), (get_chat, "getChat")]:
        assert response.status_code == 400
        body = response.json()
        assert body["ok"] is False
        assert body["error_code"] == 400
        assert (
            body["description"] == f"Bad Request: method {method} is not supported by the emulator"
        )


@pytest.mark.parametrize(
    ("method", "params"),
    [
        (
            "setMyCommands",
            {"commands": [{"command": "start", "description": "Start a checklist"}]},
        ),
        ("setMyDescription", {"description": "Checklists"}),
        ("setMyShortDescription", {"short_description": "Checklists"}),
        ("setChatMenuButton", {}),
        ("sendChatAction", {"chat_id": 42, "action": "typing"}),
        ("deleteMyCommands", {}),
    ],
)
def test_start_up_setters_answer_true(layer, method, params):
    assert layer.result(layer.bot(method, **params)) is True


def test_errors_come_back_with_a_4xx_status(layer):
    response = layer.bot("editMessageText", chat_id=42, message_id=999_999, text="Gone")

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message to edit not found",
    }


def test_client_calls_without_token_or_entities_are_refused_and_the_emulator_keeps_serving(layer):
    url = layer.emulator.url
    no_token = layer.http.post(f"{url}/sendMessage", json={"from": ALICE, "text": "hi"})
    no_entities = layer.client("sendCommand", **{"from": ALICE, "text": "/start"})
    no_token_callback = layer.http.post(f"{url}/sendCallback", json={"from": ALICE, "data": "x"})

    for response in (no_token, no_entities, no_token_callback):
        assert response.status_code == 400, response.text
    assert layer.result(layer.bot("getMe"))["is_bot"] is True


async def test_a_group_chat_message_reaches_the_bot_as_a_group(emulator, layer):
    async with emulator.client("Bob", group=True, token=layer.token) as bob:
        await bob.send("hello group")

    [update] = layer.result(layer.bot("getUpdates"))
    chat = update["message"]["chat"]
    reply = layer.result(layer.bot("sendMessage", chat_id=chat["id"], text="Private chats only"))

    assert chat["type"] == "group"
    assert chat["id"] < 0
    assert reply["chat"]["type"] == "group"


async def test_a_press_carries_chat_instance_and_the_stored_message(emulator, layer):
    async with emulator.client(token=layer.token) as alice:
        sent = layer.result(
            layer.bot("sendMessage", chat_id=alice.chat_id, text="Go?", reply_markup=KEYBOARD)
        )

        press = await alice.press("Done")
        layer.result(
            layer.bot(
                "answerCallbackQuery",
                callback_query_id=press["callback_query"]["id"],
                text="Noted",
            )
        )
        answer = await alice.callback_answer(press["callback_query"]["id"])

    query = press["callback_query"]
    assert query["chat_instance"]
    assert query["data"] == "done"
    assert query["message"] == sent
    assert answer == {"text": "Noted", "show_alert": False, "url": None}
    assert layer.result(layer.bot("getUpdates")) == [press]


async def test_python_telegram_bot_replies_and_edits_on_a_press(emulator):
    token = emulator.new_token()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Echo the text back with one button."""
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="done")]])
        await update.effective_message.reply_text(
            f"echo: {update.effective_message.text}", reply_markup=markup
        )

    async def mark_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the press and edit the message, which drops its keyboard."""
        query = update.callback_query
        await query.answer("Noted")
        await query.edit_message_text(f"{query.message.text} (done)")

    app = Application.builder().token(token).base_url(emulator.bot_api_base_url).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(mark_done))
    async with app, emulator.client("Alice", token=token) as alice:
        await app.start()
        await app.updater.start_polling(timeout=10)
        try:
            await alice.send("hello")
            [reply] = await alice.replies()
            press = await alice.press("Done")
            [edited] = await alice.replies()
            answer = await alice.callback_answer(press["callback_query"]["id"])
            # PTB passes the description through str.capitalize(): "Method senddocument is ...".
            with pytest.raises(BadRequest, match=r"(?i)method senddocument is not supported"):
                await app.bot.send_document(
                    alice.chat_id, document=b"a,b\n", filename="report.csv"
                )
        finally:
            await app.updater.stop()
            await app.stop()

    assert reply.text == "echo: hello"
    assert reply.keyboard == ((("Done", "done"),),)
    assert edited.message_id == reply.message_id
    assert edited.text == "echo: hello (done)"
    assert edited.keyboard == ()
    assert answer is not None
    assert answer["text"] == "Noted"
