# `@env.task(pod_template=...)` replaces the environment's template for that task (no
# merging of the two); the other task keeps the environment's.
# expect: render
from kubernetes.client import V1Container, V1PodSpec

import flyte

env = flyte.TaskEnvironment(
    name="task_level",
    image="python:3.12-slim",
    pod_template=flyte.PodTemplate(labels={"from": "environment"}),
)

big = flyte.PodTemplate(
    labels={"from": "task"},
    pod_spec=V1PodSpec(containers=[V1Container(name="primary")], node_selector={"size": "xl"}),
)


@env.task
def small() -> None:
    pass


@env.task(pod_template=big)
def large() -> None:
    pass
