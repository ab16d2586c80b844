"""spec → resolved stories: load YAML, validate, template, expand variants, fingerprint."""
