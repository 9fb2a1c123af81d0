# Init containers (one a native sidecar, `restart_policy="Always"`) pass through untouched:
# they are never the primary, and get no image, env or resources; the primary does.
# expect: render
from kubernetes.client import V1Container, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="init",
    image="python:3.12-slim",
    env_vars={"A": "1"},
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            init_containers=[
                V1Container(name="fetch", image="busybox:1.36", command=["sh", "-c", "echo ready"]),
                V1Container(name="agent", image="busybox:1.36", restart_policy="Always"),
            ],
            containers=[V1Container(name="primary")],
        )
    ),
)


@env.task
def work() -> None:
    pass
