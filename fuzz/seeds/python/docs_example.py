# The Flyte docs' pod template example, with a primary container name that names no container.
import flyte
from kubernetes.client import (
    V1Container,
    V1EnvVar,
    V1LocalObjectReference,
    V1PodSpec,
)

pod_template = flyte.PodTemplate(
    primary_container_name="main",
    labels={"lKeyA": "lValA"},
    annotations={"aKeyA": "aValA"},
    pod_spec=V1PodSpec(
        containers=[V1Container(name="primary", env=[V1EnvVar(name="hello", value="world")])],
        image_pull_secrets=[V1LocalObjectReference(name="regcred-test")],
    ),
)

env = flyte.TaskEnvironment(name="hello_world", pod_template=pod_template)
