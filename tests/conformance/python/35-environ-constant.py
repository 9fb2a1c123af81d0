# A module constant that is not a literal (`BUCKET = os.environ.get("BUCKET", "...")`, as in
# the gcsfuse example) inside a CSI volume's attributes, beside literal constants. Without
# BUCKET in the environment the SDK registers the default; render shows `<run time>`.
# expect: render
import os

from kubernetes.client import V1Container, V1CSIVolumeSource, V1PodSpec, V1Volume, V1VolumeMount

import flyte

BUCKET = os.environ.get("FLYTE_LSP_TEST_BUCKET_UNSET", "my-bucket")
MOUNT_PATH = "/mnt/gcs"

env = flyte.TaskEnvironment(
    name="gcsfuse",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(
        annotations={"gke-gcsfuse/volumes": "true"},
        pod_spec=V1PodSpec(
            containers=[
                V1Container(
                    name="primary", volume_mounts=[V1VolumeMount(name="gcs", mount_path=MOUNT_PATH, read_only=False)]
                )
            ],
            volumes=[
                V1Volume(
                    name="gcs",
                    csi=V1CSIVolumeSource(
                        driver="gcsfuse.csi.storage.gke.io",
                        volume_attributes={"bucketName": BUCKET, "mountOptions": "implicit-dirs"},
                    ),
                )
            ],
        ),
    ),
)


@env.task
def work() -> None:
    pass
