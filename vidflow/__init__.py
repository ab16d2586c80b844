"""vidflow: infrastructure-as-code for AI video stories."""

__version__ = "0.1.0"
