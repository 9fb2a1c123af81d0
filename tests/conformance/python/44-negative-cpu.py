# A negative cpu raises ValueError when Resources is built.
# expect: refuse FLY310
import flyte

env = flyte.TaskEnvironment(
    name="negative_cpu",
    image="python:3.12-slim",
    resources=flyte.Resources(cpu=-1),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def work() -> None:
    pass
