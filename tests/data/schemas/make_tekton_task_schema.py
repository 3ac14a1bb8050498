#!/usr/bin/env python3
"""Makes tekton-task-v1.json, a JSON Schema (draft-07) for a tekton.dev/v1 Task, from Tekton
Pipelines' OpenAPI definitions (pkg/apis/pipeline/v1/swagger.json in tektoncd/pipeline):

  python3 make_tekton_task_schema.py swagger.json > tekton-task-v1.json

The swagger file describes Go structs; three changes make it a schema for the YAML users write:
- objects Tekton defines reject unknown keys (additionalProperties: false), so a misspelt field
  fails validation as it fails `kubectl apply` with field validation;
- Kubernetes' own types (ObjectMeta, SecurityContext, EnvVar, ...) are not in the file: they are
  accepted as any object (Time and Duration as strings);
- types with custom JSON forms get their JSON form: ParamValue is a string, a list of strings or
  a map of strings.
"""
import json
import sys

swagger = json.load(open(sys.argv[1], encoding="utf-8"))
definitions = swagger["definitions"]
custom = {
    "v1.ParamValue": {
        "description": "A string, an array of strings or an object of strings.",
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": {"type": "string"}},
        ],
    },
}
out = {}
for name, definition in definitions.items():
    if name in custom:
        out[name] = custom[name]
        continue
    definition = dict(definition)
    if "properties" in definition and "additionalProperties" not in definition:
        definition["additionalProperties"] = False
    out[name] = definition


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


for ref in sorted(set(refs(out))):
    name = ref.rsplit("/", 1)[-1]
    if name not in out:
        out[name] = {"type": "string"} if name in ("v1.Time", "v1.Duration") else {"type": "object"}

schema = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Tekton Pipelines tekton.dev/v1 Task (generated from Tekton's OpenAPI definitions)",
    "allOf": [
        {"$ref": "#/definitions/v1.Task"},
        {
            "required": ["apiVersion", "kind", "metadata", "spec"],
            "properties": {"apiVersion": {"const": "tekton.dev/v1"}, "kind": {"const": "Task"}},
        },
    ],
    "definitions": out,
}
json.dump(schema, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
