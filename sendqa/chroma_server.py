"""A real Chroma server (`chroma run`) on loopback, for tests and the benchmark's server-mode rows."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sendqa.errors import SendQAError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_executable() -> str | None:
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    return exe if Path(exe).exists() else None


@contextmanager
def chroma_server(path: Path, port: int | None = None, start_timeout_s: float = 60) -> Iterator[str]:
    """Run `chroma run --path PATH` on 127.0.0.1 and yield its URL; stopped on the way out."""
    exe = chroma_executable()
    if exe is None:
        raise SendQAError("the `chroma` command is not installed (it comes with the chromadb package)")
    port = port or free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + start_timeout_s
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise SendQAError(f"the Chroma server did not start on port {port}") from None
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
