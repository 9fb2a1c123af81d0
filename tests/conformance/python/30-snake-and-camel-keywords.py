# kubernetes >= 37 takes both spellings of a keyword: `image_pull_policy` and the camelCase
# alias `imagePullPolicy`, `host_ipc` (API `hostIPC`); both come out as the API's names.
# expect: render
from kubernetes.client import V1Container, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="spellings",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            containers=[
                V1Container(name="primary", image_pull_policy="IfNotPresent"),
                V1Container(name="side", image="busybox:1.36", imagePullPolicy="Never"),
            ],
            host_ipc=True,
            hostPID=False,
        )
    ),
)


@env.task
def work() -> None:
    pass
