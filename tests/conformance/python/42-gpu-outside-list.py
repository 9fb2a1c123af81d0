# `gpu="A100:9"` is not in the SDK's closed list of accelerator strings (A100 goes up to 8):
# ValueError when Resources is built.
# expect: refuse FLY105
import flyte

env = flyte.TaskEnvironment(
    name="gpu_nine",
    image="python:3.12-slim",
    resources=flyte.Resources(gpu="A100:9"),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def work() -> None:
    pass
