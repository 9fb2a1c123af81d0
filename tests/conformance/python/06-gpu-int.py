# `gpu=2` (an int count) with a pod template whose primary already asks for a vendor GPU
# resource: both requests survive the key-by-key merge.
# expect: render
import flyte
from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements

env = flyte.TaskEnvironment(
    name="gpu-int",
    image="nvcr.io/nvidia/pytorch:24.01-py3",
    resources=flyte.Resources(gpu=2),
    pod_template=flyte.PodTemplate(
        pod_spec=V1PodSpec(
            containers=[
                V1Container(
                    name="primary",
                    resources=V1ResourceRequirements(limits={"nvidia.com/gpu": "2"}),
                )
            ]
        )
    ),
)


@env.task
def train() -> None:
    pass
