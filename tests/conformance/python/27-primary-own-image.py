# The primary container's own image wins over the environment's; its command and args are
# replaced by the SDK's, its other fields (working_dir, ports, probes) kept.
# expect: render
from kubernetes.client import V1Container, V1ExecAction, V1HTTPGetAction, V1PodSpec, V1Probe

import flyte

env = flyte.TaskEnvironment(
    name="own_image",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            containers=[
                V1Container(
                    name="primary",
                    image="ghcr.io/acme/custom:3",
                    command=["python", "-m", "mine"],
                    args=["--fast"],
                    working_dir="/srv",
                    liveness_probe=V1Probe(_exec=V1ExecAction(command=["cat", "/tmp/ok"]), period_seconds=10),
                    readiness_probe=V1Probe(http_get=V1HTTPGetAction(path="/ready", port=8080)),
                )
            ]
        )
    ),
)


@env.task
def work() -> None:
    pass
