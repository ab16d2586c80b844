"""spec → resolved stories: load YAML, validate, template, expand variants, fingerprint.

    from vidflow.spec import load_project
    project = load_project("examples/product-promo", vars={"brand": "Acme"})
    for address, story in project.stories.items(): ...
"""

from vidflow.spec.model import Lifecycle, Moved, Project, ProviderConfig, ResolvedStory
from vidflow.spec.project import load_project

__all__ = ["Lifecycle", "Moved", "Project", "ProviderConfig", "ResolvedStory", "load_project"]
