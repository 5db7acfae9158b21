"""Every project command prints its help, as an operator's first step."""

import pytest
from django.core.management import get_commands, load_command_class

PROJECT_COMMANDS = sorted(
    name for name, app in get_commands().items() if app.startswith("portefeuilles.")
)


def test_project_commands_found():
    assert "import_sirene" in PROJECT_COMMANDS
    assert "purge_journal" in PROJECT_COMMANDS


@pytest.mark.parametrize("name", PROJECT_COMMANDS)
def test_command_help_formats(name):
    app = get_commands()[name]
    command = load_command_class(app, name)
    parser = command.create_parser("portefeuilles", name)

    text = parser.format_help()

    assert f"portefeuilles {name}" in text
    assert command.help.split()[0] in text
