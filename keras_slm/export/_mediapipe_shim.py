"""Makes mediapipe's metadata writers importable from the wheels that install beside TF 2.21.

`mediapipe.tasks.python.metadata.metadata` imports a compiled helper,
`mediapipe.tasks.cc.metadata.python._pywrap_metadata_version`, that recent wheels no
longer ship (`No module named 'mediapipe.tasks.cc'`). Its one function,
`GetMinimumMetadataParserVersion(buffer)`, returns the oldest metadata-parser version
that understands a metadata flatbuffer: the newest schema member the buffer uses.
We compute the same answer in Python from the generated flatbuffer classes the wheel
does ship, and register the module in `sys.modules` before importing the writers.

The version table follows mediapipe's `metadata_version.cc` (schema members added after
1.0.0 and the release that added them).
"""

import importlib
import sys
import types

_MODULE = "mediapipe.tasks.cc.metadata.python._pywrap_metadata_version"

# Schema members added after 1.0.0 -> the parser version that introduced them.
_VOCABULARY_FILE = (1, 0, 1)
_PROCESS_UNITS = (1, 1, 0)  # subgraph input/output process units, BERT and SentencePiece options
_TENSOR_GROUPS = (1, 2, 0)
_REGEX_TOKENIZER = (1, 2, 1)
_AUDIO_PROPERTIES = (1, 3, 0)
_SCANN_INDEX_FILE = (1, 4, 0)
_FILE_VERSION = (1, 4, 1)
_CUSTOM_METADATA = (1, 5, 0)


def _items(table, name):
    """The entries of a flatbuffer vector field `name` (empty when absent)."""
    return [getattr(table, name)(i) for i in range(getattr(table, name + "Length")())]


def _present(table, name):
    return not getattr(table, name + "IsNone")()


def _file_versions(fb, associated_file):
    found = []
    if associated_file.Type() == fb.AssociatedFileType.VOCABULARY:
        found.append(_VOCABULARY_FILE)
    if associated_file.Type() == fb.AssociatedFileType.SCANN_INDEX_FILE:
        found.append(_SCANN_INDEX_FILE)
    if associated_file.Version() is not None:
        found.append(_FILE_VERSION)
    return found


def _process_unit_versions(fb, unit):
    options = unit.OptionsType()
    if options in (fb.ProcessUnitOptions.BertTokenizerOptions, fb.ProcessUnitOptions.SentencePieceTokenizerOptions):
        return [_PROCESS_UNITS]
    if options == fb.ProcessUnitOptions.RegexTokenizerOptions:
        return [_REGEX_TOKENIZER]
    return []


def _tensor_versions(fb, tensor):
    found = []
    for f in _items(tensor, "AssociatedFiles"):
        found += _file_versions(fb, f)
    for unit in _items(tensor, "ProcessUnits"):
        found += _process_unit_versions(fb, unit)
    content = tensor.Content()
    if content is not None and content.ContentPropertiesType() == fb.ContentProperties.AudioProperties:
        found.append(_AUDIO_PROPERTIES)
    return found


def _subgraph_versions(fb, subgraph):
    found = []
    for tensor in _items(subgraph, "InputTensorMetadata") + _items(subgraph, "OutputTensorMetadata"):
        found += _tensor_versions(fb, tensor)
    for f in _items(subgraph, "AssociatedFiles"):
        found += _file_versions(fb, f)
    for field in ("InputProcessUnits", "OutputProcessUnits"):
        if _present(subgraph, field):
            found.append(_PROCESS_UNITS)
            for unit in _items(subgraph, field):
                found += _process_unit_versions(fb, unit)
    if _present(subgraph, "InputTensorGroups") or _present(subgraph, "OutputTensorGroups"):
        found.append(_TENSOR_GROUPS)
    if _present(subgraph, "CustomMetadata"):
        found.append(_CUSTOM_METADATA)
    return found


def minimum_parser_version(buffer):
    """The minimum metadata-parser version (e.g. "1.2.1") for a metadata flatbuffer.

    Args:
        buffer: bytes of a `ModelMetadata` flatbuffer (identifier "M001").

    Example:
    >>> minimum_parser_version(metadata_bytes)  # doctest: +SKIP
    '1.2.1'
    """
    from mediapipe.tasks.metadata import metadata_schema_py_generated as fb

    buffer = bytes(buffer)
    if not fb.ModelMetadata.ModelMetadataBufferHasIdentifier(buffer, 0):
        raise ValueError("The model metadata is not a valid FlatBuffer buffer.")
    root = fb.ModelMetadata.GetRootAsModelMetadata(buffer, 0)
    found = [(1, 0, 0)]
    for subgraph in _items(root, "SubgraphMetadata"):
        found += _subgraph_versions(fb, subgraph)
    for f in _items(root, "AssociatedFiles"):
        found += _file_versions(fb, f)
    return ".".join(str(n) for n in max(found))


def install():
    """Registers the pure-Python `_pywrap_metadata_version` unless a real one imports."""
    if _MODULE in sys.modules:
        return
    try:
        importlib.import_module(_MODULE)
        return
    except ImportError:
        pass
    parents = _MODULE.split(".")
    for i in range(3, len(parents)):  # mediapipe.tasks.cc, .metadata, .python
        name = ".".join(parents[:i])
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except ImportError:
                package = types.ModuleType(name)
                package.__path__ = []
                sys.modules[name] = package
    module = types.ModuleType(_MODULE)
    module.GetMinimumMetadataParserVersion = minimum_parser_version
    module.__doc__ = "keras_slm pure-Python stand-in for mediapipe's compiled version helper."
    sys.modules[_MODULE] = module
    setattr(sys.modules[".".join(parents[:-1])], parents[-1], module)


def metadata_writers():
    """mediapipe's `metadata_writer` and `metadata_info` modules, importable after `install`."""
    install()
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_info, metadata_writer

    return metadata_writer, metadata_info
