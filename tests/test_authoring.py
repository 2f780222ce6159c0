"""Adding documents: seeds copied byte for byte, never overwritten."""

import hashlib
import json

from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.checks.validate import validate_paths

runner = CliRunner()


def test_new_copies_bytes_and_writes_a_valid_empty_annotation(tmp_path):
    src = tmp_path / "in" / "article.txt"
    src.parent.mkdir()
    raw = "Seoul – “quoted” text\r\nwith CRLF and 한국어.\n".encode("utf-8")
    src.write_bytes(raw)
    result = runner.invoke(app, ["new", str(src), "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "seeds" / "article.txt").read_bytes() == raw
    ann = json.loads((tmp_path / "annotations" / "article.json").read_text())
    assert ann["sha256"] == hashlib.sha256(raw).hexdigest()
    assert validate_paths([tmp_path / "annotations"]).issues == []


def test_new_refuses_to_overwrite_and_bad_encoding(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("one")
    assert runner.invoke(app, ["new", str(src), "--root", str(tmp_path)]).exit_code == 0
    src.write_text("two")
    again = runner.invoke(app, ["new", str(src), "--root", str(tmp_path)])
    assert again.exit_code == 1 and "[duplicate-document]" in again.stderr
    assert (tmp_path / "seeds" / "a.txt").read_text() == "one"
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"\xff\xfe")
    result = runner.invoke(app, ["new", str(bad), "--root", str(tmp_path)])
    assert result.exit_code == 1 and "[invalid-encoding]" in result.stderr
    assert not (tmp_path / "seeds" / "b.txt").exists()
