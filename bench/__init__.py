"""bench: which way of building a Go service's Docker image is fastest and smallest, measured."""

__version__ = "0.1.0"
