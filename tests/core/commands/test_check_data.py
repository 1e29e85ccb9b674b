import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_commitment
from tracker.core.services.commitment_import import commitments_import_paths


@pytest.mark.django_db
def test_sample_data_reports_findings_and_exits_non_zero(fixtures_dir, capsys):
    assert commitments_import_paths(paths=[fixtures_dir]).ok
    with pytest.raises(CommandError, match="need an editor"):
        call_command("check_data")
    out = capsys.readouterr().out
    assert "'YYYY-05-31' is not a date" in out
    assert "衛生福利部: spelled 衛生福利部 (1), 衛福部 (1)" in out


@pytest.mark.django_db
def test_clean_database_exits_zero(capsys):
    make_commitment(target_date_text="2030-12-31")
    call_command("check_data")
    assert "1 commitments checked: 0 findings, 0 need an editor" in capsys.readouterr().out


def test_files_are_checked_before_import_with_duplicate_ids(fixtures_dir, tmp_path, capsys):
    copy = tmp_path / "其他" / "copy.md"
    copy.parent.mkdir()
    copy.write_bytes((fixtures_dir / "教育" / "數位學習平板.md").read_bytes())
    with pytest.raises(CommandError):
        call_command("check_data", str(fixtures_dir), str(tmp_path))
    assert "! 其他/copy.md: id " in capsys.readouterr().out


@pytest.mark.django_db
def test_corpus_findings(corpus_commitments, capsys):
    with pytest.raises(CommandError):
        call_command("check_data", str(corpus_commitments))
    out = capsys.readouterr().out
    assert "[duplicate_id]: 2 (2 need an editor)" in out
    assert "農業 / 農業政策" in out
    assert "! 交通建設/117-花東鐵路通車.md: status 已延宕" in out


@pytest.mark.django_db
def test_log_mode_exits_zero_and_logs_what_needs_an_editor(fixtures_dir, caplog, capsys):
    assert commitments_import_paths(paths=[fixtures_dir]).ok
    with caplog.at_level("INFO", logger="tracker.check_data"):
        call_command("check_data", "--log")
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("'YYYY-05-31' is not a date" in message for message in warnings)
    assert warnings[-1].endswith("need an editor")
    assert " 0 need an editor" not in warnings[-1]
    assert capsys.readouterr().out == ""
