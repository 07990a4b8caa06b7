"""apply-rules: hold, cancel, tag, set, note and alert orders by rules; SKU/shipping maps; built-in checks."""
