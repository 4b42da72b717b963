from __future__ import annotations

import numpy as np
import pytest

from kefu.bot.embeddings import embeddings_installed, load_embedder


def test_packaged_sentence_model_encodes_offline() -> None:
    if not embeddings_installed():
        pytest.skip("the optional kefu[embeddings] extra is not installed")
    embedder = load_embedder()
    assert embedder is not None
    vectors = embedder.encode(["where is my card", "my card has not arrived", "cook pasta"])
    assert vectors.shape == (3, embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_missing_package_means_no_embedder() -> None:
    assert load_embedder("kefu_no_such_model_package") is None
