# `env.clone_with(name=..., ...)`: a second environment with some arguments replaced
# (resources, env_vars) and the rest (image, pod_template) kept; each has a task.
# expect: render
import flyte

base = flyte.TaskEnvironment(
    name="base",
    image="python:3.12-slim",
    resources=flyte.Resources(cpu=1, memory="1Gi"),
    env_vars={"STAGE": "dev"},
    pod_template=flyte.PodTemplate(labels={"app": "demo"}),
)

prod = base.clone_with(name="prod", resources=flyte.Resources(cpu=4, memory="8Gi"), env_vars={"STAGE": "prod"})


@base.task
def try_it() -> None:
    pass


@prod.task
def ship_it() -> None:
    pass
