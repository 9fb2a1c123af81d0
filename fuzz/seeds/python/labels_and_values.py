import flyte
from kubernetes import client as k8s

MOUNT = "/data"

template = flyte.PodTemplate(
    labels={"team name": "ml"},
    pod_spec=k8s.V1PodSpec(
        host_ipc=True,
        containers=[
            k8s.V1Container(
                name="primary",
                image_pull_policy="Allways",
                volume_mounts=[k8s.V1VolumeMount(name="scratch", mount_path=MOUNT)],
            )
        ],
    ),
)

env = flyte.TaskEnvironment(
    name="train",
    pod_template=template,
    resources=flyte.Resources(cpu=(1, 2), memory=1024),
)
