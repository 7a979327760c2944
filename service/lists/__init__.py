"""List parsers: one module per official format, each mapping into `service.core.model.ListEntry`."""
