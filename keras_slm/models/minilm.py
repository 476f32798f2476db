"""Legacy module path: moved to `keras_slm.tasks.minilm` (ARCHITECTURE.md). Import from there."""


def __getattr__(name):
    # Resolved on first use: models/ may not import the task layer at load time.
    # .importlinter lists this import.
    if name.startswith("__"):
        raise AttributeError(name)
    from keras_slm.tasks import minilm

    return getattr(minilm, name)
