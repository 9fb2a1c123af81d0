# A string `pod_template` names a cluster PodTemplate: the SDK registers a plain container
# (and `pod_template_name`), no pod; render's YAML carries the note naming it.
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="named_template",
    image="python:3.12-slim",
    resources=flyte.Resources(cpu="500m", memory="512Mi"),
    env_vars={"A": "1"},
    pod_template="gpu-nodes",
)


@env.task
def work() -> None:
    pass
