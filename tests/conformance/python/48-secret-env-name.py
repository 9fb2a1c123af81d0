# A secret's `as_env_var` must match ^[A-Z_][A-Z0-9_]*$: ValueError.
# expect: refuse FLY309
import flyte

env = flyte.TaskEnvironment(
    name="bad_secret",
    image="python:3.12-slim",
    secrets=flyte.Secret(key="token", as_env_var="api-token"),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def work() -> None:
    pass
