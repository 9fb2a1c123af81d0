# `gpu="A100:1"`: a request for the generic `gpu` resource (the accelerator type goes to
# extended resources, not to the pod), alongside cpu and memory.
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="gpu_string",
    image="nvcr.io/nvidia/pytorch:24.01-py3",
    resources=flyte.Resources(cpu=4, memory="16Gi", gpu="A100:1"),
    pod_template=flyte.PodTemplate(labels={"accelerator": "a100"}),
)


@env.task
def train() -> None:
    pass
