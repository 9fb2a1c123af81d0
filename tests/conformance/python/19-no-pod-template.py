# No `pod_template`: a plain container target with env vars and resources (a cpu tuple and
# a memory request).
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="plain",
    image="python:3.12-slim",
    env_vars={"A": "1", "B": "two"},
    resources=flyte.Resources(cpu=(2, 4), memory="4Gi"),
)


@env.task
def work() -> None:
    pass
