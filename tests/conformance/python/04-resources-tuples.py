# `(request, limit)` tuples: `cpu=(1, 2)` with ints (written with `str()`), `memory` as a
# pair of strings; a scalar is a request only. Merged into the primary's own resources.
# expect: render
import flyte
from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements

env = flyte.TaskEnvironment(
    name="tuples",
    image="python:3.12-slim",
    resources=flyte.Resources(cpu=(1, 2), memory=("1Gi", "2Gi"), disk="10Gi"),
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            containers=[
                V1Container(
                    name="primary",
                    resources=V1ResourceRequirements(requests={"example.com/dongle": "1"}, limits={"cpu": "8"}),
                )
            ]
        )
    ),
)


@env.task
def crunch() -> None:
    pass
