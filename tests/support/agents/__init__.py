"""The real agent CLIs against a local mock model: installing them, their dialects, the model."""
