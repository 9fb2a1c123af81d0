# `import flyte as fl`: `fl.TaskEnvironment`, `fl.PodTemplate`, `fl.Resources` are the same
# constructs; `import kubernetes.client as kc` too.
# expect: render
import kubernetes.client as kc

import flyte as fl

env = fl.TaskEnvironment(
    name="aliased",
    image="python:3.12-slim",
    resources=fl.Resources(cpu=1.5, memory="2Gi"),
    pod_template=fl.PodTemplate(
        primary_container_name="main",
        pod_spec=kc.V1PodSpec(containers=[kc.V1Container(name="main", stdin=True)]),
    ),
)


@env.task
def work() -> None:
    pass
