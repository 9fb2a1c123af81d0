# `env_vars={**BASE_ENV, "STAGE": "prod"}` with BASE_ENV a module-level dict literal: the
# SDK's env has BASE_ENV's entries first, then STAGE.
# expect: render
import flyte

BASE_ENV = {"LOG_LEVEL": "info", "REGION": "eu-west-1"}

env = flyte.TaskEnvironment(
    name="env_splat",
    image="python:3.12-slim",
    env_vars={**BASE_ENV, "STAGE": "prod"},
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def work() -> None:
    pass
