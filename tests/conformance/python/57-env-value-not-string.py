# An `env_vars` value that is not a string fails inside protobuf (TypeError) when the task
# is serialized.
# expect: refuse FLY103
import flyte

env = flyte.TaskEnvironment(
    name="env_value_int",
    image="python:3.12-slim",
    env_vars={"WORKERS": 4},
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def work() -> None:
    pass
