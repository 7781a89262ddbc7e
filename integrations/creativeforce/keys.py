"""How the adapter keys Creative Force objects in UpstreamObject (`kind`, `external_id`)."""


class Kind:
    """The UpstreamObject kinds this adapter keeps."""

    JOB = "job"
    PRODUCT = "product"
    TASK = "task"


def product_key(job_id: str, product_id: str) -> str:
    """A product in a job: `<ProductId>/<JobId>`. A product moved to another job is another deliverable there;
    the ProductId first lets a WorkUnit event, which names no job, find the product by prefix."""
    return f"{product_id}/{job_id}"
