"""The course engine: course packages, authoring, delivery."""
