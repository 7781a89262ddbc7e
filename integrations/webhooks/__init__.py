"""What every webhook receiver shares, whatever system it speaks for: who is calling (the source IP behind the
trusted proxies) and the per-route, per-IP rate limit. Receivers under `integrations/` may import this package,
never each other."""
