# `@env.task(pod_template="name")` on an environment with an object template: that task
# registers a plain container naming the cluster PodTemplate.
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="task_string",
    image="python:3.12-slim",
    env_vars={"A": "1"},
    pod_template=flyte.PodTemplate(annotations={"a": "b"}),
)


@env.task(pod_template="high-memory")
def wide() -> None:
    pass


@env.task(retries=2)
def narrow() -> None:
    pass
