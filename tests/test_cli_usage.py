"""A wrong argument to any `newscrawl` subcommand is one line naming it, and exit code 2 (README: "A wrong argument
stops any command before it starts, with one line naming it"). argparse printed its usage block first (2–4 lines),
and blamed an unknown option on `newscrawl` rather than on the subcommand that did not take it."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl import cli

WRONG = {
    "": ("newscrawl", "the following arguments are required: COMMAND"),
    "verfy x": ("newscrawl", "argument COMMAND: invalid choice: 'verfy' (choose from "),
    "verify": ("newscrawl verify", "the following arguments are required: FEED"),
    "verify feed.jsonl --bogus": ("newscrawl verify", "unrecognized arguments: --bogus"),
    "status -n x": ("newscrawl status", "argument -n: expected a whole number >= 0, got 'x'"),
    "status --bogus": ("newscrawl status", "unrecognized arguments: --bogus"),
    "report --since 2025": ("newscrawl report", "argument --since: '2025' is not a date in the form YYYY-MM-DD"),
    "reparse x.warc.gz --jobs 0": ("newscrawl reparse", "argument --jobs: '0' is neither a positive whole number "
                                                        "nor auto"),
    "history": ("newscrawl history", "the following arguments are required: url"),
    "history URL --diff 1": ("newscrawl history", "argument --diff: expected 2 arguments"),
    "enqueue": ("newscrawl enqueue", "the following arguments are required: spider"),
    "merge a.jsonl": ("newscrawl merge", "the following arguments are required: -o/--output"),
    "pack x.warc.gz": ("newscrawl pack", "the following arguments are required: -o/--output"),
    "run": ("newscrawl run", "the following arguments are required: spider"),
}


@pytest.mark.parametrize("argv", list(WRONG))
def test_a_wrong_argument_is_one_line_naming_the_subcommand(argv: str, capsys: pytest.CaptureFixture[str]) -> None:
    prog, message = WRONG[argv]
    with pytest.raises(SystemExit) as usage:
        cli.main(argv.split())
    out, err = capsys.readouterr()
    assert usage.value.code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(f"{prog}: error: {message}") and err.endswith(f"; see {prog} --help\n"), err


@pytest.mark.parametrize("argv", ["--help", "verify --help", "reparse -h"])
def test_help_is_still_the_usage_and_options(argv: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as shown:
        cli.main(argv.split())
    out = capsys.readouterr().out
    assert shown.value.code == 0 and out.startswith("usage: newscrawl") and "options:" in out, out


def test_a_leading_tilde_in_a_path_argument_is_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """As in `-a replay=~/x`: a quoted `newscrawl reparse -o '~/new.jsonl'` made a folder named ~ in the working
    folder. Every path argument of every subcommand goes through one converter (cli._path)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["verify", "~/feed.jsonl"]) == 2
    assert capsys.readouterr().err == f"newscrawl verify: cannot read {tmp_path}/home/feed.jsonl: No such file or " \
                                      "directory\n"
    parser = cli.build_parser()
    args = parser.parse_args(["reparse", "~/x.warc.gz", "-o", "~/new.jsonl", "--against", "~/old.jsonl"])
    assert (args.archive, args.output, args.against) == tuple(f"{tmp_path}/home/{name}" for name in
                                                               ("x.warc.gz", "new.jsonl", "old.jsonl"))
    assert parser.parse_args(["status", "--output", "output/"]).output == "output/", "other paths kept as typed"
