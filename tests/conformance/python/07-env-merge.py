# `env_vars` and the primary container's own `env`: the environment's come first, then the
# container's, with no de-duplication (LOG_LEVEL appears twice); `value_from` is kept.
# expect: render
import flyte
from kubernetes.client import V1Container, V1EnvVar, V1EnvVarSource, V1ObjectFieldSelector, V1PodSpec

env = flyte.TaskEnvironment(
    name="env_merge",
    image="python:3.12-slim",
    env_vars={"LOG_LEVEL": "info", "REGION": "eu-west-1"},
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            containers=[
                V1Container(
                    name="primary",
                    env=[
                        V1EnvVar(name="LOG_LEVEL", value="debug"),
                        V1EnvVar(
                            name="NODE",
                            value_from=V1EnvVarSource(field_ref=V1ObjectFieldSelector(field_path="spec.nodeName")),
                        ),
                    ],
                )
            ]
        )
    ),
)


@env.task
def report() -> None:
    pass
