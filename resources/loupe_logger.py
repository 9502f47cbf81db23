"""loupe_logger: log a PyTorch (or any Python) training job to a Loupe run file. One file, standard library only.

Loupe follows the file live (`loupe watch runs/` or "Watch a run..." in the app): charts, alerts and seed
comparisons work as for Loupe's own runs. The file is JSON lines (Loupe's DESIGN.md section 10):
    {"type":"run","name":...,"config":{...},"started_at":...}
    {"type":"metric","step":N,"key":"train/loss","value":x,"time":t}
    {"type":"checkpoint","step":N,"path":"hf-folder"}
    {"type":"end","status":"finished"}

Usage (works unchanged under torchrun: only rank 0 writes, every other rank gets a logger that does nothing):

    from loupe_logger import LoupeLogger

    with LoupeLogger("runs/gpt-small.jsonl", name="gpt-small", config={"max_steps": 5000, "lr": 6e-4}) as log:
        for step in range(1, 5001):
            loss = train_step()                       # a float or a 0-d tensor
            log.metrics(step, {"train/loss": loss, "train/lr": lr, "train/grad_norm": norm})
            if step % 250 == 0:
                log.metric(step, "val/loss", evaluate())
    # leaving the block writes {"type":"end","status":"finished"}, or "failed" with the error if it raised

Keys Loupe knows (its alerts read them): train/loss, train/lr, train/grad_norm (before clipping), train/clipped,
train/tokens_per_s, train/step_ms, train/tokens_seen, val/loss, val/ppl. Any other key is charted too.
Put the step count and clip under config ("max_steps", "grad_clip" or "max_grad_norm"): the alert windows use them.

Lines are buffered and written at most every `flush_every` seconds (default 2) and at every checkpoint and the
end, so a logger in a tight loop costs almost nothing. Resuming from a checkpoint appends to the same file; the
steps going back tell Loupe it was a restart, and it keeps the values logged over.
"""

import atexit
import json
import math
import os
import sys
import time

__all__ = ["LoupeLogger", "is_rank_zero"]
__version__ = "1"


def is_rank_zero():
    """True on the process that should log: rank 0 of torch.distributed if initialised, else RANK / LOCAL_RANK."""
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            dist = torch.distributed
            if dist.is_available() and dist.is_initialized():
                return dist.get_rank() == 0
        except Exception:
            pass
    for var in ("RANK", "LOCAL_RANK"):
        value = os.environ.get(var)
        if value not in (None, ""):
            try:
                return int(value) == 0
            except ValueError:
                return True
    return True


def _number(value):
    """A float for JSON; NaN and infinities as strings (JSON has no literal for them)."""
    if hasattr(value, "item"):
        value = value.item()
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _jsonable(obj):
    """Configs hold paths, tuples, dtypes and the like: keep what JSON can say, repr() the rest."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else str(obj)
    return repr(obj)


class LoupeLogger:
    """Appends a run to `path` (rank 0 only). Use as a context manager, or call close(status) at the end."""

    def __init__(self, path, name=None, config=None, flush_every=2.0, enabled=None):
        self.enabled = is_rank_zero() if enabled is None else bool(enabled)
        self.path = path
        self.flush_every = float(flush_every)
        self._buffer = []
        self._last_flush = time.monotonic()
        self._closed = False
        self._failure = None
        if not self.enabled:
            return
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        self._file = open(path, "a", encoding="utf-8")
        if name is None:
            name = os.path.splitext(os.path.basename(path))[0]
        self._write({"type": "run", "name": str(name), "config": _jsonable(config or {}), "started_at": time.time()})
        self.flush()
        # A script that never calls close() still ends its run: "finished" on a normal exit, "failed" after an
        # uncaught exception. A killed process writes nothing more, and Loupe marks the run stale.
        self._previous_hook = sys.excepthook
        sys.excepthook = self._excepthook
        atexit.register(self._at_exit)

    def metric(self, step, key, value):
        """One value of one metric at one optimizer step."""
        if self.enabled and not self._closed:
            self._write({"type": "metric", "step": int(step), "key": str(key), "value": _number(value), "time": time.time()})
            self._maybe_flush()

    def metrics(self, step, values):
        """Several metrics of one step, e.g. {"train/loss": loss, "train/lr": lr}."""
        for key, value in values.items():
            self.metric(step, key, value)

    def checkpoint(self, step, path):
        """A checkpoint folder (Hugging Face layout: config.json + model.safetensors), relative to the run file."""
        if self.enabled and not self._closed:
            rel = os.path.relpath(os.path.abspath(path), os.path.dirname(os.path.abspath(self.path)))
            self._write({"type": "checkpoint", "step": int(step), "path": rel})
            self.flush()

    def close(self, status="finished", error=None):
        """Writes the end line (status: finished, failed, stopped or crashed) and closes the file."""
        if not self.enabled or self._closed:
            return
        end = {"type": "end", "status": status}
        if error:
            end["error"] = str(error)[:2000]
        self._write(end)
        self.flush()
        self._closed = True
        self._file.close()

    def flush(self):
        if self.enabled and self._buffer and not self._file.closed:
            self._file.write("".join(self._buffer))
            self._file.flush()
            self._buffer = []
        self._last_flush = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close("finished")
        elif issubclass(exc_type, KeyboardInterrupt):
            self.close("stopped", "interrupted")
        else:
            self.close("failed", "%s: %s" % (exc_type.__name__, exc))
        return False

    def _write(self, obj):
        self._buffer.append(json.dumps(obj, allow_nan=False, separators=(",", ":")) + "\n")

    def _maybe_flush(self):
        if len(self._buffer) >= 10000 or time.monotonic() - self._last_flush >= self.flush_every:
            self.flush()

    def _excepthook(self, exc_type, exc, tb):
        self._failure = (exc_type, exc)
        self._previous_hook(exc_type, exc, tb)

    def _at_exit(self):
        if self._closed:
            return
        if self._failure is None:
            self.close("finished")
        elif issubclass(self._failure[0], KeyboardInterrupt):
            self.close("stopped", "interrupted")
        else:
            self.close("failed", "%s: %s" % (self._failure[0].__name__, self._failure[1]))
