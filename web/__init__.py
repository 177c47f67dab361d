"""The Flask web service (producers, verifiers, reviewers, consumers). Not built yet."""
