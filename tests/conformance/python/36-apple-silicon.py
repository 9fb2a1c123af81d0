# `gpu="AppleSilicon"`: the SDK adds `_F_APPLE_SILICON_EXECUTION` and
# `_F_APPLE_SILICON_HOST_PACKAGES` to the primary's env after `env_vars`.
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="apple",
    image="python:3.12-slim",
    env_vars={"A": "1"},
    resources=flyte.Resources(gpu="AppleSilicon"),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def work() -> None:
    pass
