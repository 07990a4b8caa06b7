"""The config schema: every table and key flowkit reads, with its kind.

Static on purpose: nothing here imports a command, a source or a transport, so
loading the config stays cheap. tests/test_config_schema.py holds it against
the code (each command's click options, the sources' presets, the transports'
option names), so the two cannot drift apart. The checker is config_check.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from flowkit.config_key import BOOL, INT, NUM, STR, STRINGS, TABLE, Key, Table, one_of, opt
from flowkit.config_keys import OLD_KEYS

STATE: Table = {
    "path": STR,
    "url": STR,
    "password": STR,
    "lock_timeout": NUM,
    "busy_timeout": NUM,
    "retention_days": INT,
    "dead_retention_days": INT,
}
LOG: Table = {"level": one_of("error", "warning", "info", "debug"), "format": one_of("text", "json")}
METRICS: Table = {"file": STR}
# [alerts]: one alert per run to a destination (flowkit/alerts.py); `to` must name a [destinations.NAME] or be a URL.
ALERTS: Table = {"to": STR, "on": Key("strings", ("dead", "down", "failed", "held")), "min_interval": NUM, "down_after": NUM}

# Sources -------------------------------------------------------------------------------

SOURCE_TYPES = ("dir", "http", "store")
PRESETS = ("omnitron", "magento2")
PRESET_AUTH = {"magento2": "bearer", "omnitron": "token"}  # the preset's auth, for ``needs``
READY = Key("string", ("paid", "files", "none"), comma=True)  # query-orders' checks (query_orders/readiness.py)
SOURCE_COMMON: Table = {"type": one_of(*SOURCE_TYPES), "enabled": BOOL, "disabled": BOOL, "paused": BOOL, "ready": READY}
EXPORT_STATUSES = ("pending", "queued", "exported", "failed", "dead", "held", "cancelled")

DIR_SOURCE: Table = {"path": STR, "mapping": STR, "move_processed": BOOL, "carry_over": BOOL, "pattern": STR}
STORE_SOURCE: Table = {"export_status": Key("strings", EXPORT_STATUSES)}
SUBRESOURCE: Table = {"name": STR, "path": STR, "params": TABLE, "items_field": STR, "detail_path": STR}
# query-orders mark-sent's source calls (sources/writeback.py): the order's, and one per item first
MARK_ITEMS: Table = {"method": STR, "path": STR, "body": Key("any"), "each": STR}
MARK_SENT: Table = {"method": STR, "path": STR, "body": Key("any"), "json": Key("any"), "items": Key("table", keys=MARK_ITEMS)}
HTTP_SOURCE: Table = {
    "preset": one_of(*PRESETS),
    "url": STR,
    "base_url": STR,
    "carry_over": BOOL,
    "mapping": STR,
    "auth": one_of("none", "token", "bearer", "basic"),
    "token": Key(secret=True, needs=("auth", ("token", "bearer"))),
    "token_scheme": Key(needs=("auth", ("token", "bearer"))),
    "username": Key(secret=True, needs=("auth", ("basic",))),
    "password": Key(secret=True, needs=("auth", ("basic",))),
    "headers": Key("table", secret=True),
    "prefix": STR,
    "list_path": STR,
    "list_params": TABLE,
    "unsent_params": TABLE,
    "filter_params": Key("table", keys={"number": STR, "channel": STR, "since": STR}),
    "query_style": one_of("params", "magento"),
    "items_field": STR,
    "pagination": one_of("none", "page", "offset", "next"),
    "page_param": STR,
    "size_param": STR,
    "offset_param": STR,
    "page_size": INT,
    "first_page": INT,
    "next_field": STR,
    "total_field": STR,
    "id_field": STR,
    "detail_path": STR,
    "subresources": Key("tables", keys=SUBRESOURCE),
    "mark_sent": Key("table", keys=MARK_SENT),
    "invoiced_only": BOOL,
    "rate_limit": NUM,
    "retries": INT,
    "backoff": NUM,
    "timeout": NUM,
    "verify": BOOL,
}
SOURCES: Mapping[str, Table] = {"dir": DIR_SOURCE, "http": HTTP_SOURCE, "store": STORE_SOURCE}
# Where a template's {placeholder} may name a key of the source's own table.
TEMPLATE_KEYS = ("list_path", "detail_path", "subresources", "mark_sent")

# Destinations --------------------------------------------------------------------------

DESTINATION_TYPES = ("hotfolder", "ftp", "ftps", "sftp", "http", "email")
SCHEMES = {
    "file": "hotfolder",
    "sftp": "sftp",
    "ftp": "ftp",
    "ftps": "ftps",
    "http": "http",
    "https": "http",
    "smtp": "email",
    "smtps": "email",
    "mailto": "email",
}
# Policy and file names: [deliver] keys a destination overrides.
DELIVERY: Table = {
    "filename": STR,
    "max_attempts": INT,
    "retries": INT,
    "base_delay": NUM,
    "max_delay": NUM,
    "once_per_key": BOOL,
}
DESTINATION_COMMON: Table = {"type": one_of(*DESTINATION_TYPES), "url": STR, **DELIVERY}
FILE_DROP: Table = {"path": STR, "done_suffix": STR, "allow_empty": BOOL, "conflict": one_of("replace", "ignore", "fail")}
LOGIN: Table = {"host": STR, "port": INT, "username": STR, "password": Key(secret=True), "timeout": NUM}
TLS: Table = {"ca_file": STR, "verify": BOOL}
HOTFOLDER: Table = {**FILE_DROP, "conflict": one_of("replace", "ignore", "rename", "fail"), "fsync": BOOL}
SFTP: Table = {
    **FILE_DROP,
    **LOGIN,
    "passphrase": Key(secret=True),
    "key_file": STR,
    "known_hosts": STR,
    "host_key_fingerprint": STR,
}
FTP: Table = {**FILE_DROP, **LOGIN, **TLS, "tls": BOOL}
HTTP_DESTINATION: Table = {
    **TLS,
    "method": STR,
    "timeout": NUM,
    "connect_timeout": NUM,
    "success": Key("ints"),
    "content_type": STR,
    "idempotency_header": STR,
    "headers": Key("table", secret=True),
    "auth": one_of("basic", "bearer", "header"),
    "token": Key(secret=True, needs=("auth", ("bearer",))),
    "api_key": Key(secret=True, needs=("auth", ("header",))),
    "api_key_header": Key(needs=("auth", ("header",))),
    "username": Key(needs=("auth", ("basic",))),
    "password": Key(secret=True, needs=("auth", ("basic",))),
    "exists_url": STR,
    "exists_method": STR,
    "exists_path": STR,
    "exists_not_found": Key("any"),
    "exists_missing_status": Key("ints"),
    "exists_stop_status": Key("ints"),
}
EMAIL: Table = {
    **LOGIN,
    **TLS,
    "tls": one_of("starttls", "ssl", "none"),
    "from": STR,
    "to": Key("string_or_strings"),
    "cc": Key("string_or_strings"),
    "bcc": Key("string_or_strings"),
    "subject": STR,
    "body": STR,
    "attach": BOOL,
    "inline": BOOL,
    "template": STR,
}
DESTINATIONS: Mapping[str, Table] = {
    "hotfolder": HOTFOLDER,
    "sftp": SFTP,
    "ftp": FTP,
    "ftps": FTP,
    "http": HTTP_DESTINATION,
    "email": EMAIL,
}

# Command tables ------------------------------------------------------------------------

OUTPUT = opt("string", "raw", "record")  # --raw/--records
CHECKS: Table = {
    "duplicate": BOOL,
    "not_managed": BOOL,
    "insufficient_quantity": BOOL,
    "disabled_source": BOOL,
    "unmapped_shipping": BOOL,
    "duplicate_statuses": STRINGS,
    "disabled_sources": STRINGS,
    "disabled_suppliers": STRINGS,
    "stock_target": STR,
    "reasons": Key(
        "table",
        keys={k: STR for k in ("duplicate", "not_managed", "insufficient_quantity", "disabled_source", "unmapped_shipping")},
    ),
}
ROUTING: Table = {
    "stock": Key("string_or_strings"),
    "print": Key("string_or_strings"),
    "default": one_of("print", "stock"),
    "tag_prefix": STR,
}
MAPS: Table = {"sku": Key("any"), "shipping": Key("any"), "shipping_default": STR, "routing": Key("table", keys=ROUTING)}
RULES_TABLES: Table = {"checks": Key("table", keys=CHECKS), "maps": Key("table", keys=MAPS)}

RENDER: Table = {
    "format": opt("string", "xml", "json", "orderflow"),
    "payment": opt("bool"),
    "history": opt("bool"),
    "approval_history": opt("bool"),
    "extra_data": opt("bool"),
    "exclude_extra": opt("strings"),
    "product": opt("strings"),
    "attribute": opt("strings"),
    "assets": opt("bool"),
    "job_ticket": opt("bool"),
    "invoice": opt("bool"),
    "packing_slip": opt("bool"),
    "escape_non_ascii": opt("bool"),
    "include_held": opt("bool"),
    "include_image": opt("bool"),
    "indent": opt("bool"),
    "orderflow_type": opt("string", "order", "product"),
    "orderflow_operation": opt("string", "insert", "update", "merge"),
}
RECEIVE_ROUTE: Table = {
    "path": STR,
    "inbox": STR,
    "kind": one_of("order", "stock", "shipment", "status", "message"),
    "auth": one_of("none", "bearer", "hmac-sha256"),
    "secret": Key(secret=True, needs=("auth", ("bearer", "hmac-sha256"))),
    "signature_header": Key(needs=("auth", ("hmac-sha256",))),
    "max_body_size": INT,
}
TRANSFORM_PER_RECORD: Table = {"xslt": opt(), "jolt": opt(), "engine": opt("string", "libxslt", "saxon")}
DELIVER_PER_RECORD: Table = {"filename": STR, "to": STR}  # to: the route of the supplier's/channel's records

# import-status's statuses (import_status/messages.py STATUSES): the keys of [import-status] magento_statuses.
PRODUCTION_STATUSES = ("received", "in_production", "printed", "shipped", "delivered", "cancelled", "error")

COMMANDS: Mapping[str, Table] = {
    "query-orders": {
        "source": opt(),
        "unsent": opt("bool"),
        "channel": opt(),
        "supplier": opt(),
        "status": opt(),
        "since": opt(),
        "number": opt(),
        "limit": opt("int"),
        "raw": opt("bool"),
        "requeue_after": opt("number"),
        "ready": Key("string", READY.choices, option=True, comma=True),  # also per source: [sources.NAME] ready
        "dry_run": opt("bool"),
        "max_attempts": INT,  # read by `query-orders mark-sent`
    },
    "query-products": {
        "source": opt(),
        "changed": opt("bool"),
        "sku": opt(),
        "all": opt("bool"),
        "type": opt(),
        "limit": opt("int"),
        "raw": opt("bool"),
        "dry_run": opt("bool"),
        "requeue_after": opt("number"),
    },
    "apply-rules": {
        "rules": opt(),
        "explain": opt("bool"),
        "dry_run": opt("bool"),
        "drop_held": opt("bool"),
        "records": opt("bool"),
        **RULES_TABLES,
    },
    "render": RENDER,
    "transform": {
        **TRANSFORM_PER_RECORD,
        "param": opt("strings"),
        "param_from_meta": opt("strings"),
        "param_json": opt("strings"),
        "context": opt(),
        "jolt_strict": opt("bool"),
        "output": OUTPUT,
        "max_document_size": Key("size"),
        "allow_read": STRINGS,
    },
    "deliver": {
        "to": opt(),
        "name": opt(),
        "force": opt("bool"),
        "retry_failed": opt("bool"),
        "max_attempts": opt("int"),
        "wait": opt("number"),
        "output": OUTPUT,
        **{k: v for k, v in DELIVERY.items() if k != "max_attempts"},
    },
    "push-stock": {
        "target": opt(),
        "to": opt(),
        "message_format": opt("string", "json", "soap"),
        "chunk_size": opt("int"),
        "mode": opt("string", "full", "incremental"),
        "from_dir": opt(),
        "batch_size": opt("int"),
        "max_attempts": opt("int"),
        "adjustment": opt("string", "none", "unsent_orders", "unsent_orders_and_quotes"),
        "quotes": opt(),
        "unsent_order_cutoff_days": opt("number"),
        "active_quote_cutoff_days": opt("number"),
        "unsent_order_status": opt("strings"),
        "allow_negative": opt("bool"),
        "catalogue": opt(),
        "default_source": opt(),
    },
    "import-shipment": {
        "orders": opt("strings"),
        "target": opt(),
        "postback": opt("string", "magento", "gelato", "infigo", "json"),
        "ship_all_remaining": opt("bool"),
        "from_dir": opt(),
        "batch_size": opt("int"),
        "max_attempts": opt("int"),
        "raw": opt("bool"),
        "carrier_codes": TABLE,
    },
    "import-status": {
        "orders": opt("strings"),
        "target": opt(),
        "postback": opt("string", "magento", "infigo", "gelato", "json"),
        "from_dir": opt(),
        "batch_size": opt("int"),
        "max_attempts": opt("int"),
        "raw": opt("bool"),
        # production status -> Magento status code (commands/import_status.py): a key is one of the statuses
        "magento_statuses": Key("table", keys={s: STR for s in PRODUCTION_STATUSES}),
    },
    "receive": {
        "listen": opt(),
        "inbox": opt(),
        "read_timeout": opt("number"),
        "max_body_size": opt("int"),
        "max_connections": opt("int"),
        "rate_limit": opt("number"),
        "routes": Key("named", keys=RECEIVE_ROUTE),  # [receive.routes.NAME] (flowkit/receive/config.py)
    },
}
# Click options a command refuses from its config table: (names, why).
NOT_IN_CONFIG: Mapping[str, tuple[tuple[str, ...], str]] = {
    "render": (("example", "output"), "it steers the command run, not the payload"),
    "receive": (("check",), "it steers the command run"),
}
# The old spellings of keys that are now their command-line flag: command -> {old key: key}
# (``flowkit.config.FLAG_KEYS``); still read, with a warning.
DEPRECATED = OLD_KEYS

# Per-supplier and per-channel tables -----------------------------------------------------

PER_RECORD: Mapping[str, Table] = {
    "render": RENDER,
    "apply-rules": RULES_TABLES,
    "transform": TRANSFORM_PER_RECORD,
    "deliver": DELIVER_PER_RECORD,
}
LABEL: Table = {"name": STR}  # a name for people reading the file
SUPPLIER: Table = {**LABEL, "enabled": BOOL, "disabled": BOOL, "paused": BOOL}
CHANNEL: Table = {**LABEL, "paused": BOOL}
ENTITIES: Mapping[str, Table] = {"suppliers": SUPPLIER, "channels": CHANNEL}

TOP: Mapping[str, Table] = {"state": STATE, "log": LOG, "metrics": METRICS, "alerts": ALERTS, **COMMANDS}
NAMED = ("sources", "destinations", "suppliers", "channels")
DOCS = {"sources": "docs/sources.md", "destinations": "docs/destinations.md"}
