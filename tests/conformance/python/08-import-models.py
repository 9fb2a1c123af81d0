# Import style `from kubernetes.client.models import X` (as in flytesnacks), with a
# security context and a node selector.
# expect: render
from kubernetes.client.models import V1Container, V1PodSpec, V1SecurityContext

import flyte

env = flyte.TaskEnvironment(
    name="models_import",
    image="python:3.12-slim",
    env_vars={"MODE": "batch"},
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            containers=[V1Container(name="primary", security_context=V1SecurityContext(run_as_user=1000))],
            node_selector={"pool": "batch"},
        )
    ),
)


@env.task
def run_batch() -> None:
    pass
