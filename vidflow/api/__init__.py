"""The Story API's data model and its HTTP client."""
