# `None` inside a (request, limit) tuple raises ValueError when Resources is built.
# expect: refuse FLY310
import flyte

env = flyte.TaskEnvironment(
    name="none_in_tuple",
    image="python:3.12-slim",
    resources=flyte.Resources(memory=("1Gi", None)),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def work() -> None:
    pass
