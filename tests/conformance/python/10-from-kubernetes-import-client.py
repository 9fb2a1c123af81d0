# Import style `from kubernetes import client`, then `client.V1PodSpec(...)`.
# expect: render
from kubernetes import client

import flyte

env = flyte.TaskEnvironment(
    name="client_import",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"},
        pod_spec=client.V1PodSpec(
            containers=[client.V1Container(name="primary", image_pull_policy="Always")],
            priority_class_name="high",
        ),
    ),
)


@env.task
def work() -> None:
    pass
