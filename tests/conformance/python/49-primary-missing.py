# The pod spec has containers but none named like `primary_container_name`: ValueError at
# serialization ("No primary container defined in the pod spec").
# expect: refuse FLY301
from kubernetes.client import V1Container, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="no_primary",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        primary_container_name="trainer",
        pod_spec=V1PodSpec(containers=[V1Container(name="train", image="python:3.12-slim")]),
    ),
)


@env.task
def work() -> None:
    pass
