"""Keep the README honest: its set-up commands exist, CI runs its test command, and every
command-line invocation it shows is accepted by the CLI."""

from __future__ import annotations

import re
import subprocess

from analytics.paths import PROJECT_DIR
from tests.conftest import run_cli

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
CI = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")


def setup_commands() -> dict[str, str]:
    block = re.search(r"## Set-up: two commands.*?```bash\n(.*?)```", README, re.S)
    assert block, "README lost its set-up section"
    lines = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    return {"run": lines[0], "test": lines[1]}


def test_ci_runs_the_readme_test_command():
    test_command = setup_commands()["test"]
    ci_commands = [line.strip() for line in CI.splitlines()
                   if line.strip() and not line.startswith("#")]
    assert test_command in ci_commands


def test_readme_make_targets_exist():
    for command in setup_commands().values():
        target = command.split()[1]
        dry = subprocess.run(["make", "-n", target], cwd=PROJECT_DIR, capture_output=True,
                             text=True)
        assert dry.returncode == 0, dry.stderr


def test_every_cli_command_in_readme_has_help():
    commands = set(re.findall(r"python -m analytics (\w+)", README))
    assert {"ingest", "export"} <= commands
    for command in commands:
        result = run_cli(command, "--help")
        assert result.returncode == 0, result.stderr
        for option in re.findall(rf"analytics {command} [^\n]*", README):
            for flag in re.findall(r"--[a-z-]+", option):
                assert flag in result.stdout, f"{flag} of {command} is documented but unknown"
