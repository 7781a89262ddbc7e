"""Review pages, one module per part of the workflow: `sessions` (list, builder, presenter, summary),
`revisions` (the annotation page, uploads, files), `feedback` (pins and feedback items) and `stage_panel` (the
deliverable page's review panel for a stage). Each view parses its input, reads through `reviews.selectors`,
calls one service and renders or redirects; a service's refusal comes back to the page as a message."""
