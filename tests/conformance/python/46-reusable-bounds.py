# A reuse policy outside the SDK's bounds (replicas min > max) raises ValueError.
# expect: refuse FLY308
import flyte

env = flyte.TaskEnvironment(
    name="bad_reuse",
    image="python:3.12-slim",
    reusable=flyte.ReusePolicy(replicas=(3, 1)),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
async def work() -> None:
    pass
