"""Site settings: ``talknotes.yaml``'s typed schema, and the value converters (text, dates, web addresses) every record uses."""
