# kubernetes 37 models forbid extra fields: `V1Container(name="x", bogus=1)` is a pydantic
# ValidationError at import.
# expect: refuse FLY101
from kubernetes.client import V1Container, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="container_bogus",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(containers=[V1Container(name="primary"), V1Container(name="x", bogus=1)])
    ),
)


@env.task
def work() -> None:
    pass
