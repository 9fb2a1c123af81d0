# `gpu="a100:1"`: the list is case-sensitive, so the SDK raises ValueError.
# expect: refuse FLY105
import flyte

env = flyte.TaskEnvironment(
    name="gpu_lower",
    image="python:3.12-slim",
    resources=flyte.Resources(gpu="a100:1"),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def work() -> None:
    pass
