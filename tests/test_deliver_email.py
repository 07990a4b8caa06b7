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


def mail_config(tmp_config: Callable[..., Path], smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], **extra: str) -> Path:
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
    result = invoke(["deliver", "--to", "orders-mail"], input=payload("1203"), config=config, env={"SMTP_PASSWORD": PASSWORD})
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
    again = invoke(["deliver", "--to", "orders-mail"], input=payload("1203"), config=config, env={"SMTP_PASSWORD": PASSWORD})
    assert records(again.stdout)[0]["body"]["status"] == "duplicate"
    assert len(smtp_server[1].envelopes) == 1


def test_inline_body_without_attachment(
    invoke: Invoke, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], tmp_config: Callable[..., Path]
) -> None:
    config = mail_config(tmp_config, smtp_server, tls_cert, inline="true", attach="false")
    result = invoke(["deliver", "--to", "orders-mail"], input=payload("77"), config=config, env={"SMTP_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.stderr
    message = parsed(smtp_server[1].envelopes[0])
    assert not message.is_multipart()
    assert message.get_payload(decode=True).strip() == b'<order number="77"/>'


def test_wrong_password_is_refused(
    invoke: Invoke, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], tmp_config: Callable[..., Path]
) -> None:
    config = mail_config(tmp_config, smtp_server, tls_cert)
    result = invoke(["deliver", "--to", "orders-mail"], input=payload("1"), config=config, env={"SMTP_PASSWORD": "wrong"})
    assert result.exit_code == 69
    assert "authentication failed" in result.stderr and "wrong" not in result.stderr
    assert smtp_server[1].envelopes == []


def test_untrusted_certificate_is_refused(
    invoke: Invoke, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], tmp_config: Callable[..., Path]
) -> None:
    config = mail_config(tmp_config, smtp_server, tls_cert)
    config.write_text(config.read_text().replace(f'ca_file = "{tls_cert[0]}"\n', ""))
    result = invoke(["deliver", "--to", "orders-mail"], input=payload("1"), config=config, env={"SMTP_PASSWORD": PASSWORD})
    assert result.exit_code == 69
    assert "TLS certificate not trusted" in result.stderr


SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_template_renders_an_html_body_from_the_order(
    invoke: Invoke, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], tmp_config: Callable[..., Path]
) -> None:
    order = (SAMPLES / "payloads" / "1203.xml").read_text(encoding="utf-8")
    config = mail_config(tmp_config, smtp_server, tls_cert, template=f'"{SAMPLES / "deliver" / "order-mail.xsl"}"')
    record = record_line("payload", "1203", order, meta={"channel": "web", "format": "xml"}, type="application/xml")
    result = invoke(["deliver", "--to", "orders-mail"], input=record, config=config, env={"SMTP_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.stderr
    message = parsed(smtp_server[1].envelopes[0])
    assert message.get_content_type() == "multipart/mixed"
    plain, html = (
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() in ("text/plain", "text/html")
    )
    assert plain.strip() == "Attached: 1203.xml"
    assert "<h1>Order 1203</h1>" in html and "FLY-A5-350" in html and "attached as 1203.xml" in html
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_payload(decode=True).decode() == order


def test_template_with_text_output_is_the_body_and_bad_payloads_fail_alone(
    invoke: Invoke,
    smtp_server: tuple[Any, Any],
    tls_cert: tuple[Path, Path],
    tmp_config: Callable[..., Path],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "mail.xsl"
    sheet.write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:output method="text"/><xsl:param name="key"/>'
        '<xsl:template match="/">Order <xsl:value-of select="$key"/>: <xsl:value-of select="count(//line)"/> lines'
        "</xsl:template></xsl:stylesheet>",
        encoding="utf-8",
    )
    config = mail_config(tmp_config, smtp_server, tls_cert, template=f'"{sheet}"', attach="false")
    good = record_line("payload", "5", "<order><line/><line/></order>", type="application/xml")
    broken = record_line("payload", "6", "<order><line>", type="application/xml")
    json_payload = record_line("payload", "7", {"number": "7"})
    result = invoke(
        ["deliver", "--to", "orders-mail"], input=good + broken + json_payload, config=config, env={"SMTP_PASSWORD": PASSWORD}
    )
    assert result.exit_code == 1, result.stderr  # some delivered, some failed
    statuses = {r["key"]: r["body"]["status"] for r in records(result.stdout)}
    assert statuses == {"5": "delivered", "6": "failed", "7": "failed"}
    assert "record '6'" in result.stderr and "invalid XML" in result.stderr
    assert "needs an XML payload" in result.stderr
    [envelope] = smtp_server[1].envelopes
    message = parsed(envelope)
    assert not message.is_multipart() and message.get_payload(decode=True).decode().strip() == "Order 5: 2 lines"


def test_a_bad_template_is_a_config_error_before_any_mail(
    invoke: Invoke,
    smtp_server: tuple[Any, Any],
    tls_cert: tuple[Path, Path],
    tmp_config: Callable[..., Path],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "mail.xsl"
    sheet.write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:template match="/"><xsl:value-of select="(("/></xsl:template></xsl:stylesheet>',
        encoding="utf-8",
    )
    config = mail_config(tmp_config, smtp_server, tls_cert, template=f'"{sheet}"')
    result = invoke(["deliver", "--to", "orders-mail"], input=payload("8"), config=config, env={"SMTP_PASSWORD": PASSWORD})
    assert result.exit_code == 78 and "template" in result.stderr and "mail.xsl" in result.stderr
    both = mail_config(tmp_config, smtp_server, tls_cert, template=f'"{sheet}"', inline="true")
    result = invoke(["deliver", "--to", "orders-mail"], input=payload("8"), config=both, env={"SMTP_PASSWORD": PASSWORD})
    assert result.exit_code == 78 and "choose one" in result.stderr
    assert smtp_server[1].envelopes == []
