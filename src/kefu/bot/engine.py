"""The bot's per-process runtime: each shop's trained intent model, loaded once and reloaded
when its file changes, and the CPU work on one message (sentiment, cues, classifier).

`understand` is plain CPU work (jieba, scikit-learn): callers run it in a thread
(`asyncio.to_thread`) so the event loop keeps serving sockets meanwhile. A shop without a
model file (`<model_dir>/<shop id>.joblib`) uses the packaged model its settings name (the
demo shops do), or else runs on the built-in cues and its knowledge base.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from kefu.bot.intent import IntentModel, IntentPrediction
from kefu.bot.intents import Intent, cue_intent
from kefu.bot.packaged import packaged_model_path
from kefu.bot.sentiment import Sentiment, analyse

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Understanding:
    sentiment: Sentiment
    cue: Intent | None
    prediction: IntentPrediction | None  # None: the shop has no model


@dataclass(frozen=True, slots=True)
class _Loaded:
    stamp: tuple[int, int]  # the file's modification time and size when loaded
    model: IntentModel | None  # None: the file could not be loaded (logged once)


class BotEngine:
    """One per process. Thread-safe: `understand` may run in several threads at once."""

    def __init__(self, model_dir: Path | None) -> None:
        self.model_dir = model_dir
        self._models: dict[Path, _Loaded] = {}
        self._lock = threading.Lock()

    def model_path(self, shop_id: int) -> Path | None:
        return None if self.model_dir is None else self.model_dir / f"{shop_id}.joblib"

    def model(self, shop_id: int, packaged: str | None = None) -> IntentModel | None:
        """The shop's own intent model, else the packaged model named ``packaged`` (the demo
        shops'), else None. A file is read again when its modification time or size changes:
        one `stat` per call."""
        own = self.model_path(shop_id)
        model = self._cached(own) if own is not None else None
        if model is None and packaged is not None:
            try:
                model = self._cached(packaged_model_path(packaged))
            except ValueError:
                log.warning("no packaged intent model %r; using cues and the KB only", packaged)
        return model

    def _cached(self, path: Path) -> IntentModel | None:
        try:
            status = path.stat()
        except OSError:
            with self._lock:
                self._models.pop(path, None)
            return None
        stamp = (status.st_mtime_ns, status.st_size)
        with self._lock:
            loaded = self._models.get(path)
            if loaded is None or loaded.stamp != stamp:
                loaded = _Loaded(stamp, self._load(path))
                self._models[path] = loaded
            return loaded.model

    @staticmethod
    def _load(path: Path) -> IntentModel | None:
        try:
            return IntentModel.load(path)
        except Exception:  # a stale or foreign file must not stop the bot; retrain it
            log.exception("cannot load the intent model %s; using cues and the KB only", path)
            return None

    def understand(self, shop_id: int, text: str, packaged: str | None = None) -> Understanding:
        model = self.model(shop_id, packaged)
        return Understanding(
            sentiment=analyse(text),
            cue=cue_intent(text),
            prediction=model.predict(text) if model is not None else None,
        )
