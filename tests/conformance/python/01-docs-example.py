# The shape of the Flyte docs' pod-template example (flyteorg/flyte-sdk
# examples/advanced/pod_template.py, written anew here): a parenthesised
# `from kubernetes.client import (...)`, a module-level `pod_template` passed by name,
# labels, annotations, an env var on the primary, an image pull secret, the image from
# `flyte.Image.from_uv_script(__file__, ...)`, two tasks and a `__main__` block that must
# not run.
# expect: render
# /// script
# requires-python = "==3.12"
# dependencies = [
#    "kubernetes",
# ]
# ///

from kubernetes.client import (
    V1Container,
    V1EnvVar,
    V1LocalObjectReference,
    V1PodSpec,
)

import flyte

pod_template = flyte.PodTemplate(
    primary_container_name="primary",
    labels={"team": "docs"},
    annotations={"docs.example/owner": "flyte"},
    pod_spec=V1PodSpec(
        containers=[V1Container(name="primary", env=[V1EnvVar(name="greeting", value="hi")])],
        image_pull_secrets=[V1LocalObjectReference(name="registry-login")],
    ),
)

env = flyte.TaskEnvironment(
    name="docs_example",
    pod_template=pod_template,
    image=flyte.Image.from_uv_script(__file__, name="flyte", pre=True),
)


@env.task
async def greet(who: str) -> str:
    return f"Hello {who}"


@env.task
async def greet_twice(who: str = "world") -> str:
    return await greet(who=who)


if __name__ == "__main__":
    raise SystemExit("the __main__ block ran")
