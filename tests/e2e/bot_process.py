"""The real `soteria-bot run` as a child process, pointed at the emulator and a fresh database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

from ..conftest import PLAYBOOKS_DIR, REPO

READY = "soteria-bot is running as"


class BotProcess:
    """Start, stop, kill and restart the bot; its log is kept for a failing test to show."""

    def __init__(
        self,
        base_url: str,
        token: str,
        db_path: Path,
        case_key: str | None = "crime-reference",
    ) -> None:
        # The scenarios type crime references; a new installation's default is handles, which
        # `case_key=None` leaves it to.
        keyed = {} if case_key is None else {"SOTERIA_CASE_KEY": case_key}
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "SOTERIA_CASE_KEY"},
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": base_url,
            "SOTERIA_DB": str(db_path),
            "SOTERIA_PLAYBOOKS": str(PLAYBOOKS_DIR),
            "SOTERIA_LOG_LEVEL": "INFO",
            "NO_PROXY": "127.0.0.1",  # only 127.0.0.1 is ever a network target
            **keyed,
        }
        self.db_path = db_path
        #: What runs it, after the interpreter (a test may run it through a wrapper).
        self.command = ["-m", "bot", "run"]
        self.process: subprocess.Popen[str] | None = None
        self.lines: deque[str] = deque(maxlen=400)
        self._ready = threading.Event()

    def start(self, timeout: float = 20.0) -> BotProcess:
        """Start the bot and wait until it polls for updates."""
        self._ready.clear()
        self.process = subprocess.Popen(
            [sys.executable, *self.command],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the bot did not start:\n" + self.log)
        return self

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line.rstrip())
            if READY in line:
                self._ready.set()

    @property
    def log(self) -> str:
        """What the bot has logged lately."""
        return "\n".join(self.lines)

    def stop(self) -> int | None:
        """Stop the bot as systemd would (SIGTERM), killing it if it will not go."""
        if self.process is None:
            return None
        if self.process.poll() is not None:
            return self._closed()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self._closed()

    def kill(self) -> None:
        """Kill the bot outright, as a power cut or an out-of-memory kill would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
            self._closed()

    def _closed(self) -> int | None:
        assert self.process is not None
        self._reader.join(timeout=5)  # it stops at the end of the output
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode

    def problems(self) -> list[str]:
        """Log lines that show a crash: tracebacks and errors."""
        return [line for line in self.lines if "Traceback" in line or " ERROR " in line]

    def cli(self, *args: str) -> str:
        """A `soteria-bot` command on the bot's server, with its settings; it must succeed."""
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout
