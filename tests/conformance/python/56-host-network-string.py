# kubernetes 37 models: `host_network` is a StrictBool, so "y" is a ValidationError (in
# PyYAML-read YAML it would be a string too).
# expect: refuse FLY103
from kubernetes.client import V1Container, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="host_network_string",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(pod_spec=V1PodSpec(containers=[V1Container(name="primary")], host_network="y")),
)


@env.task
def work() -> None:
    pass
