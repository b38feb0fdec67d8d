"""Pure rules of the product: no database, no HTTP, no network."""
