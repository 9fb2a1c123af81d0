# `gpu=flyte.GPU("A100", 2)`: a Device the SDK builds at import; the Python front end does not
# model it, so render shows the gpu request as `<run time>` (not a count of its own), which
# matches the SDK's "2"; cpu beside it is exact.
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="gpu_device",
    image="nvcr.io/nvidia/pytorch:24.01-py3",
    env_vars={"A": "1"},
    resources=flyte.Resources(cpu=1, gpu=flyte.GPU("A100", 2)),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def train() -> None:
    pass
