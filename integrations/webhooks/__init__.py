"""What every webhook integration shares, whatever system it speaks for: who is calling (the source IP behind the
trusted proxies), the per-route, per-IP rate limit, and the URL rules plus the one HTTP client for addresses that
come from outside (`addresses`, `http`: outbound webhooks post with it, upstream adapters fetch files with it).
Integrations under `integrations/` may import this package, never each other."""
