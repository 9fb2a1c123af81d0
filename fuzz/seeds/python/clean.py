import os

import flyte
import kubernetes
from kubernetes.client.models import V1Toleration

TAG = os.environ.get("TAG", "latest")

gpu = flyte.TaskEnvironment(
    name="gpu-train",
    image=f"ghcr.io/acme/train:{TAG}",
    resources=flyte.Resources(cpu=(2, 4), memory=("8Gi", "16Gi"), gpu="A100:1"),
    env_vars={"MODE": "train"},
    pod_template=flyte.PodTemplate(
        primary_container_name="primary",
        pod_spec=kubernetes.client.V1PodSpec(
            containers=[kubernetes.client.V1Container(name="primary")],
            tolerations=[V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")],
            node_selector={"cloud.google.com/gke-accelerator": "nvidia-tesla-a100"},
        ),
    ),
)

cluster_template = flyte.TaskEnvironment(name="named", pod_template="gpu-template")
