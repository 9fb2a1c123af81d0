# Import style `import kubernetes` then `kubernetes.client.V1PodSpec(...)` (as in the n8n
# example), with tolerations.
# expect: render
import kubernetes

import flyte

env = flyte.TaskEnvironment(
    name="dotted_import",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        pod_spec=kubernetes.client.V1PodSpec(
            containers=[kubernetes.client.V1Container(name="primary", working_dir="/app")],
            tolerations=[
                kubernetes.client.V1Toleration(key="dedicated", operator="Equal", value="ml", effect="NoSchedule")
            ],
        )
    ),
)


@env.task
def work() -> None:
    pass
