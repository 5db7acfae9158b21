import io
from pathlib import Path

from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "referential"


def run(command: str, /, *args, **options) -> tuple[str, str]:
    """Run a management command and return its standard output and standard error."""
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def summary(read: int, created: int, updated: int, rejected: int, noun: str) -> str:
    return (
        f"Lignes lues : {read}\n"
        f"{noun} créés : {created}\n"
        f"{noun} mis à jour : {updated}\n"
        f"Lignes rejetées : {rejected}\n"
    )


def rejected_lines(stderr: str) -> list[int]:
    return [int(line.split()[1]) for line in stderr.splitlines() if line.startswith("Ligne ")]
