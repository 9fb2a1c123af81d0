# Module-level constants followed by name: the image, a mount path, a label dict, a port
# number, a container bound to a name and the template bound to a name.
# expect: render
from kubernetes.client import V1Container, V1ContainerPort, V1PodSpec, V1Volume, V1VolumeMount, V1EmptyDirVolumeSource

import flyte

IMAGE = "ghcr.io/acme/train:2024.1"
MOUNT_PATH = "/mnt/cache"
VOLUME = "cache"
PORT = 8080
LABELS = {"team": "ml", "cost-center": "42"}

primary = V1Container(
    name="primary",
    ports=[V1ContainerPort(container_port=PORT)],
    volume_mounts=[V1VolumeMount(name=VOLUME, mount_path=MOUNT_PATH, read_only=False)],
)
template = flyte.PodTemplate(
    labels=LABELS,
    pod_spec=V1PodSpec(containers=[primary], volumes=[V1Volume(name=VOLUME, empty_dir=V1EmptyDirVolumeSource())]),
)

env = flyte.TaskEnvironment(name="constants", image=IMAGE, pod_template=template)


@env.task
def work() -> None:
    pass
