# kubernetes 37 models: quantity maps are Dict[str, StrictStr], so `limits={"cpu": 1}` is a
# pydantic ValidationError at import.
# expect: refuse FLY103
from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements

import flyte

env = flyte.TaskEnvironment(
    name="limits_number",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            containers=[V1Container(name="primary", resources=V1ResourceRequirements(limits={"cpu": 1}))]
        )
    ),
)


@env.task
def work() -> None:
    pass
