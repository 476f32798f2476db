"""Request and response bodies of the HTTP API (they also make the OpenAPI docs at /docs).

A prediction is one object per input text whose fields depend on the task: text classifiers
fill `label`, `score` and `scores`; NER taggers fill `entities`; language models fill
`generated_text` (and read the optional generation fields of the request).
Fields a task does not produce are left out of the JSON, so adding a task adds fields and never
changes existing ones.
"""

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class PredictRequest(BaseModel):
    """A batch of texts."""

    model_config = ConfigDict(extra="forbid")
    texts: list[str] = Field(
        ..., min_length=1, description="Texts to predict, 1 to the server's batch limit, each up to its length limit.",
        examples=[["a gorgeous, witty, seductive movie", "the plot is a mess"]],
    )
    # language_model only (other tasks answer 422 when any is given)
    max_tokens: Optional[int] = Field(None, ge=1, description="language_model: tokens to generate per text "
                                                             "(default 50, or the server's max_tokens limit if lower).")
    strategy: Optional[Literal["greedy", "temperature", "top_k", "top_p"]] = Field(
        None, description="language_model: decoding strategy (default greedy).")
    temperature: Optional[float] = Field(None, gt=0, description="language_model: sampling temperature (default 1).")
    top_k: Optional[int] = Field(None, ge=1, description="language_model: k of top_k sampling (default 40).")
    top_p: Optional[float] = Field(None, gt=0, le=1, description="language_model: p of top_p sampling (default 0.9).")
    seed: Optional[int] = Field(None, description="language_model: random seed; the same seed gives the same text.")

    def generation_options(self):
        """The generation fields the client set, as `LanguageModel.generate` keyword arguments."""
        return {k: v for k, v in self.model_dump(exclude={"texts"}).items() if v is not None}


class Entity(BaseModel):
    """A labelled span of the input text (token classification tasks)."""

    text: str
    label: str = Field(description="The entity type (PER, LOC, ORG, ...).")
    start: int = Field(description="Character offset of the first character.")
    end: int = Field(description="Character offset after the last character.")
    score: Optional[float] = None


class Slot(BaseModel):
    """A slot value of the input text (nlu)."""

    slot: str = Field(description="The slot name (e.g. artist, city).")
    text: str
    start: int = Field(description="Character offset of the first character.")
    end: int = Field(description="Character offset after the last character.")


class Prediction(BaseModel):
    """The model's output for one text; fields depend on the task."""

    label: Optional[str] = Field(None, description="text_classification: the most probable label.")
    score: Optional[float] = Field(None, description="text_classification: probability of `label`; nlu: of `intent`.")
    scores: Optional[dict[str, float]] = Field(None, description="text_classification: probability of every label.")
    entities: Optional[list[Entity]] = Field(None, description="ner: labelled spans, in text order.")
    generated_text: Optional[str] = Field(None, description="language_model: the continuation (prompt not included).")
    translation: Optional[str] = Field(None, description="translation: the text in the target language (greedy).")
    intent: Optional[str] = Field(None, description="nlu: the most probable intent (its probability in `score`).")
    slots: Optional[list[Slot]] = Field(None, description="nlu: slot values, in text order.")


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
                                  "text_too_long, body_too_large, too_many_tokens, overloaded, not_found, internal.")
    message: str
    details: Optional[list] = None


class ErrorResponse(BaseModel):
    error: ErrorDetail
