"""Small synthetic data files for development projects whose data is a download.

Each generator writes into a folder (created) and is deterministic: the same bytes on
every run, so the original and the migrated project read the same data. Used by
`benchmarks/projects.py` through a list's `data = ["NAME:FOLDER"]`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def bert_tiny(folder: Path) -> None:
    """A 2-layer BERT configuration, its vocabulary and a CoLA-format toy task."""
    folder.mkdir(parents=True, exist_ok=True)
    words = ["the", "a", "cat", "dog", "sat", "ran", "on", "mat", "fast", "slow", "big", "small", "is", "was"]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    config = {
        "attention_probs_dropout_prob": 0.0, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
        "hidden_size": 16, "initializer_range": 0.02, "intermediate_size": 32, "max_position_embeddings": 32,
        "num_attention_heads": 2, "num_hidden_layers": 2, "type_vocab_size": 2, "vocab_size": len(vocab),
    }
    (folder / "bert_config.json").write_text(json.dumps(config, indent=2) + "\n")
    rng = np.random.RandomState(7)
    for name, rows in (("train.tsv", 32), ("dev.tsv", 8)):
        lines = []
        for i in range(rows):
            sentence = " ".join(rng.choice(words, size=rng.randint(3, 8)))
            lines.append(f"gj{i:04d}\t{i % 2}\t*\t{sentence}")
        (folder / name).write_text("\n".join(lines) + "\n")


GENERATORS = {"bert_tiny": bert_tiny}
