"""What the YAML and the Python oracles share: a task template as the JSON they print, and how
they print it.

- `template_result(tmpl)`: a `TaskTemplate` (protobuf) as `{"target": "k8s_pod", "primary_container_name",
  "metadata": {"labels", "annotations"}, "spec"}` or `{"target": "container", "container",
  "pod_template_name"}`.
- `emit(compute)`: runs `compute()` with stdout sent to stderr (the flyte package installs a
  `sys.excepthook` that prints to stdout, and user code may print), then prints its result as
  JSON on the real stdout, which therefore carries only the JSON.
"""

import contextlib
import json
import sys

from google.protobuf.json_format import MessageToDict


def error_result(e):
    return {"error": f"{type(e).__name__}: {e}"}


def template_result(tmpl):
    """The pod (or plain container) a serialized `TaskTemplate` registers."""
    if tmpl.HasField("k8s_pod"):
        pod = tmpl.k8s_pod
        return {
            "target": "k8s_pod",
            "primary_container_name": dict(tmpl.config).get("primary_container_name"),
            "metadata": {
                "labels": dict(pod.metadata.labels),
                "annotations": dict(pod.metadata.annotations),
            },
            "spec": MessageToDict(pod.pod_spec),
        }
    return {
        "target": "container",
        "container": MessageToDict(tmpl.container),
        "pod_template_name": tmpl.metadata.pod_template_name,
    }


def emit(compute):
    with contextlib.redirect_stdout(sys.stderr):
        out = compute()
    print(json.dumps(out, indent=1, sort_keys=True))
