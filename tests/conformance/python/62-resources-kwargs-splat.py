# `flyte.Resources(**COMMON)` with COMMON a module-level `dict(...)` of keyword arguments:
# the SDK's requests are COMMON's cpu and memory.
# expect: render
import flyte

COMMON = dict(cpu=2, memory="1Gi")

env = flyte.TaskEnvironment(
    name="resources_splat",
    image="python:3.12-slim",
    resources=flyte.Resources(**COMMON),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def work() -> None:
    pass
