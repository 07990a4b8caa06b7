"""import-shipment: shipment messages in, shipments recorded, result and postback records out."""
