"""Checking playbook files in a child process with a CPU-time limit, for the bot's event loop.

A trainer's upload or /reload is checked before anything is published. Done in the bot's own
process, a file made to be slow would hold every chat up while it is checked; done here, in a
child process limited to `CPU_SECONDS` of CPU, the bot goes on answering, and a check that
runs out of time is a problem on the file like any other. The face runs `check_limited` on a
worker thread and hands the result to `remember`; publishing then takes it with `recall`
instead of checking the same bytes again.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from bot.core.parsing import Sourced
from bot.services.context import Context
from bot.store.playbook_files import FileProblem, Library, load_library

#: CPU seconds one check may take: the largest upload allowed takes well under two.
CPU_SECONDS = 10
#: Memory a check may take: a 256 KB file needs a few tens of megabytes.
MEMORY_BYTES = 1 << 30
#: Checks remembered for publishing to take: one per trainer at a time is plenty.
REMEMBERED = 8

Result = TypeVar("Result")


class TooSlow(Exception):
    """The child ran out of CPU time (or memory) and was stopped."""


@dataclass(frozen=True, slots=True)
class Check:
    """Playbook files to check together, with the catalogue they are checked against."""

    #: (name, text) of each playbook file, named as the trainer knows it.
    files: tuple[tuple[str, bytes], ...]
    #: (name, text) of milestones.yaml and settings.yaml.
    catalogue: tuple[tuple[str, str], ...]
    #: Playbooks published elsewhere, which an `open` may name.
    known_ids: tuple[str, ...]

    def key(self) -> str:
        """What identifies this check: the same files against the same catalogue."""
        digest = hashlib.sha256()
        for name, data in self.files:
            digest.update(name.encode() + b"\0" + data + b"\0")
        for name, text in self.catalogue:
            digest.update(name.encode() + b"\0" + text.encode() + b"\0")
        digest.update("\0".join(sorted(self.known_ids)).encode())
        return digest.hexdigest()


def check(request: Check) -> Library:
    """Check the files in a folder of their own; problems name the files as the trainer does."""
    with tempfile.TemporaryDirectory(prefix="soteria-check-") as folder:
        root = Path(folder)
        for name, text in request.catalogue:
            (root / name).write_text(text, encoding="utf-8")
        paths = []
        for name, data in request.files:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            paths.append(path)
        library = load_library(paths, root, known_ids=request.known_ids)
    names = {str(root / name): name for name, _ in [*request.files, *request.catalogue]}
    library.problems = [
        replace(problem, file=names.get(problem.file, problem.file))
        for problem in library.problems
    ]
    library.playbooks = [
        Sourced(names.get(entry.source, entry.source), entry.playbook)
        for entry in library.playbooks
    ]
    return library


def check_limited(request: Check, cpu_seconds: int = CPU_SECONDS) -> Library:
    """`check`, in a child process stopped after `cpu_seconds` of CPU (blocks: use a thread)."""
    try:
        return run_limited(check, (request,), cpu_seconds)
    except TooSlow:
        name = request.files[0][0] if request.files else "playbooks"
        return Library(
            problems=[
                FileProblem(
                    name,
                    1,
                    1,
                    f"checking this took more than {cpu_seconds} seconds, so it was stopped; "
                    "make the playbook smaller or its conditions simpler",
                )
            ]
        )


def run_limited(
    work: Callable[..., Result], args: Sequence[Any], cpu_seconds: int = CPU_SECONDS
) -> Result:
    """`work(*args)` in a child process with at most `cpu_seconds` of CPU; TooSlow past it.

    The child is forked from a small server process started once (forkserver), never from the
    bot itself, whose threads and connections a fork would copy.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["bot.services.checking"])
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(work, tuple(args), cpu_seconds, sending), daemon=True
    )
    child.start()
    sending.close()
    try:
        # The CPU limit stops a busy child; this stops one that sleeps or is starved.
        if not receiving.poll(cpu_seconds * 3 + 10):
            raise TooSlow
        outcome, value = receiving.recv()
    except EOFError:
        raise TooSlow from None
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome == "raised":
        raise value
    return value  # type: ignore[no-any-return]


def _child(
    work: Callable[..., Any], args: tuple[Any, ...], cpu_seconds: int, sending: Any
) -> None:
    """In the child: limit CPU and memory, do the work, send back what came of it."""
    import resource  # POSIX only, as the bot is; the terminal chat never comes here.

    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    try:
        sending.send(("returned", work(*args)))
    except MemoryError:
        pass  # Stopped, as a check out of time is: the parent says so.
    except Exception as error:
        sending.send(("raised", error))
    finally:
        sending.close()


def remember(ctx: Context, request: Check, library: Library) -> None:
    """Keep a check's result for publishing to take (the oldest go first)."""
    ctx.checked[request.key()] = library
    while len(ctx.checked) > REMEMBERED:
        del ctx.checked[next(iter(ctx.checked))]


def recall(ctx: Context, request: Check) -> Library | None:
    """The result of this check made off the event loop, if there was one (taken once)."""
    return ctx.checked.pop(request.key(), None)
