"""``migrator lsp``: a language server (pygls) for editors.

On open, change and save it migrates the document in memory and publishes migrator's
findings as diagnostics (a declined rewrite or TF 1 code left: warning; a note about a
rewrite: hint), plus one information diagnostic when the file would be rewritten. Code
actions offer the rewrite of the whole pipeline and of each rule that changes the
document, as workspace edits of the document. [tool.migrator] applies as on the
command line. Needs the ``lsp`` extra (``pip install migrator[lsp]``).
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from migrator import engine
from migrator.config import ConfigError, load_config
from migrator.ruledocs import rule_url

try:
    _VERSION = version("migrator")
except PackageNotFoundError:  # a source tree that is not installed
    _VERSION = "0+unknown"

server = LanguageServer("migrator", _VERSION, text_document_sync_kind=types.TextDocumentSyncKind.Full)
_SEVERITY = {
    "converted": types.DiagnosticSeverity.Hint,
    "error": types.DiagnosticSeverity.Error,
}


def _rules(path: str):
    try:
        config = load_config(Path(path))
    except ConfigError:
        return engine.select_rules()
    return engine.select_rules(config.select, [*config.ignore, *config.ignored_for(os.path.relpath(path))])


def _migrate(uri: str, text: str, rules=None) -> engine.FileResult:
    path = to_fs_path(uri) or uri
    return engine.migrate_bytes(text.encode("utf-8"), path, _rules(path) if rules is None else rules)


def _position(line: int, col: int) -> types.Position:
    return types.Position(line=max(line - 1, 0), character=max(col, 0))


def diagnostics(result: engine.FileResult) -> list[types.Diagnostic]:
    out = []
    if result.status is engine.Status.FAILED:
        start = _position(result.line or 1, result.col)
        out.append(types.Diagnostic(
            range=types.Range(start=start, end=start), message=result.error or "cannot migrate",
            severity=types.DiagnosticSeverity.Error, source="migrator", code="E000",
        ))
    for f in result.findings:
        start = _position(f.line or 1, f.col)
        end = types.Position(line=start.line + 1, character=0)
        out.append(types.Diagnostic(
            range=types.Range(start=start, end=end), message=f.message, source="migrator", code=f.rule,
            severity=_SEVERITY.get(f.kind, types.DiagnosticSeverity.Warning),
            code_description=types.CodeDescription(href=rule_url(f.rule)),
        ))
    if result.changed:
        rules = ", ".join(f"{code} x{n}" for code, n in sorted(result.applied.items()))
        start = types.Position(line=0, character=0)
        out.append(types.Diagnostic(
            range=types.Range(start=start, end=start), source="migrator",
            message=f"migrator would rewrite this file ({rules}): see the code actions",
            severity=types.DiagnosticSeverity.Information,
        ))
    return out


def _publish(ls: LanguageServer, uri: str) -> None:
    document = ls.workspace.get_text_document(uri)
    result = _migrate(uri, document.source)
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics(result), version=document.version)
    )


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def _did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def _did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def _did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


def _replace_all(uri: str, old: str, new: str, version: int | None, title: str, kind) -> types.CodeAction:
    lines = old.split("\n")
    end = types.Position(line=len(lines) - 1, character=len(lines[-1]))
    edit = types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=new)
    return types.CodeAction(
        title=title, kind=kind,
        edit=types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=[edit],
        )]),
    )


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]),
)
def code_actions(ls: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    text = document.source
    result = _migrate(uri, text)
    if not result.changed:
        return []
    actions = [_replace_all(uri, text, result.new_bytes.decode("utf-8"), document.version,
                            "Migrate to TensorFlow 2 (every migrator rule)", types.CodeActionKind.SourceFixAll)]
    rules = {rule.code: rule for rule in engine.RULES}
    for code in sorted(result.applied):
        alone = _migrate(uri, text, [rules[code]])
        if alone.changed:
            actions.append(_replace_all(uri, text, alone.new_bytes.decode("utf-8"), document.version,
                                        f"migrator {code} {rules[code].slug}: {rules[code].summary}",
                                        types.CodeActionKind.QuickFix))
    return actions


def serve() -> None:
    server.start_io()
