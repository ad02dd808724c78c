"""llama.cpp's OpenAI-compatible server (`python -m llama_cpp.server`) on loopback, for the `local` backend.

The local backend talks to it like any other OpenAI-compatible server, so there is one code path for every LLM.
A server started with `sendqa llm serve` is recorded in the data directory and reused by later processes; otherwise
the first question starts one that lives as long as the process.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from rag.backends.models import model_file
from sendqa.errors import SendQAError
from sendqa.settings import Settings


@dataclass
class RunningServer:
    base_url: str
    model_id: str
    pid: int
    process: subprocess.Popen | None = None  # set when this process owns it

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


_OWNED: dict[str, RunningServer] = {}


def _record_path(settings: Settings) -> Path:
    return settings.home_dir / "llm" / "server.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(base_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def server_command(model_path: Path, model_id: str, port: int, settings: Settings) -> list[str]:
    local = settings.answer.local
    threads = local.threads or os.cpu_count() or 2
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--model_alias", model_id,
            "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(local.context),
            "--n_threads", str(threads), "--n_threads_batch", str(threads), "--verbose", "False",
            # A second request must wait its turn, not cut the running answer short (sendqa queues them anyway).
            "--interrupt_requests", "False"]


def start_server(settings: Settings, port: int | None = None) -> RunningServer:
    """Start llama.cpp's server for the configured packaged model and wait until it answers."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        raise SendQAError("the local backend needs llama-cpp-python: run `make setup-llm` "
                          "(or `pip install 'llama-cpp-python[server]==0.3.36'`), or use --backend extractive") from None
    model_id = settings.answer.local.model
    path = model_file(model_id, (settings.answer.local.models_dir or settings.home_dir / "models").expanduser())
    port = port or _free_port()
    log = (settings.home_dir / "llm")
    log.mkdir(parents=True, exist_ok=True)
    stderr = (log / "server.log").open("ab")
    process = subprocess.Popen(server_command(path, model_id, port, settings), stdout=stderr, stderr=stderr,
                               stdin=subprocess.DEVNULL, env=os.environ | {"HF_HUB_OFFLINE": "1"})
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + settings.answer.local.start_timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (log / "server.log").read_bytes()[-800:].decode("utf-8", "replace")
            raise SendQAError(f"llama.cpp server for {model_id} exited ({process.returncode}): {tail.strip()}")
        if healthy(base_url, timeout=1.0):
            return RunningServer(base_url, model_id, process.pid, process)
        time.sleep(0.2)
    process.kill()
    raise SendQAError(f"llama.cpp server for {model_id} did not start within {settings.answer.local.start_timeout_s:g}s")


def record(server: RunningServer, settings: Settings) -> None:
    path = _record_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"base_url": server.base_url, "model_id": server.model_id, "pid": server.pid}))


def local_server(settings: Settings) -> RunningServer:
    """A healthy server for the configured model: the recorded one, one this process started, or a new one."""
    model_id = settings.answer.local.model
    path = _record_path(settings)
    if path.exists():
        try:
            found = json.loads(path.read_text())
            if found.get("model_id") == model_id and healthy(found["base_url"]):
                return RunningServer(found["base_url"], model_id, int(found["pid"]))
        except (ValueError, KeyError):
            pass
    owned = _OWNED.get(model_id)
    if owned and owned.process and owned.process.poll() is None and healthy(owned.base_url):
        return owned
    server = start_server(settings)
    _OWNED[model_id] = server
    atexit.register(server.stop)
    return server
