"""deliver by email through aiosmtpd: STARTTLS + AUTH, to/cc/bcc (bcc never in headers), attachment, body."""

from __future__ import annotations

import email
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from typing import Any

from conftest import Invoke, record_line, records
from servers.smtp import PASSWORD, USER


def payload(key: str) -> str:
    return record_line(
        "payload", key, f'<order number="{key}"/>', meta={"channel": "web", "format": "xml"}, type="application/xml"
    )


def mail_config(
    tmp_config: Callable[..., Path], smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], **extra: str
) -> Path:
    controller = smtp_server[0]
    lines = [
        "[destinations.orders-mail]",
        'type = "email"',
        'host = "127.0.0.1"',
        f"port = {controller.port}",
        f'username = "{USER}"',
        'password = "${SMTP_PASSWORD}"',
        f'from = "{USER}"',
        'to = ["mis@example.com"]',
        'cc = "ops@example.com"',
        'bcc = ["audit@example.com"]',
        'subject = "Order {key} ({meta.channel})"',
        f'ca_file = "{tls_cert[0]}"',
        *[f"{k} = {v}" for k, v in extra.items()],
    ]
    return tmp_config("\n".join(lines) + "\n")


def parsed(envelope: dict[str, Any]) -> Message:
    return email.message_from_bytes(envelope["data"])


def test_mail_with_attachment_reaches_bcc_without_naming_it(
    invoke: Invoke, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], tmp_config: Callable[..., Path]
) -> None:
    config = mail_config(tmp_config, smtp_server, tls_cert)
    result = invoke(
        ["deliver", "--to", "orders-mail"], input=payload("1203"), config=config, env={"SMTP_PASSWORD": PASSWORD}
    )
    assert result.exit_code == 0, result.stderr
    body = records(result.stdout)[0]["body"]
    assert body["status"] == "delivered" and body["remote_ref"].startswith("<flowkit.")
    [envelope] = smtp_server[1].envelopes
    assert sorted(envelope["to"]) == ["audit@example.com", "mis@example.com", "ops@example.com"]
    message = parsed(envelope)
    assert message["Subject"] == "Order 1203 (web)"
    assert message["To"] == "mis@example.com" and message["Cc"] == "ops@example.com"
    assert message["Bcc"] is None and b"audit@example.com" not in envelope["data"]
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename() == "1203.xml"
    assert attachment.get_payload(decode=True) == b'<order number="1203"/>'
    again = invoke(
        ["deliver", "--to", "orders-mail"], input=payload("1203"), config=config, env={"SMTP_PASSWORD": PASSWORD}
    )
    assert records(again.stdout)[0]["body"]["status"] == "duplicate"
    assert len(smtp_server[1].envelopes) == 1


def test_inline_body_without_attachment(
    invoke: Invoke, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], tmp_config: Callable[..., Path]
) -> None:
    config = mail_config(tmp_config, smtp_server, tls_cert, inline="true", attach="false")
    result = invoke(
        ["deliver", "--to", "orders-mail"], input=payload("77"), config=config, env={"SMTP_PASSWORD": PASSWORD}
    )
    assert result.exit_code == 0, result.stderr
    message = parsed(smtp_server[1].envelopes[0])
    assert not message.is_multipart()
    assert message.get_payload(decode=True).strip() == b'<order number="77"/>'


def test_wrong_password_is_refused(
    invoke: Invoke, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], tmp_config: Callable[..., Path]
) -> None:
    config = mail_config(tmp_config, smtp_server, tls_cert)
    result = invoke(
        ["deliver", "--to", "orders-mail"], input=payload("1"), config=config, env={"SMTP_PASSWORD": "wrong"}
    )
    assert result.exit_code == 69
    assert "authentication failed" in result.stderr and "wrong" not in result.stderr
    assert smtp_server[1].envelopes == []


def test_untrusted_certificate_is_refused(
    invoke: Invoke, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], tmp_config: Callable[..., Path]
) -> None:
    config = mail_config(tmp_config, smtp_server, tls_cert)
    config.write_text(config.read_text().replace(f'ca_file = "{tls_cert[0]}"\n', ""))
    result = invoke(
        ["deliver", "--to", "orders-mail"], input=payload("1"), config=config, env={"SMTP_PASSWORD": PASSWORD}
    )
    assert result.exit_code == 69
    assert "TLS certificate not trusted" in result.stderr
