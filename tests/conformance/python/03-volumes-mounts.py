# Volumes of several kinds and their mounts on the primary and on a sidecar; mount fields in
# snake_case (`mount_path`, `read_only`, `sub_path`) come out camelCase.
# expect: render
import flyte
from kubernetes.client import (
    V1ConfigMapVolumeSource,
    V1Container,
    V1EmptyDirVolumeSource,
    V1PersistentVolumeClaimVolumeSource,
    V1PodSpec,
    V1SecretVolumeSource,
    V1Volume,
    V1VolumeMount,
)

env = flyte.TaskEnvironment(
    name="volumes",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            containers=[
                V1Container(
                    name="primary",
                    volume_mounts=[
                        V1VolumeMount(name="scratch", mount_path="/scratch"),
                        V1VolumeMount(name="config", mount_path="/etc/app", read_only=True),
                        V1VolumeMount(name="data", mount_path="/data", sub_path="run1"),
                    ],
                ),
                V1Container(
                    name="uploader",
                    image="amazon/aws-cli:2.15.0",
                    volume_mounts=[V1VolumeMount(name="scratch", mount_path="/out")],
                ),
            ],
            volumes=[
                V1Volume(name="scratch", empty_dir=V1EmptyDirVolumeSource(medium="Memory", size_limit="1Gi")),
                V1Volume(name="config", config_map=V1ConfigMapVolumeSource(name="app-config")),
                V1Volume(name="creds", secret=V1SecretVolumeSource(secret_name="creds", default_mode=0o400)),
                V1Volume(
                    name="data",
                    persistent_volume_claim=V1PersistentVolumeClaimVolumeSource(claim_name="datasets"),
                ),
            ],
        )
    ),
)


@env.task
def process() -> None:
    pass
