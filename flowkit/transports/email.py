"""Email transport (smtplib): STARTTLS or SSL, auth, to/cc/bcc, payload attached and/or as the body.

``tls`` is ``starttls`` (default; refuses to send when the server does not
offer it), ``ssl`` (``smtps://``) or ``none``; certificates are verified
(``ca_file`` for a private CA). Bcc recipients get the mail through the SMTP
envelope only and never appear in a header. ``subject`` and ``body`` are
templates over ``{key}``, ``{filename}``, ``{kind}`` and ``{meta.NAME}``;
``attach`` (default true) attaches the payload under its file name and
``inline`` puts it in the body. ``template`` names an XSLT 1.0 stylesheet
that renders the body from an XML payload (same safety as ``flowkit
transform``: no network, no writes, reads only beside the stylesheet; the
parameters ``key`` and ``filename``); HTML output becomes an HTML part with
the ``body`` template as its plain-text alternative, any other output the
plain-text body. The Message-ID is derived from key and content, so a
receiver can spot a resend. A lost reply after DATA is an unknown outcome,
which the next run reports rather than resending.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from flowkit.config import Config
from flowkit.errors import ConfigError, ExitCode, FlowkitError, RecordError, TempFailError, UnavailableError
from flowkit.reasons import words
from flowkit.records import Record
from flowkit.secrets import redact_text
from flowkit.transports.base import OutcomeUnknown, Receipt, Transient, option, secret

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")


def fill(template: str, record: Record, filename: str) -> str:
    """A subject or body template filled from the record (unknown fields left empty)."""
    meta = record.get("meta") or {}

    def field(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("meta."):
            return str(meta.get(name[5:], ""))
        return str({"key": record.get("key"), "filename": filename, "kind": record.get("kind")}.get(name, ""))

    return _FIELD.sub(field, template)


def _stylesheet(destination: str, path: str) -> Any:
    """The compiled email template (a bad one is a config error, exit 78, before any input is read)."""
    from flowkit.mapping.xslt import Stylesheet

    try:
        return Stylesheet(path)
    except ConfigError as exc:
        raise ConfigError(f"destination {destination!r}: template: {exc.format_message()}") from exc


def addresses(value: Any) -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


class Email:
    """Send each record as one email over one SMTP session."""

    resend_unknown = False  # a mail cannot be looked up: report, never send twice silently

    def __init__(self, spec: Mapping[str, Any], config: Config) -> None:
        self.name = str(spec.get("name"))
        self.host = str(spec.get("host") or "")
        self.tls = str(option(spec, "tls", "starttls", str))
        if not self.host or self.tls not in ("starttls", "ssl", "none"):
            raise ConfigError(f"destination {self.name!r}: email needs 'host' and tls = starttls, ssl or none")
        self.port = int(option(spec, "port", 465 if self.tls == "ssl" else 25, int))
        self.username = option(spec, "username", None, str)
        self.password = secret(spec, "password")
        self.sender = str(option(spec, "from", "", str))
        self.to, self.cc, self.bcc = (addresses(spec.get(k)) for k in ("to", "cc", "bcc"))
        if not self.sender or not (self.to or self.cc or self.bcc):
            raise ConfigError(f"destination {self.name!r}: email needs 'from' and at least one of to, cc, bcc")
        self.subject = str(option(spec, "subject", "{key}", str))
        self.body = str(option(spec, "body", "Attached: {filename}\n", str))
        self.attach = bool(option(spec, "attach", True, bool))
        self.inline = bool(option(spec, "inline", False, bool))
        template = option(spec, "template", None, str)
        if template and self.inline:
            raise ConfigError(f"destination {self.name!r}: 'template' and 'inline = true' both make the body; choose one")
        self.template = _stylesheet(self.name, str(config.resolve_path(template))) if template else None
        self.timeout = float(option(spec, "timeout", 30, (int, float)))
        ca_file = option(spec, "ca_file", None, str)
        self.context = ssl.create_default_context(cafile=str(config.resolve_path(ca_file)) if ca_file else None)
        if not option(spec, "verify", True, bool):
            self.context.check_hostname = False
            self.context.verify_mode = ssl.CERT_NONE
        self.smtp: smtplib.SMTP | None = None

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], config: Config) -> Email:
        return cls(spec, config)

    def open(self) -> None:
        where = f"smtp {self.host}:{self.port}"
        try:
            self.smtp = self._connect(where)
        except ssl.SSLCertVerificationError as exc:
            raise UnavailableError(
                f"{where}: TLS certificate not trusted: {exc.verify_message}", hint="set ca_file for a private CA"
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise UnavailableError(
                f"{where}: authentication failed ({exc.smtp_code})", hint="check username and password"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TempFailError(
                redact_text(f"{where}: cannot connect: {words(exc, self.timeout) or exc}"), hint="rerun later"
            ) from exc

    def _connect(self, where: str) -> smtplib.SMTP:
        if self.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.tls == "starttls":
                if not smtp.has_extn("starttls"):
                    raise UnavailableError(
                        f"{where}: server does not offer STARTTLS",
                        hint='refusing to send in clear text; set tls = "none" to allow it',
                    )
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def message(self, name: str, data: bytes, record: Record) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        if self.to:
            msg["To"] = ", ".join(self.to)
        if self.cc:
            msg["Cc"] = ", ".join(self.cc)
        msg["Subject"] = fill(self.subject, record, name)
        digest = hashlib.sha256(str(record.get("key")).encode() + b"\0" + data).hexdigest()[:32]
        msg["Message-ID"] = f"<flowkit.{digest}@{self.sender.rpartition('@')[2] or 'flowkit.invalid'}>"
        text = data.decode("utf-8", errors="replace") if self.inline else fill(self.body, record, name)
        if self.template is None:
            msg.set_content(text)
        else:
            method, rendered = self.render(name, data, record)
            if method == "html":
                msg.set_content(text)
                msg.add_alternative(rendered, subtype="html")
            else:
                msg.set_content(rendered)
        if self.attach:
            maintype, _, subtype = str(record.get("type") or "application/octet-stream").partition("/")
            msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=name.rsplit("/", 1)[-1])
        return msg

    def render(self, name: str, data: bytes, record: Record) -> tuple[str, str]:
        """(output method, text) of the ``template`` stylesheet over the XML payload."""
        from flowkit.mapping import xmlsafe
        from flowkit.mapping.xslt import TransformFailed

        assert self.template is not None
        where = f"record {record.get('key')!r}"
        media = str(record.get("type") or "")
        if media == "application/json" or media.endswith("+json"):
            raise RecordError(
                f"{where} is {media}; the email template {self.template.name} needs an XML payload", code=ExitCode.DATAERR
            )
        try:
            doc = xmlsafe.parse(data, where, strip_blanks=self.template.strips_all)  # record bodies are UTF-8
            output = self.template.apply(doc, {"key": str(record.get("key")), "filename": name})
            return output.method, output.text
        except TransformFailed as exc:
            raise RecordError(f"email template {self.template.name}: {exc}", code=ExitCode.DATAERR) from exc
        except LookupError as exc:  # an xsl:output encoding Python does not know
            raise RecordError(f"email template {self.template.name}: {exc}", code=ExitCode.DATAERR) from exc
        except FlowkitError as exc:
            raise RecordError(exc.format_message(), code=ExitCode.DATAERR) from exc

    def put(self, name: str, data: bytes, record: Record) -> Receipt:
        if self.smtp is None:
            self.open()
        assert self.smtp is not None
        msg = self.message(name, data, record)
        recipients = [*self.to, *self.cc, *self.bcc]
        try:
            refused = self.smtp.send_message(msg, self.sender, recipients)
        except smtplib.SMTPResponseException as exc:
            self._drop()
            error = exc.smtp_error
            reply = error.decode(errors="replace") if isinstance(error, bytes) else error
            text = redact_text(f"smtp: {exc.smtp_code} {reply}")
            if 400 <= exc.smtp_code < 500:
                raise Transient(text) from exc
            raise RecordError(text, code=ExitCode.DATAERR) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = {code for code, _ in exc.recipients.values()}
            if all(400 <= code < 500 for code in codes):
                raise Transient(f"smtp: all recipients deferred: {exc.recipients}") from exc
            raise RecordError(f"smtp: all recipients refused: {exc.recipients}", code=ExitCode.DATAERR) from exc
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop()
            raise OutcomeUnknown(redact_text(f"smtp: connection lost while sending: {exc}")) from exc
        return Receipt(
            str(msg["Message-ID"]),
            {"recipients": len(recipients), "refused": {addr: code for addr, (code, _) in refused.items()}},
        )

    def exists(self, name: str, size: int, record: Record | None = None) -> bool | None:
        return None

    def probe(self) -> str:
        """Connect, TLS as configured, log in, then NOOP and RSET: the session works and no mail is sent."""
        if self.smtp is None:
            self.open()
        assert self.smtp is not None
        where = f"smtp {self.host}:{self.port}"
        try:
            replies = [self.smtp.noop(), self.smtp.rset()]
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise TempFailError(redact_text(f"{where}: connection lost: {exc}"), hint="rerun later") from exc
        for (code, text), verb in zip(replies, ("NOOP", "RSET"), strict=True):
            if code != 250:
                reply = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
                error = TempFailError if 400 <= code < 500 else UnavailableError
                raise error(redact_text(f"{where}: {verb} answered {code} {reply}"))
        how = {"starttls": "STARTTLS", "ssl": "TLS", "none": "no TLS"}[self.tls]
        who = f"logged in as {self.username}" if self.username else "no login"
        return f"connected ({how}), {who}, NOOP and RSET answered 250; no mail sent"

    def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()
