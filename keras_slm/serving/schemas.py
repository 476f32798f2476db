"""Request and response bodies of the HTTP API (they also make the OpenAPI docs at /docs).

A prediction is one object per input text whose fields depend on the task: text classifiers
fill `label`, `score` and `scores`; taggers will fill `entities`, generators `generated_text`.
Fields a task does not produce are left out of the JSON, so adding a task adds fields and never
changes existing ones.
"""

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field


class PredictRequest(BaseModel):
    """A batch of texts."""

    model_config = ConfigDict(extra="forbid")
    texts: list[str] = Field(
        ..., min_length=1, description="Texts to predict, 1 to the server's batch limit, each up to its length limit.",
        examples=[["a gorgeous, witty, seductive movie", "the plot is a mess"]],
    )


class Entity(BaseModel):
    """A labelled span of the input text (token classification tasks)."""

    text: str
    label: str
    start: int = Field(description="Character offset of the first character.")
    end: int = Field(description="Character offset after the last character.")
    score: Optional[float] = None


class Prediction(BaseModel):
    """The model's output for one text; fields depend on the task."""

    label: Optional[str] = Field(None, description="text_classification: the most probable label.")
    score: Optional[float] = Field(None, description="text_classification: probability of `label`.")
    scores: Optional[dict[str, float]] = Field(None, description="text_classification: probability of every label.")
    entities: Optional[list[Entity]] = Field(None, description="token classification: labelled spans.")
    generated_text: Optional[str] = Field(None, description="text generation: the continuation.")


class ModelInfo(BaseModel):
    name: str
    version: str = Field(description="Registry version, or sha256:<prefix> of the .tflite file when unversioned.")
    task: str
    file: str
    sha256: str


class PredictResponse(BaseModel):
    model: ModelInfo
    predictions: list[Prediction] = Field(description="One per input text, in input order.")


class Health(BaseModel):
    status: str
    model: ModelInfo
    interpreters: int
    limits: dict[str, int]


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable: malformed_json, invalid_request, batch_too_large, "
                                  "text_too_long, body_too_large, overloaded, not_found, internal.")
    message: str
    details: Optional[list] = None


class ErrorResponse(BaseModel):
    error: ErrorDetail
