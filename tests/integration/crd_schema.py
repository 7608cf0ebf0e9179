#!/usr/bin/python3
"""The CRDs in crds/ are structural, and every document in examples/ is valid
against its CRD's schema (so the same topology can be applied as Kubernetes
custom resources). A small validator: type, required, properties (unknown
fields rejected as the API server prunes/rejects them), additionalProperties,
items, enum, minimum."""
import glob
import os
import sys

import yaml

root = os.environ.get("KDR_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
failures = []


def fail(msg):
    failures.append(msg)


def check_structural(schema, path):
    if schema.get("x-kubernetes-preserve-unknown-fields") or schema.get("x-kubernetes-int-or-string"):
        return
    if "type" not in schema:
        fail(f"{path}: no type (not structural)")
        return
    for name, sub in schema.get("properties", {}).items():
        check_structural(sub, f"{path}.{name}")
    if isinstance(schema.get("additionalProperties"), dict):
        check_structural(schema["additionalProperties"], f"{path}[*]")
    if "items" in schema:
        check_structural(schema["items"], f"{path}[]")


TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def validate(value, schema, path):
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return
    if schema.get("x-kubernetes-int-or-string"):
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            fail(f"{path}: expected int or string, got {value!r}")
        return
    kind = schema.get("type")
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            fail(f"{path}: expected integer, got {value!r}")
            return
        if "minimum" in schema and value < schema["minimum"]:
            fail(f"{path}: {value} below minimum {schema['minimum']}")
        return
    if kind in TYPES and not isinstance(value, TYPES[kind]):
        fail(f"{path}: expected {kind}, got {value!r}")
        return
    if "enum" in schema and value not in schema["enum"]:
        fail(f"{path}: {value!r} not in {schema['enum']}")
    if kind == "object":
        props = schema.get("properties")
        for req in schema.get("required", []):
            if req not in value:
                fail(f"{path}: missing required '{req}'")
        for key, sub in value.items():
            if props is not None and key in props:
                validate(sub, props[key], f"{path}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                validate(sub, schema["additionalProperties"], f"{path}.{key}")
            elif props is not None and key not in props and path != "metadata":
                fail(f"{path}: unknown field '{key}'")
    if kind == "array":
        for i, item in enumerate(value):
            validate(item, schema["items"], f"{path}[{i}]")


crds = {}
for path in sorted(glob.glob(os.path.join(root, "crds", "*.yaml"))):
    crd = yaml.safe_load(open(path))
    assert crd["apiVersion"] == "apiextensions.k8s.io/v1", path
    version = crd["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]
    check_structural(schema, crd["spec"]["names"]["kind"])
    crds[crd["spec"]["names"]["kind"]] = (crd["spec"]["group"], version["name"], schema)

expected = {"KafkaCluster", "ReplicationFlow", "TopicPolicy", "AccessPolicy"}
if set(crds) != expected:
    fail(f"crds/ defines {sorted(crds)}, expected {sorted(expected)}")

checked = 0
for path in sorted(glob.glob(os.path.join(root, "examples", "**", "*.yaml"), recursive=True)):
    for doc in yaml.safe_load_all(open(path)):
        if not doc:
            continue
        kind = doc.get("kind")
        if kind not in crds:
            fail(f"{path}: kind {kind} has no CRD")
            continue
        group, version, schema = crds[kind]
        if doc.get("apiVersion") != f"{group}/{version}":
            fail(f"{path}: apiVersion {doc.get('apiVersion')} != {group}/{version}")
        validate(doc, schema, f"{os.path.relpath(path, root)}:{kind}/{doc['metadata']['name']}")
        checked += 1

if checked == 0:
    fail("no example documents found")
for f in failures:
    print("FAIL:", f)
print(f"crd_schema: {len(crds)} CRDs, {checked} example documents checked, {len(failures)} failures")
sys.exit(1 if failures else 0)
