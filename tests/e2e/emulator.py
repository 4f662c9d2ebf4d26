"""Run the Bot API emulator (emulator.js) and play Telegram users through its client API."""

from __future__ import annotations

import base64
import itertools
import queue
import re
import shutil
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

E2E_DIR = Path(__file__).resolve().parent
SCRIPT = E2E_DIR / "emulator.js"
INSTALL_COMMAND = "npm ci --prefix tests/e2e"
TOKEN = "123456:EMULATOR-TEST-TOKEN"  # the emulator takes the bot's id from the part before ':'
LISTENING = re.compile(r"listening 127\.0\.0\.1:(\d+)")

# A button as (label, callback_data); callback_data is None for a URL button.
Button = tuple[str, str | None]
Keyboard = tuple[tuple[Button, ...], ...]


class EmulatorError(RuntimeError):
    """The emulator is missing, would not start, or refused a call."""


@dataclass(frozen=True, slots=True)
class BotMessage:
    """A message the bot sent, as the user sees it now: edits applied."""

    message_id: int
    chat_id: int
    text: str
    keyboard: Keyboard
    edited: bool
    raw: dict[str, Any]

    @classmethod
    def from_api(cls, message: dict[str, Any]) -> BotMessage:
        """Build from a Bot API Message."""
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        return cls(
            message_id=message["message_id"],
            chat_id=message["chat"]["id"],
            text=message.get("text", ""),
            keyboard=tuple(
                tuple((button["text"], button.get("callback_data")) for button in row)
                for row in rows
            ),
            edited="edit_date" in message,
            raw=message,
        )

    @property
    def labels(self) -> list[str]:
        """Every button label, row by row."""
        return [label for row in self.keyboard for label, _ in row]

    @property
    def callback_data(self) -> list[str | None]:
        """Every button's callback data, row by row."""
        return [data for row in self.keyboard for _, data in row]

    def data_for(self, label: str) -> str:
        """The callback data of the button labelled `label`."""
        for row in self.keyboard:
            for button_label, data in row:
                if button_label == label and data is not None:
                    return data
        raise LookupError(
            f"no callback button {label!r} on message {self.message_id}: {self.labels}"
        )


def _answer(response: httpx.Response) -> Any:
    """The result of an emulator call, or EmulatorError with its description."""
    body = response.json()
    if response.status_code != 200 or not body.get("ok"):
        raise EmulatorError(f"{response.request.url.path}: {body.get('description', body)}")
    return body["result"]


class Emulator:
    """The emulator as a node subprocess on a free 127.0.0.1 port; a context manager."""

    def __init__(self, token: str = TOKEN, *, startup_timeout: float = 10.0) -> None:
        self.token = token
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._port: int | None = None
        self._output: deque[str] = deque(maxlen=200)
        self._user_ids = itertools.count(1001)
        self._bot_ids = itertools.count(900_001)

    @property
    def url(self) -> str:
        """Root of the client API, e.g. http://127.0.0.1:PORT."""
        if self._port is None:
            raise EmulatorError("the emulator is not running; call start() first")
        return f"http://127.0.0.1:{self._port}"

    @property
    def bot_api_base_url(self) -> str:
        """What ApplicationBuilder().base_url() takes; python-telegram-bot appends the token."""
        return f"{self.url}/bot"

    @property
    def output(self) -> str:
        """The emulator's latest stdout and stderr lines, for failure messages."""
        return "\n".join(self._output)

    def start(self) -> Self:
        """Start node and wait until it listens."""
        if not (E2E_DIR / "node_modules" / "telegram-test-api" / "package.json").is_file():
            raise EmulatorError(
                f"telegram-test-api is not installed in {E2E_DIR / 'node_modules'}; "
                f"run `{INSTALL_COMMAND}` from the repository root"
            )
        node = shutil.which("node")
        if node is None:
            raise EmulatorError(
                "node is not on PATH; the end-to-end tests need Node.js 18 or later"
            )
        self._process = subprocess.Popen(
            [node, str(SCRIPT), "--port", "0"],
            cwd=E2E_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ports: queue.Queue[int | None] = queue.Queue()
        # The reader keeps draining the pipe after start-up so node never blocks on a full one.
        self._reader = threading.Thread(target=self._read_output, args=(ports,), daemon=True)
        self._reader.start()
        try:
            port = ports.get(timeout=self.startup_timeout)
        except queue.Empty:
            port = None
        if port is None:
            self.stop()
            raise EmulatorError(f"the emulator did not start:\n{self.output}")
        self._port = port
        return self

    def _read_output(self, ports: queue.Queue[int | None]) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._output.append(line.rstrip())
            if match := LISTENING.fullmatch(line.strip()):
                ports.put(int(match[1]))
        ports.put(None)  # node has exited: start() stops waiting

    def stop(self) -> None:
        """Stop node: terminate, then kill if it lingers."""
        process, self._process, self._port = self._process, None, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def new_token(self) -> str:
        """A bot token no other test has used, so no bot is handed another test's updates."""
        return f"{next(self._bot_ids)}:EMULATOR-TEST-TOKEN"

    def client(
        self,
        first_name: str = "Tester",
        *,
        group: bool = False,
        chat_id: int | None = None,
        token: str | None = None,
    ) -> Client:
        """A new user, with an id no other client of this emulator has, talking to bot `token`.

        The chat is the user's private chat, a new group chat with `group=True`, or the chat
        `chat_id` (negative ids are groups), so several users can share one group.
        """
        return Client(
            self.url,
            token or self.token,
            user_id=next(self._user_ids),
            first_name=first_name,
            group=group,
            chat_id=chat_id,
        )

    def inject_update(self, update: dict[str, Any], *, token: str | None = None) -> dict[str, Any]:
        """Queue a raw Bot API update as it is; without `update_id` it gets the next one."""
        response = httpx.post(
            f"{self.url}/injectUpdate", json={"botToken": token or self.token, "update": update}
        )
        return _answer(response)

    def _post(self, path: str, token: str | None, **body: Any) -> Any:
        return _answer(
            httpx.post(f"{self.url}{path}", json={"botToken": token or self.token, **body})
        )

    def block(self, chat_id: int, *, blocked: bool = True, token: str | None = None) -> None:
        """The person in `chat_id` blocks the bot (or unblocks it): sends to them get 403."""
        self._post("/block", token, chatId=chat_id, blocked=blocked)

    def refusals(self, *, token: str | None = None) -> dict[int, int]:
        """How many sends and edits each blocked chat has refused."""
        return {int(chat): count for chat, count in self._post("/refusals", token).items()}

    def upload_file(
        self, name: str, content: bytes, *, token: str | None = None
    ) -> dict[str, Any]:
        """Keep a file a user sends, for the bot to fetch: {file_id, file_unique_id, file_size}."""
        encoded = base64.b64encode(content).decode("ascii")
        return self._post("/uploadFile", token, fileName=name, content=encoded)

    def outage(self, seconds: float) -> None:
        """Drop every connection of every bot for `seconds`, as a network failure would."""
        self._post("/outage", None, seconds=seconds)


class Client:
    """One simulated Telegram user in one chat, with its own HTTP client; an async context manager."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        user_id: int,
        first_name: str = "Tester",
        group: bool = False,
        chat_id: int | None = None,
    ) -> None:
        self.token = token
        self.user_id = user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if chat_id is None:
            chat_id = -user_id if group else user_id
        self.chat_id = chat_id
        if chat_id < 0:
            self.chat: dict[str, Any] = {
                "id": chat_id,
                "type": "group",
                "title": f"Group {-chat_id}",
            }
        else:
            self.chat = {"id": chat_id, "type": "private", "first_name": first_name}
        self._http = httpx.AsyncClient(base_url=url, timeout=10)
        self._version = 0  # the emulator's change counter as of the last replies() call

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()

    async def _call(self, path: str, body: dict[str, Any], *, wait: float = 0) -> Any:
        response = await self._http.post(
            path, json={"botToken": self.token, **body}, timeout=wait + 10
        )
        return _answer(response)

    async def send(self, text: str) -> dict[str, Any]:
        """Send a text message; returns the update the bot will receive."""
        return await self._call(
            "/sendMessage", {"from": self.user, "chat": self.chat, "text": text}
        )

    async def command(self, text: str) -> dict[str, Any]:
        """Send a command such as "/start" or "/start payload", with its bot_command entity."""
        if not text.startswith("/"):
            text = f"/{text}"
        entity = {"type": "bot_command", "offset": 0, "length": len(text.split(" ", 1)[0])}
        return await self._call(
            "/sendCommand",
            {"from": self.user, "chat": self.chat, "text": text, "entities": [entity]},
        )

    async def press(
        self, label: str | None = None, *, data: str | None = None, message_id: int | None = None
    ) -> dict[str, Any]:
        """Press a button; returns the callback_query update the bot will receive.

        By `label`, on the latest bot message with a keyboard (or on message `message_id`); or
        by `data`, on the latest message whose keyboard holds it. With both `data` and
        `message_id` the data need not be on the keyboard: that forges a press.
        """
        if (label is None) == (data is None):
            raise ValueError("press() takes a label or data=, not both")
        if message_id is None or label is not None:
            message = await self._message_with_button(label, data, message_id)
            message_id = message.message_id
            if label is not None:
                data = message.data_for(label)
        return await self._call(
            "/sendCallback",
            {"from": self.user, "chat_id": self.chat_id, "message_id": message_id, "data": data},
        )

    async def _message_with_button(
        self, label: str | None, data: str | None, message_id: int | None
    ) -> BotMessage:
        with_keyboard = [m for m in await self.messages() if m.keyboard]
        if message_id is not None:
            with_keyboard = [m for m in with_keyboard if m.message_id == message_id]
        elif label is not None:
            with_keyboard = with_keyboard[-1:]
        else:
            with_keyboard = [m for m in with_keyboard if data in m.callback_data]
        if not with_keyboard:
            wanted = f"button {label!r}" if label is not None else f"callback data {data!r}"
            raise LookupError(f"no bot message in chat {self.chat_id} offers {wanted}")
        return with_keyboard[-1]

    async def replies(self, count: int = 1, *, within: float = 5.0) -> list[BotMessage]:
        """Wait for `count` bot messages new or edited since the last call (or since the chat began).

        A message sent and then edited counts once, in its latest state. Raises TimeoutError
        when fewer arrive within `within` seconds.
        """
        deadline = time.monotonic() + within
        changed: dict[int, BotMessage] = {}
        while len(changed) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"chat {self.chat_id}: {len(changed)} of {count} bot replies within {within}s:"
                    f" {[m.text for m in changed.values()]}"
                )
            result = await self._call(
                "/botMessages",
                {"chatId": self.chat_id, "after": self._version, "timeout": left},
                wait=left,
            )
            self._version = result["version"]
            for message in result["messages"]:
                changed[message["message_id"]] = BotMessage.from_api(message)
        return sorted(changed.values(), key=lambda m: m.message_id)

    async def messages(self) -> list[BotMessage]:
        """Every bot message in this chat, oldest first, edits applied."""
        result = await self._call("/botMessages", {"chatId": self.chat_id})
        return [BotMessage.from_api(message) for message in result["messages"]]

    async def callback_answer(
        self, callback_query_id: str, *, within: float = 5.0
    ) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery for a press ({text, show_alert, url}), or None.

        Waits up to `within` seconds for the bot to answer.
        """
        return await self._call(
            "/callbackAnswer",
            {"callbackQueryId": callback_query_id, "timeout": within},
            wait=within,
        )

    async def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw Bot API update as it is; without `update_id` it gets the next one."""
        return await self._call("/injectUpdate", {"update": update})
