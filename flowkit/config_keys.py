"""The config keys spelt as their command-line flags, and the old spellings still read.

Tiny on purpose: ``flowkit.config`` (every start) and ``flowkit.config_schema``
(config checks) both import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# One spelling: a command's config key is its command-line flag (``exclude_extra`` for
# ``--exclude-extra``). The code reads these options under their click parameter names, which
# were also their config keys before; those old keys are still read, with a warning (``notes``).
FLAG_KEYS: Mapping[str, Mapping[str, str]] = {
    "render": {"exclude_extra": "extra_data_exclude", "product": "products", "attribute": "attributes"},
    "transform": {"param": "params", "param_from_meta": "from_meta"},
    "deliver": {"to": "target", "name": "name_template"},
    "push-stock": {"unsent_order_status": "unsent_order_statuses"},
    "import-shipment": {"orders": "order_files"},
    "apply-rules": {"records": "records_out"},
    "query-products": {"all": "all_", "type": "type_"},
}
OLD_KEYS: Mapping[str, Mapping[str, str]] = {c: {old: new for new, old in m.items()} for c, m in FLAG_KEYS.items()}


def as_read(command: str, table: Mapping[str, Any]) -> dict[str, Any]:
    """A command's table (``[render]``, ``[suppliers.X.render]``) with its flag keys under the names the code reads."""
    names = FLAG_KEYS.get(command)
    if not names:
        return dict(table)
    return {names.get(key.replace("-", "_"), key): value for key, value in table.items()}
