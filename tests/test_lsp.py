"""`migrator lsp` with a real LSP client over stdio: initialize, didOpen, diagnostics,
codeAction, shutdown."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from lsprotocol import types  # pygls is in the test extra: a missing one fails here
from pygls.lsp.client import BaseLanguageClient

from tests.test_cli import ROOT, TF1  # noqa: E402

TODO = b"import tensorflow as tf\n\nx = tf.contrib.seq2seq.BasicDecoder(y, t, w)\n"


async def _session(tmp_path: Path) -> tuple[dict, list, list]:
    client = BaseLanguageClient("test-client", "1")
    published: dict[str, list[types.Diagnostic]] = {}
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published[params.uri] = params.diagnostics
        if len(published) == 2:
            arrived.set()

    await client.start_io(sys.executable, "-m", "migrator", "lsp", env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        await client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=tmp_path.as_uri())
        )
        client.initialized(types.InitializedParams())
        uris = []
        for name, text in (("train.py", TF1), ("todo.py", TODO)):
            uri = (tmp_path / name).as_uri()
            uris.append(uri)
            client.text_document_did_open(types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text.decode())
            ))
        await asyncio.wait_for(arrived.wait(), timeout=120)
        everywhere = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uris[0]), range=everywhere,
            context=types.CodeActionContext(diagnostics=[]),
        ))
        none = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uris[1]), range=everywhere,
            context=types.CodeActionContext(diagnostics=[]),
        ))
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()
    return published, actions, none


def test_a_real_client_session_gets_diagnostics_and_code_actions(tmp_path: Path) -> None:
    published, actions, none = asyncio.run(_session(tmp_path))
    todo = published[(tmp_path / "todo.py").as_uri()]
    contrib = next(d for d in todo if "tfa.seq2seq" in d.message)  # a tf.contrib use with no TF 2.21 home
    assert (contrib.range.start.line, contrib.range.start.character) == (2, 4)
    assert contrib.code in ("G103", "R001") and contrib.severity == types.DiagnosticSeverity.Warning
    train = published[(tmp_path / "train.py").as_uri()]
    assert any("would rewrite this file (G101" in d.message for d in train)
    titles = [a.title for a in actions]
    assert titles[0] == "Migrate to TensorFlow 2 (every migrator rule)" and any(t.startswith("migrator G101") for t in titles)
    edit = actions[0].edit.document_changes[0].edits[0]
    assert "tf.function" in edit.new_text and "tf.Session" not in edit.new_text
    assert not none, "nothing to rewrite in a file that only has to-do findings"
