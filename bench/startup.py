"""Start-up time of `soteria-bot run` to its first getUpdates, on a fresh and an existing database."""

# Run from the repository root: .venv/bin/python bench/startup.py [--repeat 10]
#
# Each repeat spawns `python -m bot run` against the telegram-test-api emulator, through a small
# TCP relay on 127.0.0.1 that notes when the first request for /getUpdates arrives, so the
# emulator needs no change. The time runs from just before the spawn to that request. Beside it,
# the floor: bench/echo_bot.py (bare python-telegram-bot, the same builder settings) timed the
# same way. Then the heaviest imports of the `run` path, from `python -X importtime`.

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # so `tests.e2e.emulator` imports when run as a script

from tests.e2e.emulator import Emulator  # noqa: E402

HEAD_END = b"\r\n\r\n"
CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


class HttpWatch:
    """Splits one direction of an HTTP/1.1 connection into messages by their Content-Length."""

    def __init__(
        self,
        on_head: Callable[[bytes], None] | None = None,
        on_body: Callable[[bytes], None] | None = None,
    ) -> None:
        self.on_head = on_head
        self.on_body = on_body
        self._buffer = b""
        self._body: list[bytes] = []
        self._left = 0
        self.lost = False  # a chunked body: the rest of this connection is not parsed

    def feed(self, data: bytes) -> None:
        """Take the next bytes; call back for each head and each complete body in them."""
        while data and not self.lost:
            if self._left:
                taken, data = data[: self._left], data[self._left :]
                self._left -= len(taken)
                if self.on_body is not None:
                    self._body.append(taken)
                    if not self._left:
                        self.on_body(b"".join(self._body))
                continue
            self._buffer += data
            end = self._buffer.find(HEAD_END)
            if end < 0:
                return
            head, data = self._buffer[:end], self._buffer[end + len(HEAD_END) :]
            self._buffer = b""
            if self.on_head is not None:
                self.on_head(head)
            length = CONTENT_LENGTH.search(head)
            self._left = int(length[1]) if length else 0
            self._body = []
            if b"chunked" in head.lower():
                self.lost = True
            elif not self._left and self.on_body is not None:
                self.on_body(b"")


class ApiRelay:
    """A byte-for-byte TCP relay to the emulator that reports the bot's requests and their answers."""

    def __init__(
        self,
        upstream_port: int,
        on_request: Callable[[str, float], None] | None = None,
        on_response: Callable[[bytes], None] | None = None,
    ) -> None:
        self.upstream_port = upstream_port
        self.on_request = on_request  # (path, perf_counter time its head arrived)
        self.on_response = on_response  # (the body of a complete response)
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def bot_api_base_url(self) -> str:
        """What the bot takes as TELEGRAM_API_BASE_URL to go through the relay."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> ApiRelay:
        """Listen on a free 127.0.0.1 port."""
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        """Stop listening; open connections end with their bot."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def _request_head(self, head: bytes) -> None:
        if self.on_request is not None:
            parts = head.split(b"\r\n", 1)[0].split(b" ")
            if len(parts) >= 2:
                self.on_request(parts[1].decode("latin-1"), time.perf_counter())

    async def _connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        # The bytes go on unchanged; the watches only look, so the relay adds one hop.
        requests = HttpWatch(on_head=self._request_head)
        responses = HttpWatch(on_body=self.on_response) if self.on_response else None
        await asyncio.gather(
            self._pump(reader, up_writer, requests),
            self._pump(up_reader, writer, responses),
            return_exceptions=True,
        )

    @staticmethod
    async def _pump(
        source: asyncio.StreamReader, sink: asyncio.StreamWriter, watch: HttpWatch | None
    ) -> None:
        try:
            while chunk := await source.read(65536):
                sink.write(chunk)
                if watch is not None:
                    watch.feed(chunk)
                await sink.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            sink.close()


async def time_to_first_poll(
    command: list[str], env: dict[str, str], relay: ApiRelay
) -> tuple[float, float]:
    """Seconds from spawning `command` to its first getMe, and to its first getUpdates."""
    polled = asyncio.Event()
    seen: dict[str, float] = {}

    def on_request(path: str, at: float) -> None:
        method = path.rsplit("/", 1)[-1]
        seen.setdefault(method, at)
        if method == "getUpdates":
            polled.set()

    relay.on_request = on_request
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=REPO,
        env={**env, "TELEGRAM_API_BASE_URL": relay.bot_api_base_url},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    exited = asyncio.ensure_future(process.wait())
    try:
        await asyncio.wait(
            [exited, asyncio.ensure_future(polled.wait())],
            timeout=60,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if not polled.is_set():
            error = (await process.stderr.read()).decode() if process.stderr else ""
            raise RuntimeError(f"{command} did not poll within 60 s:\n{error}")
        return seen["getMe"] - started, seen["getUpdates"] - started
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(exited, 15)
        except TimeoutError:
            process.kill()
            await exited


def summary(values: list[float]) -> str:
    """Median and range of some timings, in seconds."""
    return (
        f"median {statistics.median(values):.3f} s "
        f"(range {min(values):.3f}–{max(values):.3f} s, {len(values)} runs)"
    )


def bot_env(emulator: Emulator, db: Path) -> dict[str, str]:
    """The environment of a bot on the emulator and database `db`, as deployed."""
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.new_token(),
        "SOTERIA_DB": str(db),
        "SOTERIA_PLAYBOOKS": str(REPO / "playbooks"),
        "SOTERIA_LOG_LEVEL": "WARNING",
        "SOTERIA_SEND_RATE": "30",  # as deployed: the rate limiter is built at start-up too
        "NO_PROXY": "127.0.0.1",  # only 127.0.0.1 is ever a network target
    }


async def measure(repeat: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Time each case `repeat` times, interleaved: seconds to the first getUpdates and getMe."""
    # Interleaved so that a busy spell on the shared machine hits every case alike.
    ours = [sys.executable, "-m", "bot", "run"]
    floor = [sys.executable, str(REPO / "bench" / "echo_bot.py")]
    times: dict[str, list[float]] = {"fresh": [], "existing": [], "floor": []}
    to_get_me: dict[str, list[float]] = {"fresh": [], "existing": [], "floor": []}
    with Emulator() as emulator, tempfile.TemporaryDirectory() as folder:
        relay = await ApiRelay(int(emulator.url.rsplit(":", 1)[1])).start()
        existing = Path(folder) / "existing.db"
        # One run first creates and migrates the existing database, and warms the disk cache.
        await time_to_first_poll(ours, bot_env(emulator, existing), relay)
        for index in range(repeat):
            runs = (
                ("fresh", ours, Path(folder) / f"fresh-{index}.db"),
                ("existing", ours, existing),
                ("floor", floor, existing),
            )
            for case, command, db in runs:
                get_me, get_updates = await time_to_first_poll(
                    command, bot_env(emulator, db), relay
                )
                to_get_me[case].append(get_me)
                times[case].append(get_updates)
            print(
                f"  repeat {index + 1}: fresh {times['fresh'][-1]:.3f} s, existing "
                f"{times['existing'][-1]:.3f} s, floor {times['floor'][-1]:.3f} s",
                flush=True,
            )
        await relay.close()
    return times, to_get_me


IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_costs(top: int) -> tuple[float, list[tuple[float, float, int, str]]]:
    """All the run path's import time, and its heaviest imports: (cumulative ms, self ms, depth, module)."""
    code = "import bot.cli, bot.bootstrap, bot.services.investigating, bot.adapters.telegram.app"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in result.stderr.splitlines():
        if match := IMPORT_LINE.match(line):
            depth = (len(match[3]) - 1) // 2
            rows.append((int(match[2]) / 1000, int(match[1]) / 1000, depth, match[4]))
    # Only the outermost imports add up: a nested import is inside its parent's time.
    total = sum(cumulative for cumulative, _, depth, _ in rows if depth == 0)
    rows.sort(reverse=True)
    return total, rows[:top]


def main() -> None:
    """Read the options, time the start-ups, and print them with the import costs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--imports", type=int, default=15, help="heaviest imports to list")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
    times, to_get_me = asyncio.run(measure(args.repeat))
    print("time from spawn to the first getUpdates (target < 1.5 s):")
    for case, label in (
        ("fresh", "soteria-bot run, fresh database (migrations run)"),
        ("existing", "soteria-bot run, existing database"),
        ("floor", "floor: bench/echo_bot.py"),
    ):
        print(f"  {label:<50} {summary(times[case])}")
    for case in ("fresh", "existing"):
        ratio = statistics.median(times[case]) / statistics.median(times["floor"])
        print(f"  {case} ÷ floor (medians): {ratio:.2f}")
    # getMe is the first Bot API call: before it, the interpreter, the imports, the database
    # and playbooks, and building the application; after it, initialize() and post_init.
    print("where it goes (medians): spawn to first getMe, then getMe to first getUpdates")
    for case in ("fresh", "existing", "floor"):
        before = statistics.median(to_get_me[case])
        after = statistics.median(
            [poll - me for poll, me in zip(times[case], to_get_me[case], strict=True)]
        )
        print(f"  {case:<9} {before:.3f} s, then {after:.3f} s")
    total, heaviest = import_costs(args.imports)
    print(f"imports of the run path: {total:.0f} ms in all (python -X importtime, one run)")
    print(f"  {'cumulative':>10} {'self':>8}  module (indented by depth)")
    for cumulative, own, depth, name in heaviest:
        print(f"  {cumulative:8.1f}ms {own:6.1f}ms  {'  ' * depth}{name}")


if __name__ == "__main__":
    main()
