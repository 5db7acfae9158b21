"""Production settings: `check --deploy` silent, SMTP from the environment; files under DEBUG."""

import json
import os
import subprocess
import sys

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "portefeuilles.example",
}


def run(args, env_overrides, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(env_overrides)
    env["PORTEFEUILLES_VAR_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "portefeuilles.settings"
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120
    )


SHOW_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: str(getattr(s, k, '')) for k in ["
    "'EMAIL_BACKEND', 'EMAIL_FILE_PATH', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', "
    "'EMAIL_USE_TLS', 'DEFAULT_FROM_EMAIL', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'SESSION_IDLE_TIMEOUT', 'SESSION_COOKIE_AGE', 'TRUSTED_PROXY_COUNT']}))"
)


def test_check_deploy_reports_nothing(tmp_path):
    result = run(
        ["-m", "portefeuilles", "check", "--deploy", "--fail-level", "DEBUG"],
        PRODUCTION_ENV,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_sends_by_smtp_from_environment(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "EMAIL_HOST": "smtp.portefeuilles.example",
        "EMAIL_PORT": "2525",
        "EMAIL_HOST_USER": "robot",
        "EMAIL_USE_TLS": "1",
        "DEFAULT_FROM_EMAIL": "Portefeuilles <robot@portefeuilles.example>",
        "SESSION_IDLE_TIMEOUT": "600",
        "TRUSTED_PROXY_COUNT": "1",
    }
    result = run(["-c", SHOW_SETTINGS], env, tmp_path)
    values = json.loads(result.stdout)
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["EMAIL_HOST"] == "smtp.portefeuilles.example"
    assert values["EMAIL_PORT"] == "2525"
    assert values["EMAIL_HOST_USER"] == "robot"
    assert values["EMAIL_USE_TLS"] == "True"
    assert values["DEFAULT_FROM_EMAIL"] == "Portefeuilles <robot@portefeuilles.example>"
    assert values["SESSION_COOKIE_SECURE"] == "True"
    assert values["CSRF_COOKIE_SECURE"] == "True"
    assert values["SESSION_IDLE_TIMEOUT"] == "600"
    assert values["SESSION_COOKIE_AGE"] == "43200"
    assert values["TRUSTED_PROXY_COUNT"] == "1"


def test_debug_writes_mail_under_var(tmp_path):
    result = run(["-c", SHOW_SETTINGS], {"DEBUG": "1"}, tmp_path)
    values = json.loads(result.stdout)
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["EMAIL_FILE_PATH"] == str(tmp_path / "mail")


def test_invalid_number_in_environment_named(tmp_path):
    result = run(["-c", SHOW_SETTINGS], {"DEBUG": "1", "SESSION_IDLE_TIMEOUT": "30min"}, tmp_path)
    assert result.returncode != 0
    assert "SESSION_IDLE_TIMEOUT must be a whole number, not '30min'" in result.stderr
