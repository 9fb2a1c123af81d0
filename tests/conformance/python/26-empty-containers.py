# `V1PodSpec(containers=[])` with pod-level fields: the SDK appends a bare primary.
# expect: render
from kubernetes.client import V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="empty_containers",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        primary_container_name="worker",
        pod_spec=V1PodSpec(containers=[], restart_policy="Never", node_selector={"a": "b"}),
    ),
)


@env.task
def work() -> None:
    pass
