import pytest
from django.core.management import CommandError, call_command

from tests.core.services.test_reply_import import REPLIES, reply_line, write
from tracker.core.models import Source


@pytest.mark.django_db
def test_it_imports_and_summarises(capsys):
    call_command("import_replies", str(REPLIES))
    assert "6 lines, 5 replies: 5 new" in capsys.readouterr().out
    assert Source.objects.count() == 5


@pytest.mark.django_db
def test_bad_line_is_named_the_rest_imported_and_exit_is_non_zero(tmp_path, capsys):
    path = write(tmp_path, reply_line("a"), "[]", reply_line("b"))
    with pytest.raises(CommandError, match="1 lines skipped"):
        call_command("import_replies", str(path))
    assert f"error: {path}:2: expected an object" in capsys.readouterr().err
    assert Source.objects.count() == 2


@pytest.mark.django_db
def test_missing_file_is_reported(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_replies", str(tmp_path / "nope.jsonl"))
    assert "nope.jsonl: no such file" in capsys.readouterr().err
