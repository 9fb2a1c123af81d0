# A task-level PodTemplate whose containers do not include the primary: ValueError when that
# task is serialized, though the environment's own template is fine.
# expect: refuse FLY301
# render: --environment task_no_primary --task heavy
from kubernetes.client import V1Container, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="task_no_primary",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task(pod_template=flyte.PodTemplate(pod_spec=V1PodSpec(containers=[V1Container(name="main")])))
def heavy() -> None:
    pass
