"""Serialize a task environment YAML with the real flyte SDK and print its pod as JSON.

Usage: python sdk_render.py CASE.yaml
Prints {"metadata": {"labels", "annotations"}, "spec": <pod spec>} exactly as the SDK registers it
(the `k8s_pod` of the task template), or {"error": "<message>"} when the SDK refuses the input.
The YAML is read with PyYAML (YAML 1.1), as a user's loader would.
"""

import asyncio
import json
import sys

import yaml
from google.protobuf.json_format import MessageToDict


def build_env(doc):
    import flyte
    from kubernetes.client import V1PodSpec

    kwargs = {k: v for k, v in doc.items() if k not in ("pod_template", "resources")}
    res = doc.get("resources")
    if res is not None:
        res = {k: tuple(v) if isinstance(v, list) else v for k, v in res.items()}
        kwargs["resources"] = flyte.Resources(**res)
    pt = doc.get("pod_template")
    if isinstance(pt, dict):
        spec = pt.get("pod_spec")
        kwargs["pod_template"] = flyte.PodTemplate(
            primary_container_name=pt.get("primary_container_name", "primary"),
            labels=pt.get("labels"),
            annotations=pt.get("annotations"),
            pod_spec=V1PodSpec.model_validate(spec) if spec is not None else None,
        )
    elif pt is not None:
        kwargs["pod_template"] = pt
    return flyte.TaskEnvironment(**kwargs)


def main(path):
    import flyte
    from flyte._internal.runtime import task_serde
    from flyte.models import SerializationContext

    with open(path) as f:
        doc = yaml.safe_load(f)
    try:
        env = build_env(doc)

        @env.task
        async def work() -> None:
            pass

        import os
        ctx = SerializationContext(version="v1", code_bundle=None, root_dir=os.path.dirname(os.path.abspath(__file__)))
        tmpl = task_serde.get_proto_task(work, ctx)
    except Exception as e:  # the SDK refused the input
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        return
    if tmpl.HasField("k8s_pod"):
        pod = tmpl.k8s_pod
        out = {
            "metadata": {
                "labels": dict(pod.metadata.labels),
                "annotations": dict(pod.metadata.annotations),
            },
            "spec": MessageToDict(pod.pod_spec),
        }
    else:
        out = {
            "container": MessageToDict(tmpl.container),
            "pod_template_name": tmpl.metadata.pod_template_name,
        }
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
