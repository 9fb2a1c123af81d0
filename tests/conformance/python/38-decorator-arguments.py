# `@env.task(...)` arguments that do not touch the pod (retries, cache, short_name, an async
# task with inputs) leave the environment's pod as it is.
# expect: render
import flyte

env = flyte.TaskEnvironment(name="decorated", image="python:3.12-slim", pod_template=flyte.PodTemplate(labels={"a": "b"}))


@env.task(retries=3, cache="auto", short_name="nice")
async def work(x: int = 1) -> int:
    return x
