"""The machinery every update passes through: pipeline, processor, router, context, replies."""
