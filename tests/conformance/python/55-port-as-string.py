# kubernetes 37 models: `container_port` is a StrictInt, so "8080" is a ValidationError.
# expect: refuse FLY103
from kubernetes.client import V1Container, V1ContainerPort, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="port_string",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(containers=[V1Container(name="primary", ports=[V1ContainerPort(container_port="8080")])])
    ),
)


@env.task
def work() -> None:
    pass
