from flytekit import PodTemplate, task
from kubernetes.client.models import V1Container, V1PodSpec, V1Probe, V1ExecAction

template = PodTemplate(
    primary_container_name="primary",
    labels={"Team": "ml"},
    pod_spec=V1PodSpec(
        containers=[
            V1Container(
                name="primary",
                liveness_probe=V1Probe(_exec=V1ExecAction(command=["true"]), period_seconds=-1),
            )
        ],
        restart_policy="Nope",
    ),
)


@task(pod_template=template)
def hello() -> str:
    return "hello"
