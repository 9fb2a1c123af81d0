# `idle_ttl` under 30 seconds raises ValueError when the ReusePolicy is built.
# expect: refuse FLY308
import flyte

env = flyte.TaskEnvironment(
    name="short_ttl",
    image="python:3.12-slim",
    reusable=flyte.ReusePolicy(replicas=2, idle_ttl=10),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
async def work() -> None:
    pass
