# `pod_template={...}`: a dict is not a PodTemplate (it is in YAML, not in Python), TypeError
# when the TaskEnvironment is built.
# expect: refuse FLY103
import flyte

env = flyte.TaskEnvironment(
    name="template_dict",
    image="python:3.12-slim",
    pod_template={"primary_container_name": "primary", "labels": {"a": "b"}},
)


@env.task
def work() -> None:
    pass
