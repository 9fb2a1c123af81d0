"""Serialize a task environment YAML with the real flyte SDK and print its pod as JSON.

Usage: python sdk_render.py CASE.yaml

Prints one JSON object on stdout:
- an object `pod_template` (the task target is a `k8s_pod`):
  {"target": "k8s_pod", "primary_container_name": ..., "metadata": {"labels", "annotations"},
   "spec": <pod spec>}, exactly as the SDK registers it;
- a string or no `pod_template` (the task target is a plain container, no pod):
  {"target": "container", "container": <tasks_pb2.Container as JSON>, "pod_template_name": ...};
- {"error": "<ExceptionType>: <message>"} when the SDK (or the kubernetes models it validates the pod
  spec with) refuses the input.

The YAML is read with PyYAML `safe_load` (YAML 1.1), as a user's loader would. Its keys are the
keyword arguments of `flyte.TaskEnvironment`; `resources` and an object `pod_template` are the keyword
arguments of `flyte.Resources` and `flyte.PodTemplate` (lists become tuples, `pod_spec` goes through
`kubernetes.client.V1PodSpec.model_validate`); mappings under `secrets`, `reusable` and `cache` become
`flyte.Secret`, `flyte.ReusePolicy` and `flyte.Cache`; `depends_on` names become bare environments.
Unknown keys therefore raise, as they would in Python.
Anything the SDK prints while serializing goes to stderr; stdout carries only the JSON.
The result shapes and the printing are shared with `sdk_render_py.py` (`sdk_common.py`).
"""

import os
import sys

import yaml

from sdk_common import emit, error_result, template_result


def build_env(doc):
    import flyte
    from kubernetes.client import V1PodSpec

    if not isinstance(doc, dict):
        raise TypeError(f"the document is a {type(doc).__name__}, not a mapping of TaskEnvironment arguments")
    kwargs = {k: v for k, v in doc.items() if k not in ("pod_template", "resources")}
    secrets = doc.get("secrets")
    if isinstance(secrets, (dict, list)):
        items = secrets if isinstance(secrets, list) else [secrets]
        kwargs["secrets"] = [flyte.Secret(**s) if isinstance(s, dict) else s for s in items]
    reusable = doc.get("reusable")
    if isinstance(reusable, dict):
        kwargs["reusable"] = flyte.ReusePolicy(**{k: tuple(v) if isinstance(v, list) else v for k, v in reusable.items()})
    cache = doc.get("cache")
    if isinstance(cache, dict):
        kwargs["cache"] = flyte.Cache(**{k: tuple(v) if k == "ignored_inputs" and isinstance(v, list) else v for k, v in cache.items()})
    depends_on = doc.get("depends_on")
    if isinstance(depends_on, list):
        # Environments are referred to by name in YAML; the SDK wants the objects.
        kwargs["depends_on"] = [flyte.TaskEnvironment(name=n, image=doc.get("image")) if isinstance(n, str) else n for n in depends_on]
    res = doc.get("resources")
    if res is not None:
        if not isinstance(res, dict):
            raise TypeError(f"resources is a {type(res).__name__}, not a mapping of Resources arguments")
        res = {k: tuple(v) if isinstance(v, list) else v for k, v in res.items()}
        kwargs["resources"] = flyte.Resources(**res)
    pt = doc.get("pod_template")
    if isinstance(pt, dict):
        pt_kwargs = dict(pt)
        spec = pt_kwargs.get("pod_spec")
        if spec is not None:
            pt_kwargs["pod_spec"] = V1PodSpec.model_validate(spec)
        kwargs["pod_template"] = flyte.PodTemplate(**pt_kwargs)
    elif pt is not None:
        kwargs["pod_template"] = pt
    return flyte.TaskEnvironment(**kwargs)


def serialize(path):
    """The JSON-able result for one case file."""
    # Imported outside the `try`: a broken installation must crash, not read as a refusal.
    import flyte  # noqa: F401
    from flyte._internal.runtime import task_serde
    from flyte.models import SerializationContext

    with open(path) as f:
        doc = yaml.safe_load(f)
    try:
        env = build_env(doc)

        @env.task
        async def work() -> None:
            pass

        ctx = SerializationContext(version="v1", code_bundle=None, root_dir=os.path.dirname(os.path.abspath(__file__)))
        tmpl = task_serde.get_proto_task(work, ctx)
    except Exception as e:  # the SDK refused the input
        return error_result(e)
    return template_result(tmpl)


def main(path):
    emit(lambda: serialize(path))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: sdk_render.py CASE.yaml")
    main(sys.argv[1])
