# A reusable (actor) environment within the SDK's bounds, with a pod template: the pod is
# registered as for any task.
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="actors",
    image="python:3.12-slim",
    resources=flyte.Resources(cpu=1, memory="1Gi"),
    reusable=flyte.ReusePolicy(replicas=(1, 3), idle_ttl=60, concurrency=2),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
async def work() -> None:
    pass
