# `@env.task(pod_template=3)`: the task-level template must be a string or a PodTemplate too;
# the SDK raises when the task is serialized. The environment alone is fine.
# expect: refuse FLY103
# render: --environment task_template_int --task work
import flyte

env = flyte.TaskEnvironment(name="task_template_int", image="python:3.12-slim", env_vars={"A": "1"})


@env.task(pod_template=3)
def work() -> None:
    pass
