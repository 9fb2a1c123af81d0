# A sidecar with its own image beside the primary: the SDK fills only the primary (image,
# command, args, env, resources); the sidecar passes through untouched.
# expect: render
import flyte
from kubernetes.client import V1Container, V1ContainerPort, V1PodSpec

env = flyte.TaskEnvironment(
    name="with_sidecar",
    image="ghcr.io/acme/app:1.0",
    resources=flyte.Resources(cpu="1", memory="1Gi"),
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            containers=[
                V1Container(name="primary"),
                V1Container(
                    name="proxy",
                    image="envoyproxy/envoy:v1.30.0",
                    args=["--config-path", "/etc/envoy/envoy.yaml"],
                    ports=[V1ContainerPort(container_port=9901, name="admin")],
                ),
            ]
        )
    ),
)


@env.task
def serve() -> None:
    pass
