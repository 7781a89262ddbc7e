"""How the adapter keys Creative Force objects in UpstreamObject.external_id."""


def product_key(job_id: str, product_id: str) -> str:
    """A product in a job: `<ProductId>/<JobId>`. A product moved to another job is another deliverable there;
    the ProductId first lets a WorkUnit event, which names no job, find the product by prefix."""
    return f"{product_id}/{job_id}"
