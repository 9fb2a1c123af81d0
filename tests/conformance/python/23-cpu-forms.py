# cpu as a float (`str(1.5)` is "1.5"), memory and disk strings; a second environment with
# cpu as a quantity string and `2.0` (which stays "2.0").
# expect: render
import flyte

env = flyte.TaskEnvironment(
    name="cpu_float",
    image="python:3.12-slim",
    env_vars={"A": "1"},
    resources=flyte.Resources(cpu=1.5, memory="3Gi", disk="20Gi"),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)
milli = flyte.TaskEnvironment(
    name="cpu_milli",
    image="python:3.12-slim",
    env_vars={"A": "1"},
    resources=flyte.Resources(cpu=("500m", 2.0)),
    pod_template=flyte.PodTemplate(labels={"a": "b"}),
)


@env.task
def one() -> None:
    pass


@milli.task
def two() -> None:
    pass
