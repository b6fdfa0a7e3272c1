"""Issue 10 attack round 12 F3 (/work/attacks/issue10-r12/FINDINGS.md): a root ``$ref`` whose target has its own
``$defs`` was refused ("A not in {'C': …}"): the resolver let the target's ``$defs`` replace the document's, so every
document-rooted reference pointed nowhere; a JSON pointer into an array ("#/$defs/list/0") was refused too. llama.cpp's
C++ converter (Ollama's) resolves both against the original document."""

from __future__ import annotations

import json

import pytest

from labs.server.grammar import root_ref_resolved
from labs.server.runner import grammar_for

NESTED_DEFS = {"$ref": "#/$defs/A", "$defs": {"A": {"$defs": {"C": {"type": "integer"}}, "type": "object",
                                                    "properties": {"c": {"$ref": "#/$defs/A/$defs/C"},
                                                                   "a": {"$ref": "#/$defs/A"}}}}}


@pytest.mark.parametrize("schema", [
    NESTED_DEFS,  # recursive, with the target's own $defs
    {"$ref": "#/$defs/A/$defs/B", "$defs": {"A": {"$defs": {"B": {"type": "object",
                                                               "properties": {"x": {"type": "integer"}}}}}}},
    {"$ref": "#/$defs/list/0", "$defs": {"list": [{"type": "integer"}]}},  # a pointer indexes an array
])
def test_a_root_ref_is_resolved_against_the_whole_document(schema):
    assert grammar_for(json.dumps(schema))._grammar


def test_the_documents_definitions_stay_and_the_targets_keys_win_over_the_roots_siblings():
    out = root_ref_resolved({"$ref": "#/$defs/A", "type": "string", "$defs": {"A": {"type": "integer", "$defs": {}}}})
    assert out["type"] == "integer" and set(out["$defs"]) == {"A"}
    assert root_ref_resolved(NESTED_DEFS)["$defs"] is NESTED_DEFS["$defs"]


def test_a_ref_to_the_definitions_themselves_is_left_for_the_converter_to_refuse():
    schema = {"$ref": "#/$defs", "$defs": {"A": {"type": "integer"}}}
    assert root_ref_resolved(schema) is schema
    with pytest.raises(AssertionError, match="Unrecognized schema"):  # the server: 400 "invalid format: …"
        grammar_for(json.dumps(schema))
