"""The API's routers, one per domain: health, families (read), payments, requests."""
