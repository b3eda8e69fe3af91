"""The public REST API (/api/v1/) and its tokens: one package per resource (briefs, sources,
evidence, taxonomy), each with its views, serializers and read queries (selectors). The domain
apps never import it."""
