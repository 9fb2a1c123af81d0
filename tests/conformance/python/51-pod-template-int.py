# `pod_template=5`: neither a string nor a PodTemplate, TypeError when the TaskEnvironment
# is built.
# expect: refuse FLY103
import flyte

env = flyte.TaskEnvironment(name="template_int", image="python:3.12-slim", env_vars={"A": "1"}, pod_template=5)


@env.task
def work() -> None:
    pass
