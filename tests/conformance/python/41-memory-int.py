# `memory=1024` (an int) raises ValueError when Resources is built: memory must be a
# Kubernetes quantity string.
# expect: refuse FLY103
import flyte

env = flyte.TaskEnvironment(
    name="memory_int",
    image="python:3.12-slim",
    resources=flyte.Resources(cpu=1, memory=1024),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def work() -> None:
    pass
