"""`ModelRecord`: what the registry knows about one published model version."""

import dataclasses


@dataclasses.dataclass
class ModelRecord:
    """One published, immutable model version (only `deprecated` and its reason change later).

    Args:
        name / version: the model and its semantic version.
        task / language / licence: from the model card.
        size_bytes: bytes of model.tflite, the file a phone downloads.
        bundle_bytes: bytes of the whole bundle.
        digest: sha256 of the bundle's manifest.json (names its exact contents).
        files: {path: {"sha256", "size"}} of every bundle file, manifest.json included.
        metrics: {name: number} headline metrics (searchable and comparable).
        parent: "name@version" this model derives from, or None.
        training_data: [{"name", "rows"?, "sha256"?}] from the model card.
        created: UTC time of publication (ISO 8601).
        deprecated / deprecation_reason: set by `Registry.deprecate`.
        card: the full model card.
    """

    name: str
    version: str
    task: str
    language: str
    licence: str
    size_bytes: int
    bundle_bytes: int
    digest: str
    files: dict
    metrics: dict
    parent: str = None
    training_data: list = dataclasses.field(default_factory=list)
    created: str = ""
    deprecated: bool = False
    deprecation_reason: str = None
    card: dict = dataclasses.field(default_factory=dict)

    @property
    def ref(self):
        return f"{self.name}@{self.version}"

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d):
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def summary(self):
        """Short dict for listings: no files, no card."""
        d = self.to_dict()
        for key in ("files", "card", "training_data"):
            d.pop(key)
        return d
